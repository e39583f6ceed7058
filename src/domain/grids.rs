//! Grid governance (网格化治理): what each grid's workers filed and saw done in
//! a period.

use super::clock::local_date;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// One need filed in a grid, as far as the tally cares.
pub struct Case {
    pub grid_id: i64,
    pub category: String,
    pub filed_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    pub filed: i64,
    pub completed: i64,
    /// Cases filed in the period, by category.
    pub by_category: BTreeMap<String, i64>,
}

/// Counts per grid: a case is filed in the period when its `filed_at` falls on
/// a local day inside it, and completed likewise by `completed_at`; the two are
/// counted apart, so a case filed last month and finished this month counts as
/// completed only.
pub fn tally(cases: &[Case], from: NaiveDate, to: NaiveDate) -> BTreeMap<i64, Tally> {
    let within = |t: DateTime<Utc>| {
        let d = local_date(t);
        from <= d && d <= to
    };
    let mut out: BTreeMap<i64, Tally> = BTreeMap::new();
    for c in cases {
        if within(c.filed_at) {
            let t = out.entry(c.grid_id).or_default();
            t.filed += 1;
            *t.by_category.entry(c.category.clone()).or_default() += 1;
        }
        if c.completed_at.is_some_and(within) {
            out.entry(c.grid_id).or_default().completed += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
    }

    #[test]
    fn local_days_decide_the_period() {
        let from = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        let to = NaiveDate::from_ymd_opt(2026, 3, 31).expect("date");
        let cases = [
            // 1 March 07:00 in the town, still February in UTC
            Case {
                grid_id: 1,
                category: "social_governance".into(),
                filed_at: at("2026-02-28T23:00:00Z"),
                completed_at: Some(at("2026-03-02T02:00:00Z")),
            },
            // filed before the period, finished inside it
            Case {
                grid_id: 1,
                category: "safety_patrol".into(),
                filed_at: at("2026-02-10T02:00:00Z"),
                completed_at: Some(at("2026-03-05T02:00:00Z")),
            },
            // 1 April 01:00 in the town
            Case { grid_id: 2, category: "other".into(), filed_at: at("2026-03-31T17:00:00Z"), completed_at: None },
        ];
        let t = tally(&cases, from, to);
        let one = &t[&1];
        assert_eq!((one.filed, one.completed), (1, 2));
        assert_eq!(one.by_category.get("social_governance"), Some(&1));
        assert_eq!(one.by_category.get("safety_patrol"), None);
        assert!(!t.contains_key(&2));
    }
}
