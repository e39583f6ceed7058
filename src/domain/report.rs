//! The summary report (统计汇总表): what a town or county reports upward for a
//! period. The figures and what falls in the period are fixed by the contract;
//! this module holds the period arithmetic and the report's shape, so both can be
//! checked without a database.

use super::validation::{Problem, Problems};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The longest period one report covers; longer asks are almost always a typo
/// in the year, and would make the month table unreadable.
pub const MAX_DAYS: i64 = 3 * 366;

/// How the summary is handed out: JSON for programs, a workbook for the county.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum SummaryFormat {
    Json,
    Xlsx,
}

impl SummaryFormat {
    /// `json` (also when not given) or `xlsx`; anything else is a problem on `format`.
    pub fn parse(v: Option<&str>) -> Result<SummaryFormat, Problem> {
        match v.unwrap_or("json") {
            "json" => Ok(SummaryFormat::Json),
            "xlsx" => Ok(SummaryFormat::Xlsx),
            _ => Err(Problem::about("format", "应为 json 或 xlsx", "must be json or xlsx")),
        }
    }
}

/// Both dates inclusive, in local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// A report's period: as `parse`, and no longer than three years.
    pub fn parse_report(from: Option<&str>, to: Option<&str>) -> Result<Period, Problems> {
        let p = Period::parse(from, to)?;
        if (p.to - p.from).num_days() >= MAX_DAYS {
            let mut problems = Problems::new();
            problems.push(Problem::about("to", "统计期间不能超过三年", "the period must not exceed three years"));
            return Err(problems);
        }
        Ok(p)
    }

    /// Reads `from` and `to` (YYYY-MM-DD, both required, in order), naming each bad field.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Period, Problems> {
        let mut problems = Problems::new();
        let mut read = |field: &str, v: Option<&str>| match v.map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                problems.push(Problem::about(field, "必填", "is required"));
                None
            }
            Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    problems.push(Problem::about(field, "日期格式应为YYYY-MM-DD", "must be a date as YYYY-MM-DD"));
                    None
                }
            },
        };
        let (from, to) = (read("from", from), read("to", to));
        let (Some(from), Some(to)) = (from, to) else {
            return Err(problems);
        };
        if to < from {
            problems.push(Problem::about("to", "不能早于开始日期", "must not be before from"));
        }
        if problems.is_empty() {
            Ok(Period { from, to })
        } else {
            Err(problems)
        }
    }

    /// The instants the period spans: from local midnight of `from` up to, not
    /// including, local midnight after `to`.
    pub fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (local_midnight(self.from), local_midnight(self.to + Duration::days(1)))
    }

    /// The calendar months the period touches, each with the instants where it
    /// starts and ends inside the period.
    pub fn months(&self) -> Vec<Month> {
        let mut out = Vec::new();
        let mut first = self.from;
        while first <= self.to {
            let next = first_of_next_month(first);
            let last = (next - Duration::days(1)).min(self.to);
            out.push(Month {
                key: format!("{:04}-{:02}", first.year(), first.month()),
                starts: local_midnight(first),
                ends: local_midnight(last + Duration::days(1)),
            });
            first = next;
        }
        out
    }
}

/// A stretch of a period read from one source: a whole local year or month
/// from the running tallies, or loose days from the records themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Year(i32),
    /// `YYYY-MM`
    Month(String),
    Days(NaiveDate, NaiveDate),
}

impl Period {
    /// The period cut into whole years, whole months and the loose days at
    /// either end, in order; together they cover each day exactly once.
    pub fn pieces(&self) -> Vec<Piece> {
        let mut out: Vec<Piece> = Vec::new();
        let mut d = self.from;
        while d <= self.to {
            let year_end = NaiveDate::from_ymd_opt(d.year(), 12, 31).unwrap_or(NaiveDate::MAX);
            let month_end = first_of_next_month(d) - Duration::days(1);
            if d.month() == 1 && d.day() == 1 && year_end <= self.to {
                out.push(Piece::Year(d.year()));
                d = year_end + Duration::days(1);
            } else if d.day() == 1 && month_end <= self.to {
                out.push(Piece::Month(format!("{:04}-{:02}", d.year(), d.month())));
                d = month_end + Duration::days(1);
            } else {
                let end = month_end.min(self.to);
                match out.last_mut() {
                    Some(Piece::Days(_, last)) if *last + Duration::days(1) == d => *last = end,
                    _ => out.push(Piece::Days(d, end)),
                }
                d = end + Duration::days(1);
            }
        }
        out
    }
}

/// Words of day bits kept on each row of who served in a year: day-of-year
/// `d` (0-based) is bit `d % DAY_BITS` of word `d / DAY_BITS`. 63 bits a word
/// keeps every mask positive, so the same SQL sums and tests them on SQLite
/// and PostgreSQL; six words hold 378 days.
pub const DAY_WORDS: usize = 6;
pub const DAY_BITS: u32 = 63;

