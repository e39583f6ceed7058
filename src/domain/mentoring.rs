//! Veterans help veterans (老兵带新兵): an experienced veteran paired with a newly
//! discharged one towards a job or a business of his own, and the board of job
//! and business leads they share.

use super::care::{check, text_enum};
use super::input::de;
use super::validation::{Problem, Problems};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

text_enum! {
    /// What a pairing works towards.
    Goal {
        Employment = "employment",
        Entrepreneurship = "entrepreneurship",
    }
}

text_enum! {
    /// How a pairing ended; `none` while it is under way.
    Outcome {
        None = "none",
        Employed = "employed",
        BusinessStarted = "business_started",
    }
}

text_enum! {
    LeadKind {
        Job = "job",
        Business = "business",
    }
}

text_enum! {
    /// A lead on the board, or taken off it.
    LeadStatus {
        Open = "open",
        Closed = "closed",
    }
}

impl Goal {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Goal::Employment => ("就业", "Employment"),
            Goal::Entrepreneurship => ("创业", "Starting a business"),
        }
    }
}

impl Outcome {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Outcome::Employed => ("已就业", "Employed"),
            Outcome::BusinessStarted => ("已创业", "Business started"),
            Outcome::None => ("帮带中", "Under way"),
        }
    }
}

impl LeadKind {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            LeadKind::Job => ("招聘岗位", "Job"),
            LeadKind::Business => ("创业项目", "Business"),
        }
    }
}

/// A pairing that has passed every rule that needs no database.
#[derive(Debug, Clone, PartialEq)]
pub struct MentorshipDraft {
    pub mentor_id: i64,
    pub mentee_id: i64,
    pub goal: Goal,
    pub started_on: NaiveDate,
    pub outcome: Outcome,
    /// Always `None` while the outcome is `none`.
    pub outcome_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

impl MentorshipDraft {
    pub fn is_open(&self) -> bool {
        self.outcome == Outcome::None
    }
}

/// A pairing as sent (a PATCH is laid over the stored pair first, so both
/// are checked whole).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MentorshipInput {
    #[serde(default, deserialize_with = "de::int")]
    pub mentor_id: Option<i64>,
    #[serde(default, deserialize_with = "de::int")]
    pub mentee_id: Option<i64>,
    /// employment or entrepreneurship
    #[serde(default, deserialize_with = "de::text")]
    pub goal: Option<String>,
    /// YYYY-MM-DD; today when not given.
    #[serde(default, deserialize_with = "de::text")]
    pub started_on: Option<String>,
    /// none (the default), employed or business_started
    #[serde(default, deserialize_with = "de::text")]
    pub outcome: Option<String>,
    /// Needed with an outcome; cleared by `none`.
    #[serde(default, deserialize_with = "de::text")]
    pub outcome_on: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub notes: Option<String>,
}

/// A code from a closed list: the field's own message when it is not one of them.
fn one_of<T>(
    p: &mut Problems,
    field: &str,
    v: Option<&str>,
    parse: fn(&str) -> Option<T>,
    zh: &str,
    en: &str,
) -> Option<T> {
    let v = check::text(p, field, v, 40)?;
    let parsed = parse(&v);
    if parsed.is_none() {
        p.push(Problem::new(field, zh, en));
    }
    parsed
}

