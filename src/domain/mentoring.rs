//! Veterans help veterans (老兵带新兵): an experienced veteran paired with a newly
//! discharged one towards a job or a business of his own, and the board of job
//! and business leads they share.

use super::input::Fields;
use super::validation::{Problem, Problems};
use chrono::NaiveDate;
use serde_json::{Map, Value};

pub const GOALS: [&str; 2] = ["employment", "entrepreneurship"];
pub const OUTCOMES: [&str; 3] = ["none", "employed", "business_started"];
pub const LEAD_KINDS: [&str; 2] = ["job", "business"];
pub const LEAD_STATUSES: [&str; 2] = ["open", "closed"];

pub fn goal_label(code: &str) -> (&'static str, &'static str) {
    match code {
        "employment" => ("就业", "Employment"),
        "entrepreneurship" => ("创业", "Starting a business"),
        _ => ("其他", "Other"),
    }
}

pub fn outcome_label(code: &str) -> (&'static str, &'static str) {
    match code {
        "employed" => ("已就业", "Employed"),
        "business_started" => ("已创业", "Business started"),
        _ => ("帮带中", "Under way"),
    }
}

pub fn lead_kind_label(code: &str) -> (&'static str, &'static str) {
    match code {
        "job" => ("招聘岗位", "Job"),
        _ => ("创业项目", "Business"),
    }
}

/// A pairing that has passed every rule that needs no database.
#[derive(Debug, Clone, PartialEq)]
pub struct MentorshipDraft {
    pub mentor_id: i64,
    pub mentee_id: i64,
    pub goal: String,
    pub started_on: NaiveDate,
    pub outcome: String,
    /// Always `None` while the outcome is `none`.
    pub outcome_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

impl MentorshipDraft {
    pub fn is_open(&self) -> bool {
        self.outcome == "none"
    }
}

fn one_of(f: &mut Fields, field: &str, allowed: &[&str], zh: &str, en: &str) -> Option<String> {
    let v = f.text(field, 40)?;
    if allowed.contains(&v.as_str()) {
        Some(v)
    } else {
        f.problems.push(Problem::new(field, zh, en));
        None
    }
}

/// Checks a whole pairing given as a JSON object (a PATCH is laid over the
/// stored pair first, so both go through here). `started_on` defaults to today.
pub fn validate(map: &Map<String, Value>, today: NaiveDate) -> Result<MentorshipDraft, Problems> {
    let mut f = Fields::new(map);
    let mentor_id = f.required_int("mentor_id");
    let mentee_id = f.required_int("mentee_id");
    let goal = one_of(
        &mut f,
        "goal",
        &GOALS,
        "帮带目标应为 employment（就业）或 entrepreneurship（创业）",
        "goal must be employment or entrepreneurship",
    );
    if goal.is_none() && f.problems.get("goal").is_none() {
        f.problems.push(Problem::new("goal", "帮带目标不能为空", "goal is required"));
    }
    let started_on = f.date("started_on").unwrap_or(today);
    let outcome = if f.has("outcome") {
        one_of(
            &mut f,
            "outcome",
            &OUTCOMES,
            "帮带成效应为 none、employed 或 business_started",
            "outcome must be none, employed or business_started",
        )
    } else {
        Some("none".to_string())
    };
    let outcome_on = f.date("outcome_on");
    let notes = f.text("notes", 1000);
    let mut problems = f.problems;
    if let (Some(a), Some(b)) = (mentor_id, mentee_id) {
        if a == b {
            problems.push(Problem::new(
                "mentee_id",
                "帮带对象不能是导师本人",
                "a veteran cannot mentor himself: choose another mentee",
            ));
        }
    }
    if started_on > today {
        problems.push(Problem::new("started_on", "开始日期不能晚于今天", "started_on cannot be in the future"));
    }
    // The outcome decides whether its date is needed at all.
    let outcome_on = match outcome.as_deref() {
        Some("none") | None => None,
        Some(_) => match outcome_on {
            None => {
                if problems.get("outcome_on").is_none() {
                    problems.push(Problem::new(
                        "outcome_on",
                        "记录成效时须填写成效日期",
                        "outcome_on is required when there is an outcome",
                    ));
                }
                None
            }
            Some(d) if d < started_on => {
                problems.push(Problem::new(
                    "outcome_on",
                    "成效日期不能早于帮带开始日期",
                    "outcome_on cannot be before started_on",
                ));
                None
            }
            Some(d) if d > today => {
                problems.push(Problem::new("outcome_on", "成效日期不能晚于今天", "outcome_on cannot be in the future"));
                None
            }
            Some(d) => Some(d),
        },
    };
    match (mentor_id, mentee_id, goal, outcome) {
        (Some(mentor_id), Some(mentee_id), Some(goal), Some(outcome)) if problems.is_empty() => {
            Ok(MentorshipDraft { mentor_id, mentee_id, goal, started_on, outcome, outcome_on, notes })
        }
        _ => Err(problems),
    }
}

/// A job or business lead that has passed the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadDraft {
    pub kind: String,
    pub title: String,
    pub description: Option<String>,
    pub employer: Option<String>,
    pub contact: Option<String>,
    pub region_id: i64,
    pub expires_on: Option<NaiveDate>,
    pub status: String,
}

