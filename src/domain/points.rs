//! Points are not hours. Earning rules are a town setting; every entry in the
//! ledger has a source and a unique key, so the same service never pays twice.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EarningRules {
    /// Points for each hour served.
    pub per_hour: f64,
    /// Extra points for each hour in emergencies (flood relief, rescue).
    pub emergency_bonus_per_hour: f64,
    /// At most this many points from one activity or need for one person; 0 = no cap.
    pub cap_per_service: i64,
}

impl Default for EarningRules {
    fn default() -> Self {
        EarningRules { per_hour: 10.0, emergency_bonus_per_hour: 5.0, cap_per_service: 0 }
    }
}

impl EarningRules {
    /// Points earned by one service record.
    pub fn earn(&self, minutes: i64, emergency: bool) -> i64 {
        let hours = minutes.max(0) as f64 / 60.0;
        let mut p = hours * self.per_hour;
        if emergency {
            p += hours * self.emergency_bonus_per_hour;
        }
        let p = p.round() as i64;
        if self.cap_per_service > 0 {
            p.min(self.cap_per_service)
        } else {
            p
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earning_follows_the_rules() {
        let r = EarningRules::default();
        assert_eq!(r.earn(180, false), 30);
        assert_eq!(r.earn(180, true), 45);
        assert_eq!(r.earn(0, true), 0);
        let capped = EarningRules { cap_per_service: 20, ..r };
        assert_eq!(capped.earn(180, false), 20);
    }
}
