//! Matching volunteers to needs: skill fit (对口), exact fit (精准), distance
//! (就近) and fairness of workload, with the reasons said in Chinese.
//!
//! Suggestions for one need walk an R-tree outwards from the need's place, so
//! they stay fast with a million volunteers; a batch of needs is dispatched as
//! one optimal assignment (minimum total cost) over shortlists, which is never
//! worse than handing out the nearest volunteer need by need.

use super::geo::LatLon;
use super::volunteer::skill_label;
use pathfinding::prelude::{kuhn_munkres_min, Matrix};
use rstar::{primitives::GeomWithData, RTree};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// What the engine knows of a volunteer.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: i64,
    pub pos: Option<LatLon>,
    pub skills: Vec<String>,
    /// Active on the roster (not an applicant, not stopped).
    pub active: bool,
    /// Already booked at the need's time.
    pub busy: bool,
    /// Services in the last 30 days, so work is spread fairly.
    pub recent_load: u32,
}

#[derive(Debug, Clone)]
pub struct NeedSpec {
    pub pos: Option<LatLon>,
    pub required_skills: Vec<String>,
    pub volunteers_needed: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Suggestion {
    pub volunteer_id: i64,
    /// 0–100, higher is a better match.
    pub score: f64,
    pub distance_km: Option<f64>,
    pub reasons: Vec<String>,
}

/// Beyond this a volunteer is not "nearby" for everyday needs.
pub const NEAR_KM: f64 = 10.0;

fn skills_text(skills: &[&String]) -> String {
    skills.iter().map(|s| skill_label(s).0.to_string()).collect::<Vec<_>>().join("、")
}

/// Scores one candidate, or `None` when they cannot take the need at all.
pub fn score(need: &NeedSpec, c: &Candidate) -> Option<Suggestion> {
    if !c.active || c.busy {
        return None;
    }
    let matched: Vec<&String> = need.required_skills.iter().filter(|s| c.skills.contains(s)).collect();
    let missing: Vec<&String> = need.required_skills.iter().filter(|s| !c.skills.contains(s)).collect();
    let skill_fit =
        if need.required_skills.is_empty() { 1.0 } else { matched.len() as f64 / need.required_skills.len() as f64 };
    let exact = missing.is_empty();
    let distance_km = match (need.pos, c.pos) {
        (Some(a), Some(b)) => Some(a.distance_km(b)),
        _ => None,
    };
    let near = distance_km.map(|d| (-d / NEAR_KM).exp()).unwrap_or(0.4);
    let fairness = 1.0 / (1.0 + f64::from(c.recent_load) / 2.0);
    let raw = 0.45 * skill_fit + 0.15 * f64::from(u8::from(exact)) + 0.30 * near + 0.10 * fairness;
    let mut reasons = Vec::new();
    if need.required_skills.is_empty() {
        reasons.push("无特殊技能要求".to_string());
    } else if !matched.is_empty() {
        reasons.push(format!(
            "对口：具备{}（{}/{}）",
            skills_text(&matched),
            matched.len(),
            need.required_skills.len()
        ));
    }
    if exact && !need.required_skills.is_empty() {
        reasons.push("精准：完全符合技能要求".to_string());
    } else if !missing.is_empty() {
        reasons.push(format!("缺少{}", skills_text(&missing)));
    }
    match distance_km {
        Some(d) => reasons.push(format!("就近：距离{d:.1}公里")),
        None => reasons.push("位置不详".to_string()),
    }
    reasons.push(if c.recent_load == 0 {
        "近30天未服务，可优先安排".to_string()
    } else {
        format!("近30天已服务{}次", c.recent_load)
    });
    Some(Suggestion {
        volunteer_id: c.id,
        score: (raw * 1000.0).round() / 10.0,
        distance_km: distance_km.map(|d| (d * 100.0).round() / 100.0),
        reasons,
    })
}

/// Ranks every candidate (a town's roster): best first, at most `limit`.
pub fn rank(need: &NeedSpec, candidates: &[Candidate], limit: usize) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = candidates.iter().filter_map(|c| score(need, c)).collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.volunteer_id.cmp(&b.volunteer_id)));
    out.truncate(limit);
    out
}

