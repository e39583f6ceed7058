//! Check-in in the field: whether a phone was where the activity is, the
//! code on the leader's screen that changes every 30 seconds, and which
//! original times a phone that lost its signal may still report.

use super::geo::LatLon;
use super::validation::Problem;
use chrono::{DateTime, Duration, Utc};

/// How far from the activity a phone may check in, unless the town sets otherwise.
pub const DEFAULT_RADIUS_M: i64 = 500;
/// The town may set 50 m to 5 km (a village square to a whole valley's flood line).
pub const RADIUS_RANGE: std::ops::RangeInclusive<i64> = 50..=5000;
/// The leader's code changes this often…
pub const CODE_SECONDS: i64 = 30;
/// …and a code is still taken during the window after its own, so one read
/// at the end of its 30 seconds is not refused while the phone sends it.
pub const CODE_WINDOWS_ACCEPTED: i64 = 2;
/// A phone's clock may run this much ahead of the server's.
pub const CLOCK_SKEW_MINUTES: i64 = 2;

/// The window a moment falls in; the code of a window is signed by the server.
pub fn code_window(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(CODE_SECONDS)
}

/// Seconds until the code shown at `at` changes.
pub fn seconds_left(at: DateTime<Utc>) -> i64 {
    CODE_SECONDS - at.timestamp().rem_euclid(CODE_SECONDS)
}

/// The windows whose code is good at `at`: its own and the one before.
pub fn accepted_windows(at: DateTime<Utc>) -> impl Iterator<Item = i64> {
    let w = code_window(at);
    (0..CODE_WINDOWS_ACCEPTED).map(move |i| w - i)
}

/// What the phone's position says about presence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Presence {
    /// Within the radius: accepted, the distance kept.
    Near { distance_m: i64 },
    /// Farther than the radius: refused, with the distance said.
    TooFar { distance_m: i64, radius_m: i64 },
    /// No position (none given, or the activity has no place on the map):
    /// accepted, for the leader to confirm.
    Unknown,
}

/// Judges a check-in's position against the activity's place. Only the
/// distance leaves this function; the position itself is never kept.
pub fn judge(phone: Option<LatLon>, place: Option<LatLon>, radius_m: i64) -> Presence {
    match (phone, place) {
        (Some(p), Some(q)) => {
            let d = (p.distance_km(q) * 1000.0).round() as i64;
            if d <= radius_m {
                Presence::Near { distance_m: d }
            } else {
                Presence::TooFar { distance_m: d, radius_m }
            }
        }
        _ => Presence::Unknown,
    }
}

/// A distance as people say it: `350 米`, `1.2 公里`.
pub fn distance_text(m: i64) -> (String, String) {
    if m < 1000 {
        (format!("{m} 米"), format!("{m} m"))
    } else {
        let km = m as f64 / 1000.0;
        (format!("{km:.1} 公里"), format!("{km:.1} km"))
    }
}

/// The position a phone sent: both coordinates, in range, or none at all.
pub fn position(lat: Option<f64>, lon: Option<f64>) -> Option<LatLon> {
    let mut ignored = super::validation::Problems::new();
    LatLon::parse_pair(lat, lon, &mut ignored).filter(|_| ignored.is_empty())
}

/// Whether an action that happened at `at` (by the phone's clock) may be
/// recorded now for an activity from `starts` to `ends`: not in the future,
/// and from two hours before the start to `grace_hours` after the end.
pub fn original_time_allowed(
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    grace_hours: i64,
) -> Result<(), Problem> {
    if at > now + Duration::minutes(CLOCK_SKEW_MINUTES) {
        return Err(Problem::new(
            "at",
            "记录时间不能晚于现在（请检查手机时间）",
            "The time cannot be in the future (check the phone's clock)",
        ));
    }
    if at < starts - Duration::hours(2) || at > ends + Duration::hours(grace_hours) {
        return Err(Problem::new("at", "记录时间不在活动时间内", "The time is outside the activity's hours"));
    }
    Ok(())
}

/// An idempotency key as a phone makes it: 16 to 64 letters, digits, `-` or `_`.
pub fn key_ok(key: &str) -> bool {
    (16..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_in_the_square_is_near_and_one_across_the_valley_is_not() {
        let square = LatLon { lat: 33.3700, lon: 111.6400 };
        let near = LatLon { lat: 33.3720, lon: 111.6410 }; // ~240 m
        let far = LatLon { lat: 33.3800, lon: 111.6400 }; // ~1.1 km
        assert!(
            matches!(judge(Some(near), Some(square), 500), Presence::Near { distance_m } if (200..300).contains(&distance_m))
        );
        assert!(
            matches!(judge(Some(far), Some(square), 500), Presence::TooFar { distance_m, radius_m: 500 } if distance_m > 1000)
        );
        assert_eq!(judge(None, Some(square), 500), Presence::Unknown);
        assert_eq!(judge(Some(near), None, 500), Presence::Unknown);
        assert_eq!(distance_text(1112).0, "1.1 公里");
        assert_eq!(distance_text(240).1, "240 m");
    }

    #[test]
    fn a_code_lives_for_its_window_and_the_next() {
        let t = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        let w = code_window(t);
        assert_eq!(accepted_windows(t).collect::<Vec<_>>(), vec![w, w - 1]);
        assert_eq!(code_window(t + Duration::seconds(CODE_SECONDS)), w + 1);
        assert!((1..=CODE_SECONDS).contains(&seconds_left(t)));
    }

    #[test]
    fn original_times_stay_within_the_activity() {
        let starts = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        let ends = starts + Duration::hours(3);
        let now = ends + Duration::hours(1);
        assert!(original_time_allowed(starts + Duration::minutes(5), now, starts, ends, 2).is_ok());
        assert!(original_time_allowed(starts - Duration::hours(3), now, starts, ends, 2).is_err());
        assert!(original_time_allowed(ends + Duration::hours(3), ends + Duration::hours(4), starts, ends, 2).is_err());
        assert!(original_time_allowed(now + Duration::minutes(10), now, starts, ends, 20).is_err());
    }

    #[test]
    fn keys_are_what_a_phone_makes() {
        assert!(key_ok("k-0f8c2e6a-91b1-4c1e"));
        assert!(!key_ok("short"));
        assert!(!key_ok("has spaces in it, which no"));
    }
}
