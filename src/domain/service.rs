//! Service hours as the national rules for volunteer service records count them
//! (《志愿服务记录与证明出具办法（试行）》): hours actually served, travel left
//! out by default, records entered within 10 working days or flagged late, and
//! star levels by cumulative hours.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// Minutes served between two instants, less travel unless the town counts it.
pub fn served_minutes(started: DateTime<Utc>, ended: DateTime<Utc>, travel_minutes: i64, count_travel: bool) -> i64 {
    let total = (ended - started).num_minutes().max(0);
    if count_travel {
        total
    } else {
        (total - travel_minutes.max(0)).max(0)
    }
}

/// Decimal hours, to two places, from whole minutes.
pub fn hours(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

/// Working days as the town's calendar has them: weekends off, public holidays
/// off, and the weekend days worked in exchange (调休) on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    #[serde(default)]
    pub workdays: Vec<NaiveDate>,
}

impl Calendar {
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        if self.holidays.contains(&d) {
            return false;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// Working days after `from` up to and including `to`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d += Duration::days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

pub const LATE_AFTER_WORKING_DAYS: i64 = 10;

/// A record entered more than ten working days after the service is accepted
/// but flagged late.
pub fn is_late(service_day: NaiveDate, entered_day: NaiveDate, cal: &Calendar) -> bool {
    cal.working_days_between(service_day, entered_day) > LATE_AFTER_WORKING_DAYS
}

pub const DEFAULT_STAR_HOURS: [f64; 5] = [100.0, 300.0, 600.0, 1000.0, 1500.0];

/// One to five stars at the town's thresholds (default 100/300/600/1000/1500 hours).
pub fn star_level(total_hours: f64, thresholds: &[f64; 5]) -> u8 {
    thresholds.iter().filter(|t| total_hours >= **t).count() as u8
}

/// Thresholds must rise strictly and be positive.
pub fn valid_thresholds(t: &[f64; 5]) -> bool {
    t[0] > 0.0 && t.windows(2).all(|w| w[0] < w[1])
}

/// The calendar day of an instant where the towns are (UTC+8).
pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    (t + Duration::hours(8)).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn travel_is_left_out_unless_counted() {
        let a = DateTime::parse_from_rfc3339("2026-05-01T08:00:00+08:00").expect("t").to_utc();
        let b = DateTime::parse_from_rfc3339("2026-05-01T11:30:00+08:00").expect("t").to_utc();
        assert_eq!(served_minutes(a, b, 30, false), 180);
        assert_eq!(served_minutes(a, b, 30, true), 210);
        assert_eq!(served_minutes(b, a, 0, false), 0);
        assert_eq!(hours(190), 3.17);
    }

    #[test]
    fn ten_working_days_skip_weekends_and_holidays() {
        let cal = Calendar::default();
        // Monday 2 Nov 2026: ten working days later is Monday 16 Nov
        assert!(!is_late(d("2026-11-02"), d("2026-11-16"), &cal));
        assert!(is_late(d("2026-11-02"), d("2026-11-17"), &cal));
        let with_holiday = Calendar { holidays: vec![d("2026-11-10")], workdays: vec![] };
        assert!(!is_late(d("2026-11-02"), d("2026-11-17"), &with_holiday), "a holiday does not count");
        let with_makeup = Calendar { holidays: vec![], workdays: vec![d("2026-11-07")] };
        assert!(is_late(d("2026-11-02"), d("2026-11-16"), &with_makeup), "a make-up Saturday counts");
    }

    #[test]
    fn star_levels_at_default_thresholds() {
        let t = DEFAULT_STAR_HOURS;
        assert_eq!(star_level(0.0, &t), 0);
        assert_eq!(star_level(99.99, &t), 0);
        assert_eq!(star_level(100.0, &t), 1);
        assert_eq!(star_level(650.0, &t), 3);
        assert_eq!(star_level(5000.0, &t), 5);
        assert!(!valid_thresholds(&[100.0, 100.0, 600.0, 1000.0, 1500.0]));
    }

    proptest! {
        #[test]
        fn stars_never_fall_as_hours_grow(a in 0.0f64..3000.0, b in 0.0f64..3000.0) {
            let (lo, hi) = if a < b { (a, b) } else { (b, a) };
            prop_assert!(star_level(lo, &DEFAULT_STAR_HOURS) <= star_level(hi, &DEFAULT_STAR_HOURS));
        }
    }
}
