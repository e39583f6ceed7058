//! Care visit campaigns (走访慰问): which recipients a campaign must reach, and
//! the default dates of the two campaigns every town runs each year.

use chrono::{Duration, NaiveDate};

/// The categories a recipient can be counted under.
pub const CATEGORIES: [&str; 4] = ["martyr_family", "veteran_in_difficulty", "disabled_veteran", "other"];

/// Those every campaign must reach in full unless the campaign says otherwise.
pub const DEFAULT_TARGETS: [&str; 3] = ["martyr_family", "veteran_in_difficulty", "disabled_veteran"];

pub const CAMPAIGN_KINDS: [&str; 3] = ["spring_festival", "army_day", "custom"];

/// The Spring Festival (正月初一) of the years a campaign is likely to be run
/// in; it follows the lunar calendar, so it is looked up rather than computed.
const SPRING_FESTIVALS: [(i32, u32, u32); 12] = [
    (2024, 2, 10),
    (2025, 1, 29),
    (2026, 2, 17),
    (2027, 2, 6),
    (2028, 1, 26),
    (2029, 2, 13),
    (2030, 2, 3),
    (2031, 1, 23),
    (2032, 2, 11),
    (2033, 1, 31),
    (2034, 2, 19),
    (2035, 2, 8),
];

/// The usual window and name of a yearly campaign: Spring Festival visits run
/// from the Little New Year week to the Lantern Festival, Army Day visits the
/// fortnight around 1 August. `None` for custom campaigns and unknown years.
pub fn default_campaign(kind: &str, year: i32) -> Option<(String, NaiveDate, NaiveDate)> {
    match kind {
        "spring_festival" => {
            let (_, m, d) = SPRING_FESTIVALS.iter().find(|(y, _, _)| *y == year)?;
            let day = NaiveDate::from_ymd_opt(year, *m, *d)?;
            Some((format!("{year}年春节走访慰问"), day - Duration::days(14), day + Duration::days(14)))
        }
        "army_day" => {
            let day = NaiveDate::from_ymd_opt(year, 8, 1)?;
            Some((format!("{year}年“八一”走访慰问"), day - Duration::days(10), day + Duration::days(4)))
        }
        _ => None,
    }
}

/// Whether a recipient with these categories is one a campaign aimed at them
/// must visit; someone in two targeted categories is still one person.
pub fn is_targeted(recipient: &[String], targets: &[String]) -> bool {
    recipient.iter().any(|c| targets.contains(c))
}

/// Visited share, 0..1; a campaign with nobody to visit is complete.
pub fn coverage(targeted: i64, visited: i64) -> f64 {
    if targeted == 0 {
        1.0
    } else {
        visited as f64 / targeted as f64
    }
}

/// Whether a visit on `on` counts for a campaign running `from..=to`.
pub fn counts(on: NaiveDate, from: NaiveDate, to: NaiveDate) -> bool {
    from <= on && on <= to
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn spring_festival_2026_runs_to_the_lantern_festival() {
        let (name, from, to) = default_campaign("spring_festival", 2026).expect("known year");
        assert_eq!(name, "2026年春节走访慰问");
        assert_eq!((from, to), (d("2026-02-03"), d("2026-03-03")));
        assert!(default_campaign("spring_festival", 1990).is_none());
    }

    #[test]
    fn army_day_surrounds_the_first_of_august() {
        let (_, from, to) = default_campaign("army_day", 2026).expect("any year");
        assert!(from < d("2026-08-01") && d("2026-08-01") <= to);
        assert!(default_campaign("custom", 2026).is_none());
    }

    #[test]
    fn two_categories_are_one_person() {
        let targets: Vec<String> = DEFAULT_TARGETS.iter().map(|s| s.to_string()).collect();
        let both = vec!["martyr_family".to_string(), "veteran_in_difficulty".to_string()];
        assert!(is_targeted(&both, &targets));
        assert!(!is_targeted(&["other".to_string()], &targets));
    }

    #[test]
    fn dates_are_inclusive_and_empty_campaigns_are_complete() {
        assert!(counts(d("2026-08-05"), d("2026-07-22"), d("2026-08-05")));
        assert!(!counts(d("2026-08-06"), d("2026-07-22"), d("2026-08-05")));
        assert_eq!(coverage(0, 0), 1.0);
        assert_eq!(coverage(4, 3), 0.75);
    }
}
