//! A made-up county at the scale the summary report must answer for
//! (`laobing synthetic-county`, `scripts/bench-summary.sh`).

use crate::domain::id_number::check_char;
use crate::domain::region::RegionKind;
use crate::store::{regions, Db, Result};
use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What `synthetic_county` made, for the benchmark's log.
pub struct CountyLoad {
    pub county_id: i64,
    pub towns: usize,
    pub villages: usize,
    pub volunteers: usize,
    pub activities: usize,
    pub records: usize,
}

/// A made-up county at the scale the summary report must handle: `towns`
/// towns of 20 villages, `volunteers` volunteers spread over the villages, and
/// `records` service records from activities of ten volunteers each, spread
/// over the `days` days before today. Written straight to the tables in
/// thousand-row statements; for benchmarks, not for a town's real data.
pub async fn synthetic_county(db: &Db, towns: u32, volunteers: u32, records: u32, days: u32) -> Result<CountyLoad> {
    use crate::domain::category::CATEGORIES;
    use crate::store::bulk;
    use chrono::Duration;
    const VILLAGES_PER_TOWN: u32 = 20;
    const PER_ACTIVITY: usize = 10;
    let mut rng = StdRng::seed_from_u64(0xc0_ffee);
    let county = regions::create(
        &db.pool,
        &regions::NewRegion { name: "压测县".into(), kind: RegionKind::County, parent_id: None, position: None },
    )
    .await?;
    let mut villages = Vec::new();
    for t in 1..=towns {
        let town = regions::create(
            &db.pool,
            &regions::NewRegion {
                name: format!("压测{t}镇"),
                kind: RegionKind::Town,
                parent_id: Some(county.id),
                position: None,
            },
        )
        .await?;
        for v in 1..=VILLAGES_PER_TOWN {
            let village = regions::create(
                &db.pool,
                &regions::NewRegion {
                    name: format!("第{v}村"),
                    kind: RegionKind::Village,
                    parent_id: Some(town.id),
                    position: None,
                },
            )
            .await?;
            villages.push(village.id);
        }
    }
    // people: valid, distinct ID numbers from their index, sealed like real ones
    let first_birth = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap_or(NaiveDate::MIN);
    let mut people = Vec::with_capacity(volunteers as usize);
    for i in 0..volunteers {
        let birth = first_birth + Duration::days(i64::from(i / 900));
        let mut id = format!("411323{}{:03}", birth.format("%Y%m%d"), i % 900 + 100);
        id.push(check_char(id.as_bytes()));
        let phone = format!("139{:08}", i);
        people.push(bulk::Person {
            volunteer_no: format!("SY{i:07}"),
            name: format!("压测队员{i}"),
            birth_date: birth,
            id_sealed: db.vault.seal(&id),
            id_hash: db.vault.blind(&id),
            id_masked: format!("{}***********{}", &id[..3], &id[14..]),
            phone_sealed: db.vault.seal(&phone),
            phone_hash: db.vault.blind(&phone),
            phone_masked: format!("{}****{}", &phone[..3], &phone[7..]),
            region_id: villages[i as usize % villages.len()],
        });
    }
    bulk::volunteers(&db.pool, &people).await?;
    drop(people);
    let rows: Vec<(i64, i64)> = crate::on_db!(&db.pool, |p| sqlx::query_as(
        "SELECT id, region_id FROM volunteers WHERE volunteer_no LIKE 'SY%' ORDER BY id"
    )
    .fetch_all(p)
    .await?);
    let mut by_village: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    for (id, region) in rows {
        by_village.entry(region).or_default().push(id);
    }
    let midnight = crate::domain::clock::day_start(crate::domain::clock::today());
    let total_activities = (records as usize).div_ceil(PER_ACTIVITY);
    let (mut made_activities, mut made_records) = (0, 0);
    while made_activities < total_activities {
        let n = (total_activities - made_activities).min(50_000);
        let mut held = Vec::with_capacity(n);
        for _ in 0..n {
            let region_id = villages[rng.gen_range(0..villages.len())];
            let starts_at = midnight - Duration::days(rng.gen_range(1..=i64::from(days.max(1))))
                + Duration::hours(rng.gen_range(8..17));
            held.push(bulk::Held {
                title: "压测活动".into(),
                category: CATEGORIES[rng.gen_range(0..CATEGORIES.len())].0,
                region_id,
                starts_at,
                ends_at: starts_at + Duration::hours(4),
                beneficiaries: rng.gen_range(0..30),
            });
        }
        let ids = bulk::activities(&db.pool, &held).await?;
        let mut served = Vec::with_capacity(n * PER_ACTIVITY);
        for (a, id) in held.iter().zip(ids) {
            let Some(team) = by_village.get(&a.region_id).filter(|t| !t.is_empty()) else { continue };
            let start = rng.gen_range(0..team.len());
            for k in 0..PER_ACTIVITY.min(team.len()) {
                if made_records + served.len() >= records as usize {
                    break;
                }
                served.push(bulk::Served {
                    volunteer_id: team[(start + k) % team.len()],
                    activity_id: id,
                    category: a.category,
                    region_id: a.region_id,
                    started_at: a.starts_at,
                    minutes: rng.gen_range(60..=240),
                });
            }
        }
        bulk::service_records(&db.pool, &served).await?;
        made_activities += n;
        made_records += served.len();
    }
    bulk::rebuild_tallies(&db.pool).await?;
    bulk::analyze(&db.pool).await?;
    Ok(CountyLoad {
        county_id: county.id,
        towns: towns as usize,
        villages: villages.len(),
        volunteers: volunteers as usize,
        activities: made_activities,
        records: made_records,
    })
}
