//! Points are not hours. Earning rules are a town setting; every entry in the
//! ledger has a source and a unique key, so the same service never pays twice.

use super::category::is_emergency;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarningRules {
    /// Points for each hour served.
    pub per_hour: f64,
    /// Extra points for each hour in emergencies (flood relief, rescue).
    pub emergency_bonus_per_hour: f64,
    /// At most this many points from one activity or need for one person; 0 = no cap.
    pub cap_per_service: i64,
    /// Extra points an hour for particular kinds of service, by category code
    /// (e.g. `care_visit`), on top of `per_hour`.
    #[serde(default)]
    pub per_category: BTreeMap<String, f64>,
}

impl Default for EarningRules {
    fn default() -> Self {
        EarningRules {
            per_hour: 10.0,
            emergency_bonus_per_hour: 5.0,
            cap_per_service: 0,
            per_category: BTreeMap::new(),
        }
    }
}

impl EarningRules {
    /// Points earned by one service record of a category.
    pub fn earn(&self, minutes: i64, category: &str) -> i64 {
        let hours = minutes.max(0) as f64 / 60.0;
        let mut rate = self.per_hour + self.per_category.get(category).copied().unwrap_or(0.0);
        if is_emergency(category) {
            rate += self.emergency_bonus_per_hour;
        }
        let p = (hours * rate).round() as i64;
        if self.cap_per_service > 0 {
            p.min(self.cap_per_service)
        } else {
            p
        }
    }

    /// Every rate within 0..=1000 points an hour and a cap within reason.
    pub fn is_sane(&self) -> bool {
        let rate = |r: f64| (0.0..=1000.0).contains(&r);
        rate(self.per_hour)
            && rate(self.emergency_bonus_per_hour)
            && (0..=1_000_000).contains(&self.cap_per_service)
            && self.per_category.iter().all(|(c, r)| super::category::category_code(c) == Some(c.as_str()) && rate(*r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earning_follows_the_rules() {
        let r = EarningRules::default();
        assert_eq!(r.earn(180, "lecture"), 30);
        assert_eq!(r.earn(180, "flood_relief"), 45);
        assert_eq!(r.earn(0, "emergency_rescue"), 0);
        let capped = EarningRules { cap_per_service: 20, ..r.clone() };
        assert_eq!(capped.earn(180, "lecture"), 20);
        let caring = EarningRules { per_category: [("care_visit".to_string(), 4.0)].into(), ..r };
        assert_eq!(caring.earn(60, "care_visit"), 14);
        assert_eq!(caring.earn(60, "lecture"), 10);
        assert!(caring.is_sane());
        let odd = EarningRules { per_category: [("karaoke".to_string(), 4.0)].into(), ..EarningRules::default() };
        assert!(!odd.is_sane());
    }
}
