//! Points are not hours. Earning rules are a town setting; every entry in the
//! ledger has a source and a unique key, so the same service never pays twice.

use super::category::is_emergency;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Where a ledger entry comes from: service earned it, the shop spent it, or
/// staff adjusted it by hand with a reason.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum LedgerSource {
    ServiceRecord,
    Redemption,
    Adjustment,
}

impl LedgerSource {
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerSource::ServiceRecord => "service_record",
            LedgerSource::Redemption => "redemption",
            LedgerSource::Adjustment => "adjustment",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [LedgerSource::ServiceRecord, LedgerSource::Redemption, LedgerSource::Adjustment]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            LedgerSource::ServiceRecord => ("志愿服务", "Service"),
            LedgerSource::Redemption => ("爱心超市兑换", "Redemption"),
            LedgerSource::Adjustment => ("人工调整", "Adjustment"),
        }
    }
}

/// The ledger's column as stored (read through `#[sqlx(try_from = "String")]`).
impl TryFrom<String> for LedgerSource {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        LedgerSource::parse(&s).ok_or_else(|| format!("unknown ledger source {s:?}"))
    }
}

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
    fn ledger_sources_round_trip_as_text() {
        for k in [LedgerSource::ServiceRecord, LedgerSource::Redemption, LedgerSource::Adjustment] {
            assert_eq!(LedgerSource::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).ok(), Some(serde_json::Value::String(k.as_str().into())));
        }
    }

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