/// Checks a whole pairing. `started_on` defaults to today, `outcome` to none.
pub fn validate(input: &MentorshipInput, today: NaiveDate) -> Result<MentorshipDraft, Problems> {
    let mut problems = Problems::new();
    let p = &mut problems;
    let mentor_id = check::required(p, "mentor_id", input.mentor_id);
    let mentee_id = check::required(p, "mentee_id", input.mentee_id);
    let goal = one_of(
        p,
        "goal",
        input.goal.as_deref(),
        Goal::parse,
        "帮带目标应为 employment（就业）或 entrepreneurship（创业）",
        "goal must be employment or entrepreneurship",
    );
    if goal.is_none() && p.get("goal").is_none() {
        p.push(Problem::new("goal", "帮带目标不能为空", "goal is required"));
    }
    let started_on = check::date(p, "started_on", input.started_on.as_deref()).unwrap_or(today);
    let outcome = match input.outcome.as_deref() {
        None => Some(Outcome::None),
        Some(o) => one_of(
            p,
            "outcome",
            Some(o),
            Outcome::parse,
            "帮带成效应为 none、employed 或 business_started",
            "outcome must be none, employed or business_started",
        ),
    };
    let outcome_on = check::date(p, "outcome_on", input.outcome_on.as_deref());
    let notes = check::text(p, "notes", input.notes.as_deref(), 1000);
    if let (Some(a), Some(b)) = (mentor_id, mentee_id) {
        if a == b {
            p.push(Problem::new(
                "mentee_id",
                "帮带对象不能是导师本人",
                "a veteran cannot mentor himself: choose another mentee",
            ));
        }
    }
    if started_on > today {
        p.push(Problem::new("started_on", "开始日期不能晚于今天", "started_on cannot be in the future"));
    }
    // The outcome decides whether its date is needed at all.
    let outcome_on = match outcome {
        Some(Outcome::None) | None => None,
        Some(_) => match outcome_on {
            None => {
                if p.get("outcome_on").is_none() {
                    p.push(Problem::new(
                        "outcome_on",
                        "记录成效时须填写成效日期",
                        "outcome_on is required when there is an outcome",
                    ));
                }
                None
            }
            Some(d) if d < started_on => {
                p.push(Problem::new(
                    "outcome_on",
                    "成效日期不能早于帮带开始日期",
                    "outcome_on cannot be before started_on",
                ));
                None
            }
            Some(d) if d > today => {
                p.push(Problem::new("outcome_on", "成效日期不能晚于今天", "outcome_on cannot be in the future"));
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
    pub kind: LeadKind,
    pub title: String,
    pub description: Option<String>,
    pub employer: Option<String>,
    pub contact: Option<String>,
    pub region_id: i64,
    pub expires_on: Option<NaiveDate>,
    pub status: LeadStatus,
}

/// A lead as sent (a PATCH is laid over the stored lead first).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct LeadInput {
    /// job or business
    #[serde(default, deserialize_with = "de::text")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub employer: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub contact: Option<String>,
    #[serde(default, deserialize_with = "de::int")]
    pub region_id: Option<i64>,
    /// YYYY-MM-DD
    #[serde(default, deserialize_with = "de::text")]
    pub expires_on: Option<String>,
    /// open (the default) or closed: closed takes it off the board
    #[serde(default, deserialize_with = "de::text")]
    pub status: Option<String>,
}

/// Checks a whole lead. A new lead may not already have expired; an old one
/// being closed keeps whatever date it had.
pub fn validate_lead(input: &LeadInput, today: NaiveDate, is_new: bool) -> Result<LeadDraft, Problems> {
    let mut problems = Problems::new();
    let p = &mut problems;
    let kind = one_of(
        p,
        "kind",
        input.kind.as_deref(),
        LeadKind::parse,
        "类型应为 job（招聘）或 business（创业项目）",
        "kind must be job or business",
    );
    let kind = check::required(p, "kind", kind);
    let title = check::required_text(p, "title", input.title.as_deref(), 80);
    let description = check::text(p, "description", input.description.as_deref(), 2000);
    let employer = check::text(p, "employer", input.employer.as_deref(), 80);
    let contact = check::text(p, "contact", input.contact.as_deref(), 80);
    let region_id = check::required(p, "region_id", input.region_id);
    let expires_on = check::date(p, "expires_on", input.expires_on.as_deref());
    let status = match input.status.as_deref() {
        None => Some(LeadStatus::Open),
        Some(s) => {
            one_of(p, "status", Some(s), LeadStatus::parse, "状态应为 open 或 closed", "status must be open or closed")
        }
    };
    if is_new && expires_on.is_some_and(|d| d < today) {
        p.push(Problem::new("expires_on", "截止日期已过", "expires_on is already past"));
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
    use serde_json::{json, Value};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).expect("date")
    }

    fn obj(v: Value) -> MentorshipInput {
        serde_json::from_value(v).expect("input")
    }

    fn lead(v: Value) -> LeadInput {
        serde_json::from_value(v).expect("input")
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
        assert_eq!((d.outcome, d.outcome_on, d.started_on), (Outcome::None, None, today()));
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
        let p = validate_lead(&lead(json!({"kind": "gig", "region_id": 1, "expires_on": "2026-01-01"})), today(), true)
            .expect_err("bad");
        for f in ["kind", "title", "expires_on"] {
            assert!(p.get(f).is_some(), "{f}");
        }
        let d = validate_lead(&lead(json!({"kind": "job", "title": "叉车司机", "region_id": 1})), today(), true)
            .expect("valid");
        assert_eq!(d.status, LeadStatus::Open);
    }
}
