//! The yearly assessment of a volunteer: hours, requesters' ratings, leaders'
//! evaluations and no-shows, weighted as the town sets, give 优秀 / 合格 / 不合格
//! with the reasons written out.

use super::validation::Problem;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Weights {
    /// Hours in the year that earn the full hours score.
    pub full_hours: f64,
    pub hours_weight: f64,
    pub rating_weight: f64,
    pub evaluation_weight: f64,
    /// Taken off the total for each no-show.
    pub no_show_penalty: f64,
    /// Totals from here are 优秀 (excellent).
    pub excellent_at: f64,
    /// Totals from here are 合格 (pass); below, 不合格.
    pub pass_at: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            full_hours: 60.0,
            hours_weight: 0.5,
            rating_weight: 0.25,
            evaluation_weight: 0.25,
            no_show_penalty: 0.1,
            excellent_at: 0.85,
            pass_at: 0.6,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Excellent,
    Pass,
    Fail,
}

impl Grade {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Grade::Excellent => ("优秀", "Excellent"),
            Grade::Pass => ("合格", "Pass"),
            Grade::Fail => ("不合格", "Fail"),
        }
    }
}

/// What an evaluation's period covers: a year (`2026`), a half (`2026-H1`), a
/// quarter (`2026-Q3`) or some other stretch of it the town names (`2026-M05`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Year,
    Half,
    Quarter,
    Other,
}

/// Checks an evaluation's period: it starts with a year from 2000 to 2100 and
/// goes on only with dashes, ASCII letters and digits. Counted in characters,
/// as a period is typed text and may hold anything (`20年`).
pub fn period_kind(p: &str) -> Result<PeriodKind, Problem> {
    let bad = || {
        Problem::new(
            "period",
            "考评期应以年份开头，如 2026、2026-H1、2026-Q3",
            "period starts with the year, e.g. 2026, 2026-H1, 2026-Q3",
        )
    };
    let year: String = p.chars().take(4).collect();
    let rest: String = p.chars().skip(4).collect();
    let ok_year = year.chars().count() == 4 && year.parse::<i32>().is_ok_and(|y| (2000..=2100).contains(&y));
    if !ok_year || !rest.chars().all(|c| c == '-' || c.is_ascii_alphanumeric()) {
        return Err(bad());
    }
    Ok(match rest.as_str() {
        "" => PeriodKind::Year,
        "-H1" | "-H2" => PeriodKind::Half,
        "-Q1" | "-Q2" | "-Q3" | "-Q4" => PeriodKind::Quarter,
        _ => PeriodKind::Other,
    })
}

/// What the year held for one volunteer.
#[derive(Debug, Clone, PartialEq)]
pub struct YearFacts {
    pub hours: f64,
    pub average_rating: Option<f64>,
    pub average_evaluation: Option<f64>,
    pub no_shows: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Outcome {
    pub score: f64,
    pub grade: Grade,
    pub reasons: Vec<String>,
}

/// 1–5 stars as 0..1; a year without any rating counts as neither good nor bad.
fn stars_score(avg: Option<f64>) -> f64 {
    avg.map(|a| ((a - 1.0) / 4.0).clamp(0.0, 1.0)).unwrap_or(0.75)
}

pub fn assess(f: &YearFacts, w: &Weights) -> Outcome {
    let hours_score = if w.full_hours > 0.0 { (f.hours / w.full_hours).min(1.0) } else { 1.0 };
    let rating = stars_score(f.average_rating);
    let evaluation = stars_score(f.average_evaluation);
    let total_weight = (w.hours_weight + w.rating_weight + w.evaluation_weight).max(f64::EPSILON);
    let raw =
        (hours_score * w.hours_weight + rating * w.rating_weight + evaluation * w.evaluation_weight) / total_weight;
    let score = ((raw - w.no_show_penalty * f.no_shows as f64).clamp(0.0, 1.0) * 100.0).round() / 100.0;
    let grade = if score >= w.excellent_at {
        Grade::Excellent
    } else if score >= w.pass_at {
        Grade::Pass
    } else {
        Grade::Fail
    };
    let mut reasons = vec![format!("服务时长{:.1}小时（满分线{:.0}小时）", f.hours, w.full_hours)];
    match f.average_rating {
        Some(r) => reasons.push(format!("群众评价平均{r:.1}星")),
        None => reasons.push("本年度无群众评价".into()),
    }
    match f.average_evaluation {
        Some(e) => reasons.push(format!("队长/工作人员评价平均{e:.1}分")),
        None => reasons.push("本年度无队长评价".into()),
    }
    if f.no_shows > 0 {
        reasons.push(format!("报名后缺席{}次，每次扣{:.0}分", f.no_shows, w.no_show_penalty * 100.0));
    }
    Outcome { score, grade, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_well_rated_year_is_excellent() {
        let o = assess(
            &YearFacts { hours: 80.0, average_rating: Some(5.0), average_evaluation: Some(4.6), no_shows: 0 },
            &Weights::default(),
        );
        assert_eq!(o.grade, Grade::Excellent);
        assert!(o.reasons[0].contains("80.0"));
    }

    #[test]
    fn no_shows_pull_the_grade_down() {
        let facts = YearFacts { hours: 40.0, average_rating: None, average_evaluation: Some(4.0), no_shows: 0 };
        let w = Weights::default();
        let good = assess(&facts, &w);
        let bad = assess(&YearFacts { no_shows: 3, ..facts }, &w);
        assert!(bad.score < good.score);
        assert_eq!(bad.grade, Grade::Fail);
        assert!(bad.reasons.iter().any(|r| r.contains("缺席3次")));
    }

    #[test]
    fn periods_start_with_a_year_counted_in_characters() {
        assert_eq!(period_kind("2026"), Ok(PeriodKind::Year));
        assert_eq!(period_kind("2026-H1"), Ok(PeriodKind::Half));
        assert_eq!(period_kind("2026-Q3"), Ok(PeriodKind::Quarter));
        assert_eq!(period_kind("2026-M05"), Ok(PeriodKind::Other));
        // a character that is not one byte inside the first four must not panic
        for bad in ["20年", "2026年", "年2026", "199", "1999", "2026 H1", "二〇二六"] {
            assert!(period_kind(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_empty_year_fails() {
        let o = assess(
            &YearFacts { hours: 0.0, average_rating: None, average_evaluation: None, no_shows: 0 },
            &Weights::default(),
        );
        assert_eq!(o.grade, Grade::Fail);
    }
}
