//! Matching at scale: suggestions for one need among 1 000 000 volunteers
//! (R-tree walk against a linear scan of the same data), and a batch of 1 000
//! needs over 10 000 volunteers (optimal assignment against greedy).
//! `cargo bench --bench matching`; figures in docs/benchmarks.md.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use laobing::domain::geo::LatLon;
use laobing::domain::matching::{assign, greedy, rank, Candidate, NeedSpec, VolunteerIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Instant;

const SKILLS: [&str; 8] =
    ["driving", "farming", "machinery", "electrician", "medical", "swimming", "mediation", "rescue"];

/// Volunteers spread over a province-sized area (about 3° × 3° around 33.4 N 111.6 E).
fn volunteers(n: usize, seed: u64) -> Vec<Candidate> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|i| Candidate {
            id: i as i64,
            pos: Some(LatLon { lat: 32.0 + rng.gen_range(0.0..3.0), lon: 110.0 + rng.gen_range(0.0..3.0) }),
            skills: (0..rng.gen_range(1..3)).map(|_| SKILLS[rng.gen_range(0..SKILLS.len())].to_string()).collect(),
            active: rng.gen_bool(0.95),
            busy: rng.gen_bool(0.03),
            recent_load: rng.gen_range(0..5),
        })
        .collect()
}

fn need(rng: &mut StdRng, lat0: f64, lon0: f64, span: f64) -> NeedSpec {
    NeedSpec {
        pos: Some(LatLon { lat: lat0 + rng.gen_range(0.0..span), lon: lon0 + rng.gen_range(0.0..span) }),
        required_skills: vec![SKILLS[rng.gen_range(0..SKILLS.len())].to_string()],
        volunteers_needed: rng.gen_range(1..4),
    }
}

fn suggestions(c: &mut Criterion) {
    let all = volunteers(1_000_000, 1);
    let started = Instant::now();
    let index = VolunteerIndex::new(all.clone());
    eprintln!("index of {} volunteers built in {:.2} s", index.len(), started.elapsed().as_secs_f64());
    let mut rng = StdRng::seed_from_u64(2);
    let needs: Vec<NeedSpec> = (0..64).map(|_| need(&mut rng, 32.0, 110.0, 3.0)).collect();
    // the two must agree before their speeds are compared
    for n in needs.iter().take(3) {
        let fast: Vec<i64> = index.suggest(n, 10, 500.0).iter().map(|s| s.volunteer_id).collect();
        let slow: Vec<i64> = rank(n, &all, 10).iter().map(|s| s.volunteer_id).collect();
        assert_eq!(fast, slow, "index and linear scan disagree");
    }
    let mut i = 0;
    c.bench_function("suggest 10 of 1M (R-tree)", |b| {
        b.iter(|| {
            i = (i + 1) % needs.len();
            black_box(index.suggest(&needs[i], 10, 500.0))
        })
    });
    let mut group = c.benchmark_group("linear");
    group.sample_size(10);
    group.bench_function("suggest 10 of 1M (linear scan)", |b| {
        b.iter(|| {
            i = (i + 1) % needs.len();
            black_box(rank(&needs[i], &all, 10))
        })
    });
    group.finish();
}

fn batch(c: &mut Criterion) {
    // a county: 10 000 volunteers over about 1° × 1°, 1 000 needs among them
    let mut rng = StdRng::seed_from_u64(3);
    let vols: Vec<Candidate> = volunteers(10_000, 4)
        .into_iter()
        .map(|mut v| {
            v.pos = Some(LatLon { lat: 33.0 + rng.gen_range(0.0..1.0), lon: 111.0 + rng.gen_range(0.0..1.0) });
            v
        })
        .collect();
    let index = VolunteerIndex::new(vols);
    let needs: Vec<NeedSpec> = (0..1000).map(|_| need(&mut rng, 33.0, 111.0, 1.0)).collect();
    let g = greedy(&needs, &index, 30);
    let o = assign(&needs, &index, 30);
    eprintln!(
        "1000 needs x 10000 volunteers: greedy filled {} slots, total {:.1} km cost; optimal filled {} slots, total {:.1} km cost ({:+.1} %)",
        g.filled(),
        g.total_cost as f64 / 1000.0,
        o.filled(),
        o.total_cost as f64 / 1000.0,
        (o.total_cost as f64 / g.total_cost as f64 - 1.0) * 100.0
    );
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.bench_function("assign 1000 needs x 10000 volunteers", |b| b.iter(|| black_box(assign(&needs, &index, 30))));
    group.bench_function("greedy 1000 needs x 10000 volunteers", |b| b.iter(|| black_box(greedy(&needs, &index, 30))));
    group.finish();
}

criterion_group!(benches, suggestions, batch);
criterion_main!(benches);