/// Checks a whole lead. A new lead may not already have expired; an old one
/// being closed keeps whatever date it had.
pub fn validate_lead(map: &Map<String, Value>, today: NaiveDate, is_new: bool) -> Result<LeadDraft, Problems> {
    let mut f = Fields::new(map);
    let kind = one_of(
        &mut f,
        "kind",
        &LEAD_KINDS,
        "类型应为 job（招聘）或 business（创业项目）",
        "kind must be job or business",
    );
    if kind.is_none() && f.problems.get("kind").is_none() {
        f.problems.push(Problem::required("kind"));
    }
    let title = f.required_text("title", 80);
    let description = f.text("description", 2000);
    let employer = f.text("employer", 80);
    let contact = f.text("contact", 80);
    let region_id = f.required_int("region_id");
    let expires_on = f.date("expires_on");
    let status = if f.has("status") {
        one_of(&mut f, "status", &LEAD_STATUSES, "状态应为 open 或 closed", "status must be open or closed")
    } else {
        Some("open".to_string())
    };
    let mut problems = f.problems;
    if is_new && expires_on.is_some_and(|d| d < today) {
        problems.push(Problem::new("expires_on", "截止日期已过", "expires_on is already past"));
    }
    match (kind, title, region_id, status) {
        (Some(kind), Some(title), Some(region_id), Some(status)) if problems.is_empty() => {
            Ok(LeadDraft { kind, title, description, employer, contact, region_id, expires_on, status })
        }
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).expect("date")
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn a_veteran_cannot_mentor_himself() {
        let p =
            validate(&obj(json!({"mentor_id": 3, "mentee_id": 3, "goal": "employment"})), today()).expect_err("self");
        assert!(p.get("mentee_id").is_some_and(|p| p.zh.contains("本人") && p.en.contains("himself")));
    }

    #[test]
    fn an_outcome_needs_a_date_inside_the_pairing() {
        let base = json!({"mentor_id": 1, "mentee_id": 2, "goal": "entrepreneurship", "started_on": "2026-03-01"});
        let mut v = base.clone();
        v["outcome"] = json!("business_started");
        assert!(validate(&obj(v.clone()), today()).expect_err("no date").get("outcome_on").is_some());
        v["outcome_on"] = json!("2026-02-01");
        assert!(validate(&obj(v.clone()), today()).expect_err("before").get("outcome_on").is_some());
        v["outcome_on"] = json!("2026-12-01");
        assert!(validate(&obj(v.clone()), today()).expect_err("future").get("outcome_on").is_some());
        v["outcome_on"] = json!("2026-09-01");
        let d = validate(&obj(v), today()).expect("valid");
        assert_eq!(d.outcome_on, NaiveDate::from_ymd_opt(2026, 9, 1));
    }

    #[test]
    fn no_outcome_clears_its_date_and_defaults_apply() {
        let d = validate(
            &obj(json!({"mentor_id": 1, "mentee_id": 2, "goal": "employment", "outcome": "none", "outcome_on": "2026-01-01"})),
            today(),
        )
        .expect("valid");
        assert_eq!((d.outcome.as_str(), d.outcome_on, d.started_on), ("none", None, today()));
        assert!(d.is_open());
    }

    #[test]
    fn goals_and_outcomes_are_from_the_list() {
        let p = validate(&obj(json!({"mentor_id": 1, "mentee_id": 2, "goal": "fame", "outcome": "rich"})), today())
            .expect_err("bad");
        assert!(p.get("goal").is_some() && p.get("outcome").is_some());
        let p = validate(&obj(json!({"mentee_id": 2})), today()).expect_err("missing");
        assert!(p.get("mentor_id").is_some() && p.get("goal").is_some());
    }

    #[test]
    fn leads_need_a_kind_a_title_and_a_future() {
        let p = validate_lead(&obj(json!({"kind": "gig", "region_id": 1, "expires_on": "2026-01-01"})), today(), true)
            .expect_err("bad");
        for f in ["kind", "title", "expires_on"] {
            assert!(p.get(f).is_some(), "{f}");
        }
        let d = validate_lead(&obj(json!({"kind": "job", "title": "叉车司机", "region_id": 1})), today(), true)
            .expect("valid");
        assert_eq!(d.status, "open");
    }
}