/// Where a local day sits in its year's row: (year, word, bit).
pub fn day_bit(day: NaiveDate) -> (i32, usize, i64) {
    let d = day.ordinal0();
    (day.year(), (d / DAY_BITS) as usize, 1i64 << (d % DAY_BITS))
}

/// How the people who served in a period are found in a year's rows: the
/// whole year, or those whose day bits meet the masks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YearDays {
    Whole(i32),
    Days(i32, [i64; DAY_WORDS]),
}

impl Period {
    /// The years the period touches, each whole or with the masks of its days in the period.
    pub fn year_days(&self) -> Vec<YearDays> {
        let mut out = Vec::new();
        for year in self.from.year()..=self.to.year() {
            let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
            let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
            let (a, b) = (self.from.max(first), self.to.min(last));
            if a == first && b == last {
                out.push(YearDays::Whole(year));
                continue;
            }
            let mut masks = [0i64; DAY_WORDS];
            for d in a.ordinal0()..=b.ordinal0() {
                masks[(d / DAY_BITS) as usize] |= 1i64 << (d % DAY_BITS);
            }
            out.push(YearDays::Days(year, masks));
        }
        out
    }
}

/// The instants a run of local days spans.
pub fn day_bounds(from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    (local_midnight(from), local_midnight(to + Duration::days(1)))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// `YYYY-MM`
    pub key: String,
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
}

fn first_of_next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MAX)
}

/// The towns' midnight starting a day (Beijing time, through `domain::clock`).
fn local_midnight(d: NaiveDate) -> DateTime<Utc> {
    super::clock::day_start(d)
}

/// Share of recipients visited, 0..1; a region with nobody to visit reports 0
/// rather than pretending to full coverage.
pub fn coverage(visited: i64, recipients: i64) -> f64 {
    if recipients <= 0 {
        0.0
    } else {
        (visited.min(recipients) as f64) / (recipients as f64)
    }
}

/// Decimal hours from summed minutes, as the records keep them.
pub fn hours(minutes: i64) -> f64 {
    minutes as f64 / 60.0
}