/// A point on the unit sphere: straight-line distance there grows with the
/// great-circle distance, so an R-tree over these finds the nearest on earth.
fn xyz(p: LatLon) -> [f64; 3] {
    let (la, lo) = (p.lat.to_radians(), p.lon.to_radians());
    [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
}

/// Volunteers with a position, indexed for nearest-first walks.
pub struct VolunteerIndex {
    tree: RTree<GeomWithData<[f64; 3], usize>>,
    candidates: Vec<Candidate>,
}

impl VolunteerIndex {
    pub fn new(candidates: Vec<Candidate>) -> Self {
        let points =
            candidates.iter().enumerate().filter_map(|(i, c)| c.pos.map(|p| GeomWithData::new(xyz(p), i))).collect();
        VolunteerIndex { tree: RTree::bulk_load(points), candidates }
    }

    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// Candidates nearest to `pos` first.
    pub fn nearest(&self, pos: LatLon) -> impl Iterator<Item = &Candidate> + '_ {
        self.tree.nearest_neighbor_iter(&xyz(pos)).map(move |g| &self.candidates[g.data])
    }

    /// Suggestions for one need, the same as ranking everyone, found by
    /// walking outwards from the need and stopping as soon as nobody farther
    /// away could still make the list (branch and bound on the distance term).
    pub fn suggest(&self, need: &NeedSpec, limit: usize, max_km: f64) -> Vec<Suggestion> {
        let Some(pos) = need.pos else { return rank(need, &self.candidates, limit) };
        let mut seen: Vec<Suggestion> = Vec::new();
        for (n, c) in self.nearest(pos).enumerate() {
            let d = c.pos.map(|p| p.distance_km(pos)).unwrap_or(0.0);
            if d > max_km {
                break;
            }
            if n % 32 == 31 && seen.len() >= limit {
                seen.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.volunteer_id.cmp(&b.volunteer_id)));
                seen.truncate(limit);
                // the best anyone this far or farther can score: every skill, no load
                let bound = ((0.45 + 0.15 + 0.10 + 0.30 * (-d / NEAR_KM).exp()) * 1000.0).round() / 10.0;
                if bound < seen[limit - 1].score {
                    break;
                }
            }
            if let Some(s) = score(need, c) {
                seen.push(s);
            }
        }
        seen.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.volunteer_id.cmp(&b.volunteer_id)));
        seen.truncate(limit);
        seen
    }
}

/// Cost of sending a volunteer to a need in a batch: metres to travel plus a
/// fairness surcharge; `None` when they cannot do it (busy, missing a skill).
pub fn cost(need: &NeedSpec, c: &Candidate) -> Option<i64> {
    if !c.active || c.busy || !need.required_skills.iter().all(|s| c.skills.contains(s)) {
        return None;
    }
    let metres = match (need.pos, c.pos) {
        (Some(a), Some(b)) => (a.distance_km(b) * 1000.0).round() as i64,
        _ => 20_000,
    };
    Some(metres + 2_000 * i64::from(c.recent_load))
}

/// needs[i] gets the volunteers in `assigned[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub assigned: Vec<Vec<i64>>,
    pub total_cost: i64,
}

impl Assignment {
    pub fn filled(&self) -> usize {
        self.assigned.iter().map(Vec::len).sum()
    }
}

/// Need by need, each takes its cheapest free volunteers: the baseline.
pub fn greedy(needs: &[NeedSpec], index: &VolunteerIndex, shortlist: usize) -> Assignment {
    let mut taken = std::collections::HashSet::new();
    let mut assigned = vec![Vec::new(); needs.len()];
    let mut total = 0;
    for (i, need) in needs.iter().enumerate() {
        let mut options: Vec<(i64, i64)> =
            shortlist_for(need, index, shortlist).into_iter().filter(|(id, _)| !taken.contains(id)).collect();
        options.sort_by_key(|(id, c)| (*c, *id));
        for (id, c) in options.into_iter().take(need.volunteers_needed as usize) {
            taken.insert(id);
            assigned[i].push(id);
            total += c;
        }
    }
    Assignment { assigned, total_cost: total }
}

/// The `k` nearest volunteers able to take the need, with their costs.
fn shortlist_for(need: &NeedSpec, index: &VolunteerIndex, k: usize) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let iter: Box<dyn Iterator<Item = &Candidate>> = match need.pos {
        Some(p) => Box::new(index.nearest(p)),
        None => Box::new(index.candidates.iter()),
    };
    for (scanned, c) in iter.enumerate() {
        if let Some(cost) = cost(need, c) {
            out.push((c.id, cost));
            if out.len() >= k {
                break;
            }
        }
        if scanned > 50 * k + 1000 {
            break;
        }
    }
    out
}

