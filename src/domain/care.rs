//! Care visit campaigns (走访慰问): which recipients a campaign must reach, and
//! the default dates of the two campaigns every town runs each year.

use chrono::{Duration, NaiveDate};

/// A closed set of codes stored as TEXT and sent as the same snake_case text
/// in JSON. Rows read them through `#[sqlx(try_from = "String")]` and writes
/// bind `as_str()`, which works alike on SQLite and PostgreSQL.
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(serde::Serialize, serde::Deserialize, utoipa::ToSchema, Clone, Copy, PartialEq, Eq, Debug, Hash)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vm])* $v),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$v => $s),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($s => Some($name::$v),)+
                    _ => None,
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s).ok_or_else(|| format!("unknown {} {s:?}", stringify!($name)))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

text_enum! {
    /// What a recipient is counted as (a person can be several).
    Category {
        MartyrFamily = "martyr_family",
        VeteranInDifficulty = "veteran_in_difficulty",
        DisabledVeteran = "disabled_veteran",
        Other = "other",
    }
}

impl Category {
    /// The words for the category, Chinese and English.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Category::MartyrFamily => ("烈属", "Martyr's family"),
            Category::VeteranInDifficulty => ("困难老兵", "Veteran in difficulty"),
            Category::DisabledVeteran => ("伤残老兵", "Disabled veteran"),
            Category::Other => ("其他", "Other"),
        }
    }
}

text_enum! {
    /// The two yearly campaigns every town runs, and the town's own.
    CampaignKind {
        SpringFestival = "spring_festival",
        ArmyDay = "army_day",
        Custom = "custom",
    }
}

impl CampaignKind {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            CampaignKind::SpringFestival => ("春节走访", "Spring Festival"),
            CampaignKind::ArmyDay => ("“八一”走访", "Army Day"),
            CampaignKind::Custom => ("专项走访", "Custom"),
        }
    }
}

/// The categories a recipient can be counted under.
pub const CATEGORIES: [&str; 4] = ["martyr_family", "veteran_in_difficulty", "disabled_veteran", "other"];

/// Those every campaign must reach in full unless the campaign says otherwise.
pub const DEFAULT_TARGETS: [&str; 3] = ["martyr_family", "veteran_in_difficulty", "disabled_veteran"];

/// The same, typed.
pub const DEFAULT_TARGET_CATEGORIES: [Category; 3] =
    [Category::MartyrFamily, Category::VeteranInDifficulty, Category::DisabledVeteran];

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
    CampaignKind::parse(kind).and_then(|k| default_window(k, year))
}

/// `default_campaign` for a kind already parsed.
pub fn default_window(kind: CampaignKind, year: i32) -> Option<(String, NaiveDate, NaiveDate)> {
    match kind {
        CampaignKind::SpringFestival => {
            let (_, m, d) = SPRING_FESTIVALS.iter().find(|(y, _, _)| *y == year)?;
            let day = NaiveDate::from_ymd_opt(year, *m, *d)?;
            Some((format!("{year}年春节走访慰问"), day - Duration::days(14), day + Duration::days(14)))
        }
        CampaignKind::ArmyDay => {
            let day = NaiveDate::from_ymd_opt(year, 8, 1)?;
            Some((format!("{year}年“八一”走访慰问"), day - Duration::days(10), day + Duration::days(4)))
        }
        CampaignKind::Custom => None,
    }
}

/// Whether a recipient with these categories is one a campaign aimed at them
/// must visit; someone in two targeted categories is still one person.
pub fn is_targeted(recipient: &[Category], targets: &[Category]) -> bool {
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

/// The rules `domain::input::Fields` applies to a JSON object, applied to the
/// fields of a typed input instead: tidied text with a length limit, required
/// fields, dates written YYYY-MM-DD and short lists. Same messages.
pub mod check {
    use crate::domain::validation::{Problem, Problems};
    use chrono::NaiveDate;

    /// Tidied text; blank counts as absent; too long is a problem.
    pub fn text(p: &mut Problems, field: &str, v: Option<&str>, max_chars: usize) -> Option<String> {
        let t = crate::domain::text::typed(field, v)?;
        if t.chars().count() > max_chars {
            p.push(Problem::about(
                field,
                &format!("不能超过{max_chars}个字"),
                &format!("must be at most {max_chars} characters"),
            ));
            return None;
        }
        Some(t)
    }

    /// A value that must be there: "required" unless the field already has a problem.
    pub fn required<T>(p: &mut Problems, field: &str, v: Option<T>) -> Option<T> {
        if v.is_none() && p.get(field).is_none() {
            p.push(Problem::required(field));
        }
        v
    }

    pub fn required_text(p: &mut Problems, field: &str, v: Option<&str>, max_chars: usize) -> Option<String> {
        let t = text(p, field, v, max_chars);
        required(p, field, t)
    }

    pub fn date(p: &mut Problems, field: &str, v: Option<&str>) -> Option<NaiveDate> {
        let s = text(p, field, v, 40)?;
        match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                p.push(Problem::about(field, "应为 YYYY-MM-DD 格式的日期", "must be a date written YYYY-MM-DD"));
                None
            }
        }
    }

    /// A list without repeats, at most `max_items` long.
    pub fn list(p: &mut Problems, field: &str, items: &[String], max_items: usize) -> Vec<String> {
        let mut dedup: Vec<String> = Vec::new();
        for i in items {
            if !dedup.contains(i) {
                dedup.push(i.clone());
            }
        }
        if dedup.len() > max_items {
            p.push(Problem::about(
                field,
                &format!("最多{max_items}项"),
                &format!("may hold at most {max_items} items"),
            ));
            return Vec::new();
        }
        dedup
    }
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
        let targets = DEFAULT_TARGET_CATEGORIES;
        let both = [Category::MartyrFamily, Category::VeteranInDifficulty];
        assert!(is_targeted(&both, &targets));
        assert!(!is_targeted(&[Category::Other], &targets));
    }

    #[test]
    fn codes_are_the_contract_text() {
        for c in Category::ALL {
            assert_eq!(serde_json::to_value(c).ok(), Some(serde_json::Value::from(c.as_str())));
            assert_eq!(Category::parse(c.as_str()), Some(*c));
        }
        for k in CampaignKind::ALL {
            assert_eq!(serde_json::to_value(k).ok(), Some(serde_json::Value::from(k.as_str())));
        }
        assert_eq!(CATEGORIES.map(|c| Category::parse(c).map(Category::as_str)), CATEGORIES.map(Some));
    }

    #[test]
    fn dates_are_inclusive_and_empty_campaigns_are_complete() {
        assert!(counts(d("2026-08-05"), d("2026-07-22"), d("2026-08-05")));
        assert!(!counts(d("2026-08-06"), d("2026-07-22"), d("2026-08-05")));
        assert_eq!(coverage(0, 0), 1.0);
        assert_eq!(coverage(4, 3), 0.75);
    }
}