#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct TeamFigures {
    /// Teams of this kind in the region today (支).
    pub count: i64,
    /// Distinct active volunteers on teams of this kind (人).
    pub members: i64,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct VolunteerFigures {
    pub active: i64,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct ActivityFigures {
    /// Activities whose start falls in the period (场次).
    pub total: i64,
    pub by_category: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct NeedFigures {
    pub filed: i64,
    pub completed: i64,
    pub completed_by_category: BTreeMap<String, i64>,
    /// Mean stars of the needs completed in the period that were rated; null when none were.
    pub average_rating: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct ServiceFigures {
    /// Service records (人次).
    pub person_times: i64,
    /// Distinct volunteers who served (人).
    pub volunteers: i64,
    /// Hours served (小时).
    pub hours: f64,
    pub person_times_by_category: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct OutcomeFigures {
    pub beneficiaries: i64,
    pub audience: i64,
    pub households_relocated: i64,
    pub persons_relocated: i64,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct CareFigures {
    pub recipients: i64,
    pub visited: i64,
    /// visited / recipients, 0..1
    pub coverage: f64,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct MentoringFigures {
    pub active: i64,
    pub employed: i64,
    pub business_started: i64,
}

/// One line of a breakdown (by month, by village or town, by team).
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct Line {
    /// `YYYY-MM` for months; the region's or team's name otherwise.
    pub label: String,
    /// The region or team this line is about (absent for months).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Active volunteers of the region, or active members of the team; left out of month lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<i64>,
    pub activities: i64,
    pub needs_filed: i64,
    pub needs_completed: i64,
    pub person_times: i64,
    /// Distinct volunteers who served; left out of month lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volunteers: Option<i64>,
    pub hours: f64,
    pub beneficiaries: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Summary {
    pub region_id: i64,
    pub region_name: String,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    pub teams: BTreeMap<String, TeamFigures>,
    pub volunteers: VolunteerFigures,
    pub activities: ActivityFigures,
    pub needs: NeedFigures,
    pub service: ServiceFigures,
    pub outcomes: OutcomeFigures,
    pub care: CareFigures,
    pub mentoring: MentoringFigures,
    /// Month by month through the period.
    pub by_month: Vec<Line>,
    /// The region's parts: towns of a county, villages of a town, grids of a village.
    pub by_region: Vec<Line>,
    /// Teams of the region (towns and villages only; a county's breakdown is by town).
    pub by_team: Vec<Line>,
    /// 填表人
    pub prepared_by: String,
    /// 负责人
    pub person_in_charge: String,
    pub generated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn a_period_runs_from_local_midnight_to_local_midnight() {
        let p = Period::parse(Some("2026-01-01"), Some("2026-01-31")).expect("period");
        let (a, b) = p.bounds();
        assert_eq!(a.to_rfc3339(), "2025-12-31T16:00:00+00:00");
        assert_eq!(b.to_rfc3339(), "2026-01-31T16:00:00+00:00");
    }

    #[test]
    fn months_cover_the_period_without_gaps() {
        let p = Period { from: d("2025-11-15"), to: d("2026-02-03") };
        let m = p.months();
        let keys: Vec<&str> = m.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["2025-11", "2025-12", "2026-01", "2026-02"]);
        assert_eq!(m[0].starts, p.bounds().0);
        assert_eq!(m.last().expect("last").ends, p.bounds().1);
        for w in m.windows(2) {
            assert_eq!(w[0].ends, w[1].starts);
        }
    }

    #[test]
    fn bad_periods_name_their_fields() {
        let e = Period::parse(None, Some("2026-13-01")).expect_err("bad");
        let fields: Vec<&str> = e.0.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["from", "to"]);
        let e = Period::parse(Some("2026-02-01"), Some("2026-01-01")).expect_err("reversed");
        assert_eq!(e.0[0].field, "to");
        assert!(
            Period::parse_report(Some("2020-01-01"), Some("2026-01-01")).is_err(),
            "a report covers three years at most"
        );
        assert!(Period::parse(Some("2020-01-01"), Some("2026-01-01")).is_ok(), "an export may cover more");
    }

    #[test]
    fn pieces_cover_every_day_once_with_the_coarsest_tallies() {
        let p = Period { from: d("2025-12-15"), to: d("2027-02-10") };
        let pieces = p.pieces();
        assert_eq!(
            pieces,
            vec![
                Piece::Days(d("2025-12-15"), d("2025-12-31")),
                Piece::Year(2026),
                Piece::Month("2027-01".into()),
                Piece::Days(d("2027-02-01"), d("2027-02-10")),
            ]
        );
        let p = Period { from: d("2026-03-01"), to: d("2026-03-31") };
        assert_eq!(p.pieces(), vec![Piece::Month("2026-03".into())]);
        let p = Period { from: d("2026-04-01"), to: d("2026-04-01") };
        assert_eq!(p.pieces(), vec![Piece::Days(d("2026-04-01"), d("2026-04-01"))]);
    }

    proptest::proptest! {
        #[test]
        fn pieces_never_miss_or_repeat_a_day(start in 0i64..2000, len in 0i64..900) {
            let from = d("2024-01-01") + Duration::days(start);
            let p = Period { from, to: from + Duration::days(len) };
            let mut days = Vec::new();
            for piece in p.pieces() {
                let (a, b) = match piece {
                    Piece::Year(y) => (NaiveDate::from_ymd_opt(y, 1, 1).expect("d"), NaiveDate::from_ymd_opt(y, 12, 31).expect("d")),
                    Piece::Month(m) => {
                        let a = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").expect("month");
                        (a, first_of_next_month(a) - Duration::days(1))
                    }
                    Piece::Days(a, b) => (a, b),
                };
                let mut x = a;
                while x <= b {
                    days.push(x);
                    x += Duration::days(1);
                }
            }
            let want: Vec<NaiveDate> = (0..=len).map(|i| from + Duration::days(i)).collect();
            proptest::prop_assert_eq!(days, want);
        }
    }

    #[test]
    fn a_whole_year_needs_no_day_bits() {
        let p = Period { from: d("2025-12-31"), to: d("2027-01-01") };
        let y = p.year_days();
        assert_eq!(y.len(), 3);
        assert_eq!(y[1], YearDays::Whole(2026));
        // the last day of 2025 (day 364) and the first of 2027 (day 0)
        assert_eq!(y[0], YearDays::Days(2025, [0, 0, 0, 0, 0, 1 << (364 - 5 * 63)]));
        assert_eq!(y[2], YearDays::Days(2027, [1, 0, 0, 0, 0, 0]));
        // a leap year's last day still fits
        assert_eq!(day_bit(d("2028-12-31")), (2028, 5, 1 << (365 - 5 * 63)));
    }

    proptest::proptest! {
        #[test]
        fn a_day_meets_the_masks_exactly_when_it_is_in_the_period(start in 0i64..1500, len in 0i64..800, at in 0i64..2400) {
            let from = d("2024-01-01") + Duration::days(start);
            let p = Period { from, to: from + Duration::days(len) };
            let day = d("2023-06-01") + Duration::days(at);
            let (year, word, bit) = day_bit(day);
            proptest::prop_assert!(bit > 0);
            let met = p.year_days().iter().any(|y| match y {
                YearDays::Whole(y) => *y == year,
                YearDays::Days(y, masks) => *y == year && masks[word] & bit != 0,
            });
            proptest::prop_assert_eq!(met, day >= p.from && day <= p.to);
        }
    }

    #[test]
    fn coverage_stays_within_zero_and_one() {
        assert_eq!(coverage(0, 0), 0.0);
        assert_eq!(coverage(3, 4), 0.75);
        assert_eq!(coverage(5, 4), 1.0);
    }
}
