//! Service hours as the national rules for volunteer service records count them
//! (《志愿服务记录与证明出具办法（试行）》): hours actually served, travel left
//! out by default, records entered within 10 working days or flagged late, and
//! star levels by cumulative hours.

use super::activity::Check;
use super::validation::{Problem, Problems};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a service record was booked from.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum RecordSource {
    Activity,
    Need,
}

impl RecordSource {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordSource::Activity => "activity",
            RecordSource::Need => "need",
        }
    }
}

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
    super::clock::local_date(t)
}

/// One service lasts at most a day; the end comes after the start.
fn check_span(
    f: &mut Check,
    end_field: &str,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    start_word: (&str, &str),
) {
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            f.push(Problem::about(end_field, start_word.0, start_word.1));
        }
        if e - s > Duration::hours(24) {
            f.push(Problem::about(end_field, "一次服务不能超过24小时", "one service lasts at most 24 hours"));
        }
    }
}

/// A correction of a service record: the times as they really were, and why.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CorrectionRequest {
    /// A time with offset.
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub started_at: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub ended_at: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub reason: Option<String>,
}

pub struct Correction {
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub reason: String,
}

pub fn validate_correction(input: &CorrectionRequest) -> Result<Correction, Problems> {
    let mut f = Check::new();
    let started = f.time("started_at", input.started_at.as_deref());
    let ended = f.time("ended_at", input.ended_at.as_deref());
    let reason = f.required_text("reason", input.reason.as_deref(), 500);
    let started = f.require("started_at", started);
    let ended = f.require("ended_at", ended);
    check_span(&mut f, "ended_at", started, ended, ("应晚于开始时间", "must be after the start"));
    let v = match (started, ended, reason) {
        (Some(started_at), Some(ended_at), Some(reason)) => Some(Correction { started_at, ended_at, reason }),
        _ => None,
    };
    f.done(v)
}

/// One volunteer's attendance as a leader records it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AttendanceRequest {
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub volunteer_id: Option<i64>,
    /// A time with offset.
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub check_in: Option<String>,
    /// A time with offset; without it the volunteer is still there.
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub check_out: Option<String>,
}

/// A volunteer's attendance, checked on its own (the activity's hours are checked by the use case).
pub struct Attendance {
    pub volunteer_id: i64,
    pub check_in: DateTime<Utc>,
    pub check_out: Option<DateTime<Utc>>,
}

/// Reads an attendance; `more` adds the checks that need the activity.
pub fn validate_attendance(
    input: &AttendanceRequest,
    more: impl FnOnce(&mut Problems, Option<DateTime<Utc>>, Option<DateTime<Utc>>),
) -> Result<Attendance, Problems> {
    let mut f = Check::new();
    let volunteer_id = f.require("volunteer_id", input.volunteer_id);
    let check_in = f.time("check_in", input.check_in.as_deref());
    let check_out = f.time("check_out", input.check_out.as_deref());
    let check_in = f.require("check_in", check_in);
    check_span(&mut f, "check_out", check_in, check_out, ("应晚于签到时间", "must be after the check-in"));
    more(&mut f.problems, check_in, check_out);
    let v = match (volunteer_id, check_in) {
        (Some(volunteer_id), Some(check_in)) => Some(Attendance { volunteer_id, check_in, check_out }),
        _ => None,
    };
    f.done(v)
}

/// A training attended, kept apart from service.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TrainingInput {
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub organiser: Option<String>,
    /// YYYY-MM-DD
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub held_on: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::input::de::float")]
    pub hours: Option<f64>,
}

pub struct NewTraining {
    pub title: String,
    pub organiser: Option<String>,
    pub held_on: NaiveDate,
    pub hours: Option<f64>,
}

pub fn validate_training(input: &TrainingInput) -> Result<NewTraining, Problems> {
    let mut f = Check::new();
    let title = f.required_text("title", input.title.as_deref(), 100);
    let organiser = f.text("organiser", input.organiser.as_deref(), 100);
    let held_on = f.date("held_on", input.held_on.as_deref());
    let held_on = f.require("held_on", held_on);
    if input.hours.is_some_and(|h| !(0.0..=200.0).contains(&h)) {
        f.push(Problem::about("hours", "应在0到200之间", "must be between 0 and 200"));
    }
    let v = match (title, held_on) {
        (Some(title), Some(held_on)) => Some(NewTraining { title, organiser, held_on, hours: input.hours }),
        _ => None,
    };
    f.done(v)
}

/// An award or honour, with the body that gave it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AwardInput {
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub awarded_by: Option<String>,
    /// YYYY-MM-DD
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub awarded_on: Option<String>,
}

pub struct NewAward {
    pub title: String,
    pub awarded_by: String,
    pub awarded_on: NaiveDate,
}

pub fn validate_award(input: &AwardInput) -> Result<NewAward, Problems> {
    let mut f = Check::new();
    let title = f.required_text("title", input.title.as_deref(), 100);
    let by = f.required_text("awarded_by", input.awarded_by.as_deref(), 100);
    let on = f.date("awarded_on", input.awarded_on.as_deref());
    let on = f.require("awarded_on", on);
    match (title, by, on) {
        // as before: a complete award is taken even beside a problem of another field
        (Some(title), Some(awarded_by), Some(awarded_on)) => Ok(NewAward { title, awarded_by, awarded_on }),
        _ => Err(f.problems),
    }
}

/// What a leader records after an activity: how many it reached.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OutcomesInput {
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub beneficiaries: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub audience: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub households_relocated: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub persons_relocated: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub notes: Option<String>,
}

pub struct Outcomes {
    pub beneficiaries: i64,
    pub audience: i64,
    pub households_relocated: i64,
    pub persons_relocated: i64,
    pub notes: Option<String>,
}

pub fn validate_outcomes(input: &OutcomesInput) -> Result<Outcomes, Problems> {
    let mut f = Check::new();
    let count = |f: &mut Check, k: &str, v: Option<i64>| {
        let v = v.unwrap_or(0);
        if !(0..=10_000_000).contains(&v) {
            f.push(Problem::about(k, "不能为负数", "must not be negative"));
        }
        v
    };
    let o = Outcomes {
        beneficiaries: count(&mut f, "beneficiaries", input.beneficiaries),
        audience: count(&mut f, "audience", input.audience),
        households_relocated: count(&mut f, "households_relocated", input.households_relocated),
        persons_relocated: count(&mut f, "persons_relocated", input.persons_relocated),
        notes: f.text("notes", input.notes.as_deref(), 2000),
    };
    f.done(Some(o))
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
