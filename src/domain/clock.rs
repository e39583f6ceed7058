//! Beijing time in one place. Instants are stored in UTC; towns read and type
//! them in China Standard Time (UTC+8, no daylight saving). Every turn from one
//! to the other, and every way a time is written for people, is here.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// China Standard Time.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!()))
}

/// An instant as the wall clock in the towns shows it.
pub fn local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&beijing()).naive_local()
}

/// The day an instant falls on in the towns.
pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    local(t).date()
}

/// Today where the towns are, which decides "today" for rules such as "a
/// discharge date cannot be in the future".
pub fn today() -> NaiveDate {
    local_date(Utc::now())
}

/// A wall-clock time typed in the towns, as an instant.
pub fn from_local(t: NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&(t - Duration::hours(8)))
}

/// The first instant of a local day.
pub fn day_start(d: NaiveDate) -> DateTime<Utc> {
    from_local(d.and_time(NaiveTime::MIN))
}

/// The first instant of the local day after `d`: `[day_start(d), day_end(d))` is the whole day.
pub fn day_end(d: NaiveDate) -> DateTime<Utc> {
    day_start(d) + Duration::days(1)
}

/// `2026-05-01 08:30`, for lists and records.
pub fn minute_text(t: DateTime<Utc>) -> String {
    local(t).format("%Y-%m-%d %H:%M").to_string()
}

/// `08:30`, for check-in columns and times on a known day.
pub fn clock_text(t: DateTime<Utc>) -> String {
    local(t).format("%H:%M").to_string()
}

/// `2026年05月01日`, for certificates and printed forms.
pub fn date_text_zh(t: DateTime<Utc>) -> String {
    local(t).format("%Y年%m月%d日").to_string()
}

/// `2026-05-01T08:30`, the value an `<input type=datetime-local>` shows.
pub fn input_value(t: DateTime<Utc>) -> String {
    local(t).format("%Y-%m-%dT%H:%M").to_string()
}

/// An instant written with the Beijing offset, `2026-05-01T08:30:00+08:00`.
pub fn rfc3339_local(t: DateTime<Utc>) -> String {
    t.with_timezone(&beijing()).to_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    }

    #[test]
    fn late_evening_utc_is_the_next_morning_in_the_towns() {
        let t = utc("2026-04-30T23:30:00Z");
        assert_eq!(local_date(t), NaiveDate::from_ymd_opt(2026, 5, 1).unwrap_or_default());
        assert_eq!(minute_text(t), "2026-05-01 07:30");
        assert_eq!(clock_text(t), "07:30");
        assert_eq!(date_text_zh(t), "2026年05月01日");
        assert_eq!(input_value(t), "2026-05-01T07:30");
        assert_eq!(rfc3339_local(t), "2026-05-01T07:30:00+08:00");
    }

    #[test]
    fn local_and_back_is_the_same_instant() {
        let t = utc("2026-12-31T17:05:00Z");
        assert_eq!(from_local(local(t)), t);
        let d = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap_or_default();
        assert_eq!(day_start(d), t - Duration::minutes(65));
        assert_eq!(day_end(d) - day_start(d), Duration::days(1));
    }
}