const UNFILLABLE: i64 = 1_000_000_000;

/// Optimal batch dispatch: every need split into its slots; each slot may take
/// a volunteer from its shortlist; slots that share no volunteer are solved
/// apart (connected components), each by the Hungarian algorithm. Slots may
/// stay empty when no one fits. Maximises filled slots first, then minimises
/// total cost, so it fills at least as many as greedy at no greater cost for
/// the same number filled.
pub fn assign(needs: &[NeedSpec], index: &VolunteerIndex, shortlist: usize) -> Assignment {
    // slot -> need, and each slot's options
    let mut slots: Vec<usize> = Vec::new();
    let mut options: Vec<Vec<(i64, i64)>> = Vec::new();
    for (i, need) in needs.iter().enumerate() {
        let opts = shortlist_for(need, index, shortlist.max(need.volunteers_needed as usize * 2));
        for _ in 0..need.volunteers_needed {
            slots.push(i);
            options.push(opts.clone());
        }
    }
    // union-find over slots joined by shared volunteers
    let mut parent: Vec<usize> = (0..slots.len()).collect();
    fn find(p: &mut [usize], x: usize) -> usize {
        let mut r = x;
        while p[r] != r {
            r = p[r];
        }
        let mut y = x;
        while p[y] != r {
            let next = p[y];
            p[y] = r;
            y = next;
        }
        r
    }
    let mut owner: HashMap<i64, usize> = HashMap::new();
    for (s, opts) in options.iter().enumerate() {
        for (v, _) in opts {
            match owner.get(v) {
                Some(&t) => {
                    let (a, b) = (find(&mut parent, s), find(&mut parent, t));
                    parent[a] = b;
                }
                None => {
                    owner.insert(*v, s);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for s in 0..slots.len() {
        let r = find(&mut parent, s);
        groups.entry(r).or_default().push(s);
    }
    let mut assigned = vec![Vec::new(); needs.len()];
    let mut total = 0;
    let mut keys: Vec<usize> = groups.keys().copied().collect();
    keys.sort_unstable();
    for k in keys {
        let group = &groups[&k];
        let mut vols: Vec<i64> = group.iter().flat_map(|s| options[*s].iter().map(|(v, _)| *v)).collect();
        vols.sort_unstable();
        vols.dedup();
        // one dummy column per slot, so every slot can stay empty at a high price
        let cols = vols.len() + group.len();
        let col_of: HashMap<i64, usize> = vols.iter().enumerate().map(|(i, v)| (*v, i)).collect();
        let mut m = Matrix::new(group.len(), cols, UNFILLABLE * 2);
        for (r, s) in group.iter().enumerate() {
            for (v, c) in &options[*s] {
                m[(r, col_of[v])] = *c;
            }
            m[(r, vols.len() + r)] = UNFILLABLE;
        }
        let (_, cols_for_rows) = kuhn_munkres_min(&m);
        for (r, col) in cols_for_rows.into_iter().enumerate() {
            if col < vols.len() && m[(r, col)] < UNFILLABLE {
                assigned[slots[group[r]]].push(vols[col]);
                total += m[(r, col)];
            }
        }
    }
    for a in &mut assigned {
        a.sort_unstable();
    }
    Assignment { assigned, total_cost: total }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn cand(id: i64, lat: f64, lon: f64, skills: &[&str]) -> Candidate {
        Candidate {
            id,
            pos: Some(LatLon { lat, lon }),
            skills: skills.iter().map(|s| s.to_string()).collect(),
            active: true,
            busy: false,
            recent_load: 0,
        }
    }

    fn need(lat: f64, lon: f64, skills: &[&str], n: u32) -> NeedSpec {
        NeedSpec {
            pos: Some(LatLon { lat, lon }),
            required_skills: skills.iter().map(|s| s.to_string()).collect(),
            volunteers_needed: n,
        }
    }

    #[test]
    fn skill_fit_beats_a_few_hundred_metres() {
        let n = need(33.36, 111.63, &["swimming"], 1);
        let swimmer = cand(1, 33.37, 111.63, &["swimming"]);
        let neighbour = cand(2, 33.3601, 111.6301, &["driving"]);
        let ranked = rank(&n, &[neighbour, swimmer], 5);
        assert_eq!(ranked[0].volunteer_id, 1);
        assert!(ranked[0].reasons.iter().any(|r| r.contains("游泳")), "{:?}", ranked[0].reasons);
        assert!(ranked[0].reasons.iter().any(|r| r.contains("精准")));
        assert!(ranked[1].reasons.iter().any(|r| r.contains("缺少游泳")));
    }

    #[test]
    fn busy_and_inactive_volunteers_are_never_offered() {
        let n = need(33.36, 111.63, &[], 1);
        let mut busy = cand(1, 33.36, 111.63, &[]);
        busy.busy = true;
        let mut stopped = cand(2, 33.36, 111.63, &[]);
        stopped.active = false;
        assert!(rank(&n, &[busy, stopped], 5).is_empty());
    }

    #[test]
    fn fairness_prefers_who_served_less() {
        let n = need(33.36, 111.63, &[], 1);
        let mut tired = cand(1, 33.36, 111.63, &[]);
        tired.recent_load = 8;
        let fresh = cand(2, 33.36, 111.63, &[]);
        assert_eq!(rank(&n, &[tired, fresh], 1)[0].volunteer_id, 2);
    }

    #[test]
    fn the_index_agrees_with_a_linear_scan() {
        let mut rng = StdRng::seed_from_u64(7);
        let cands: Vec<Candidate> = (0..3000)
            .map(|i| {
                cand(
                    i,
                    33.0 + rng.gen_range(0.0..1.0),
                    111.0 + rng.gen_range(0.0..1.0),
                    if i % 7 == 0 { &["medical"] } else { &["driving"] },
                )
            })
            .collect();
        let index = VolunteerIndex::new(cands.clone());
        for _ in 0..20 {
            let n = need(33.0 + rng.gen_range(0.0..1.0), 111.0 + rng.gen_range(0.0..1.0), &["medical"], 2);
            let fast: Vec<i64> = index.suggest(&n, 5, 200.0).iter().map(|s| s.volunteer_id).collect();
            let slow: Vec<i64> = rank(&n, &cands, 5).iter().map(|s| s.volunteer_id).collect();
            assert_eq!(fast, slow);
        }
    }

    #[test]
    fn optimal_assignment_beats_greedy_where_greedy_is_short_sighted() {
        // needs at 0 and 1, volunteers at 0.6 and -0.7 (in hundredths of a degree):
        // greedy gives the first need the volunteer the second needs more
        let needs = vec![need(33.0, 111.00, &[], 1), need(33.0, 111.01, &[], 1)];
        let cands = vec![cand(1, 33.0, 111.006, &[]), cand(2, 33.0, 110.993, &[])];
        let index = VolunteerIndex::new(cands);
        let g = greedy(&needs, &index, 5);
        let o = assign(&needs, &index, 5);
        assert_eq!(g.assigned, vec![vec![1], vec![2]]);
        assert_eq!(o.assigned, vec![vec![2], vec![1]]);
        assert!(o.total_cost < g.total_cost, "optimal {} greedy {}", o.total_cost, g.total_cost);
    }

    #[test]
    fn optimal_is_never_worse_than_greedy_on_random_towns() {
        let mut rng = StdRng::seed_from_u64(42);
        for round in 0..30 {
            let cands: Vec<Candidate> = (0..120)
                .map(|i| {
                    let mut c = cand(
                        i,
                        33.3 + rng.gen_range(0.0..0.2),
                        111.5 + rng.gen_range(0.0..0.2),
                        if i % 3 == 0 { &["swimming", "driving"] } else { &["driving"] },
                    );
                    c.recent_load = rng.gen_range(0..4);
                    c
                })
                .collect();
            let index = VolunteerIndex::new(cands);
            let needs: Vec<NeedSpec> = (0..25)
                .map(|i| {
                    need(
                        33.3 + rng.gen_range(0.0..0.2),
                        111.5 + rng.gen_range(0.0..0.2),
                        if i % 4 == 0 { &["swimming"] } else { &[] },
                        rng.gen_range(1..4),
                    )
                })
                .collect();
            let g = greedy(&needs, &index, 15);
            let o = assign(&needs, &index, 15);
            assert!(o.filled() >= g.filled(), "round {round}: filled {} < {}", o.filled(), g.filled());
            if o.filled() == g.filled() {
                assert!(o.total_cost <= g.total_cost, "round {round}: {} > {}", o.total_cost, g.total_cost);
            }
            // nobody is sent twice
            let mut all: Vec<i64> = o.assigned.iter().flatten().copied().collect();
            let n = all.len();
            all.sort_unstable();
            all.dedup();
            assert_eq!(all.len(), n);
        }
    }
}
