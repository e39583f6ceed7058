//! Recruitment (招募): an application is reviewed against stated criteria and
//! ranked by a priority score whose every point comes with a reason.

use super::validation::{Problem, Problems};
use super::volunteer::skill_label;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

super::care::text_enum! {
    /// Where an application stands; approved and rejected are final.
    ApplicationStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
}

impl ApplicationStatus {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            ApplicationStatus::Approved => ("已通过", "Approved"),
            ApplicationStatus::Rejected => ("未通过", "Rejected"),
            ApplicationStatus::Pending => ("待审核", "Pending"),
        }
    }
}

super::care::text_enum! {
    /// Who entered an application: staff, or the public through `/join`.
    ApplicationSource {
        Staff = "staff",
        Public = "public",
    }
}

/// The reviewers' checklist, in the order it is shown.
pub const CRITERIA: [(&str, &str, &str); 3] = [
    ("political_record", "政治表现良好", "good political record"),
    ("conduct", "品行端正、遵纪守法", "good conduct"),
    ("public_spirit", "热心公益、乐于奉献", "public spirit"),
];

pub const POINTS_RECENT_DISCHARGE: i64 = 30;
pub const POINTS_HONOURED: i64 = 20;
pub const POINTS_CADRE: i64 = 15;
pub const POINTS_PER_MISSING_SKILL: i64 = 10;
/// Skills the village lacks count for at most this many.
pub const MAX_MISSING_SKILLS: usize = 3;

/// Discharged on or after the same day three years ago ("退役不满3年").
pub fn recently_discharged(discharged_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    match (discharged_on, today.checked_sub_months(Months::new(36))) {
        (Some(d), Some(limit)) => d >= limit && d <= today,
        _ => false,
    }
}

/// The criteria not yet answered "yes", as the field problems an approval
/// reports: an unknown answer blocks approval as much as a "no".
pub fn unchecked(political_record: Option<bool>, conduct: Option<bool>, public_spirit: Option<bool>) -> Problems {
    let mut p = Problems::new();
    for ((field, zh, en), v) in CRITERIA.iter().zip([political_record, conduct, public_spirit]) {
        if v != Some(true) {
            p.push(Problem::new(
                *field,
                format!("审核项“{zh}”未确认，不能通过"),
                format!("the criterion '{en}' is not confirmed, so the application cannot be approved"),
            ));
        }
    }
    p
}

/// One reason for priority, with its points, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub points: i64,
    pub zh: String,
    pub en: String,
}

/// What the score looks at.
pub struct Applicant<'a> {
    pub discharged_on: Option<NaiveDate>,
    pub honors: &'a [String],
    pub cadre_role: Option<&'a str>,
    pub skills: &'a [String],
}

/// The priority score and its reasons. `village_skills` are the skills that
/// the active volunteers of the applicant's village already have.
pub fn priority(a: &Applicant, village_skills: &[String], today: NaiveDate) -> (i64, Vec<Reason>) {
    let mut reasons = Vec::new();
    if recently_discharged(a.discharged_on, today) {
        reasons.push(Reason {
            points: POINTS_RECENT_DISCHARGE,
            zh: format!("退役不满3年 +{POINTS_RECENT_DISCHARGE}"),
            en: format!("discharged less than 3 years ago +{POINTS_RECENT_DISCHARGE}"),
        });
    }
    if let Some(first) = a.honors.first() {
        reasons.push(Reason {
            points: POINTS_HONOURED,
            zh: format!("获得荣誉（{first}） +{POINTS_HONOURED}"),
            en: format!("honoured ({first}) +{POINTS_HONOURED}"),
        });
    }
    if let Some(role) = a.cadre_role.filter(|r| !r.trim().is_empty()) {
        reasons.push(Reason {
            points: POINTS_CADRE,
            zh: format!("退役军人村(社区)干部（{role}） +{POINTS_CADRE}"),
            en: format!("veteran cadre ({role}) +{POINTS_CADRE}"),
        });
    }
    let missing: Vec<&String> =
        a.skills.iter().filter(|s| !village_skills.contains(s)).take(MAX_MISSING_SKILLS).collect();
    for s in missing {
        let (zh, en) = skill_label(s);
        reasons.push(Reason {
            points: POINTS_PER_MISSING_SKILL,
            zh: format!("本村缺少“{zh}”技能 +{POINTS_PER_MISSING_SKILL}"),
            en: format!("the village has nobody with {en} +{POINTS_PER_MISSING_SKILL}"),
        });
    }
    (reasons.iter().map(|r| r.points).sum(), reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn three_years_count_to_the_day() {
        let today = d(2026, 11, 29);
        assert!(recently_discharged(Some(d(2023, 11, 29)), today));
        assert!(!recently_discharged(Some(d(2023, 11, 28)), today));
        assert!(!recently_discharged(None, today));
    }

    #[test]
    fn every_point_has_a_reason() {
        let honors = vec!["最美退役军人".to_string()];
        let skills = vec!["driving".to_string(), "medical".to_string()];
        let a = Applicant {
            discharged_on: Some(d(2025, 6, 1)),
            honors: &honors,
            cadre_role: Some("村委委员"),
            skills: &skills,
        };
        let (score, reasons) = priority(&a, &["driving".to_string()], d(2026, 11, 29));
        assert_eq!(score, 30 + 20 + 15 + 10);
        assert_eq!(reasons.iter().map(|r| r.points).sum::<i64>(), score);
        assert!(reasons[0].zh.contains("退役不满3年 +30"));
        assert!(reasons.iter().any(|r| r.zh.contains("医疗救护")));
        assert!(!reasons.iter().any(|r| r.zh.contains("驾驶")), "the village has drivers");
    }

    #[test]
    fn an_ordinary_applicant_scores_nothing() {
        let a = Applicant { discharged_on: Some(d(1990, 1, 1)), honors: &[], cadre_role: None, skills: &[] };
        assert_eq!(priority(&a, &[], d(2026, 11, 29)), (0, vec![]));
    }

    #[test]
    fn approval_names_every_unconfirmed_criterion() {
        let p = unchecked(Some(true), None, Some(false));
        assert!(p.get("political_record").is_none());
        assert!(p.get("conduct").is_some() && p.get("public_spirit").is_some());
        assert!(unchecked(Some(true), Some(true), Some(true)).is_empty());
    }
}
