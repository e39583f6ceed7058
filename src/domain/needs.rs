//! The needs workflow: submitted (待审核) → dispatched (已派单) → accepted (服务中)
//! → completed (已完成) → rated (已评价), or rejected with a reason, or
//! cancelled. Which moves are allowed from which state is decided here, and
//! so are the rules of an emergency call-out (紧急召集).

use super::category::{category_code, is_emergency};
use super::geo::LatLon;
use super::input::de;
use super::text::non_empty;
use super::validation::{Problem, Problems};
use super::volunteer::skill_code;
use chrono::{DateTime, Utc};
use serde::Deserializer;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// A state kept as text in the database and the JSON: `as_str` is both, and
/// rows are read back through `TryFrom<String>` (`#[sqlx(try_from = "String")]`),
/// which works alike on SQLite and PostgreSQL TEXT columns.
macro_rules! text_enum {
    ($name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::parse(&s).ok_or_else(|| format!("unknown {} `{s}`", stringify!($name)))
            }
        }
    };
}

/// The number a need is known by on the phone (`XQ2026000042`): the year it
/// was filed, Beijing time, and its id.
pub fn reference(id: i64, filed_at: DateTime<Utc>) -> String {
    format!("XQ{}{:06}", super::clock::local_date(filed_at).format("%Y"), id)
}

/// Where a need is in its workflow.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum NeedStatus {
    Submitted,
    Dispatched,
    Accepted,
    Completed,
    Rated,
    Rejected,
    Cancelled,
}

text_enum!(NeedStatus {
    Submitted = "submitted",
    Dispatched = "dispatched",
    Accepted = "accepted",
    Completed = "completed",
    Rated = "rated",
    Rejected = "rejected",
    Cancelled = "cancelled",
});

impl NeedStatus {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            NeedStatus::Submitted => ("待审核", "Submitted"),
            NeedStatus::Dispatched => ("已派单", "Dispatched"),
            NeedStatus::Accepted => ("服务中", "Accepted"),
            NeedStatus::Completed => ("已完成", "Completed"),
            NeedStatus::Rated => ("已评价", "Rated"),
            NeedStatus::Rejected => ("已驳回", "Rejected"),
            NeedStatus::Cancelled => ("已取消", "Cancelled"),
        }
    }

    /// Still waiting for someone to do it: its deadline counts.
    pub fn is_open(self) -> bool {
        matches!(self, NeedStatus::Submitted | NeedStatus::Dispatched | NeedStatus::Accepted)
    }

    /// What it asks for may still be changed (nobody has taken it on).
    pub fn is_editable(self) -> bool {
        matches!(self, NeedStatus::Submitted | NeedStatus::Dispatched)
    }
}

/// Who filed a need.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum NeedSource {
    /// Station staff or a team leader.
    Staff,
    /// A grid worker.
    Grid,
    /// A volunteer, for themselves.
    #[serde(rename = "self")]
    Myself,
    /// The public form.
    Public,
}

text_enum!(NeedSource { Staff = "staff", Grid = "grid", Myself = "self", Public = "public" });

/// A volunteer's offer of a need.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum OfferStatus {
    Offered,
    Accepted,
    Declined,
    Withdrawn,
}

text_enum!(OfferStatus { Offered = "offered", Accepted = "accepted", Declined = "declined", Withdrawn = "withdrawn" });

impl OfferStatus {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            OfferStatus::Offered => ("待答复", "Waiting for an answer"),
            OfferStatus::Accepted => ("已接单", "Accepted"),
            OfferStatus::Declined => ("已婉拒", "Declined"),
            OfferStatus::Withdrawn => ("已撤回", "Withdrawn"),
        }
    }

    /// Offered or taken: not to be suggested again.
    pub fn is_live(self) -> bool {
        matches!(self, OfferStatus::Offered | OfferStatus::Accepted)
    }
}

/// Whether a call-out is still taking answers.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum MobilizationStatus {
    Open,
    Closed,
}

text_enum!(MobilizationStatus { Open = "open", Closed = "closed" });

impl MobilizationStatus {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            MobilizationStatus::Open => ("召集中", "Open"),
            MobilizationStatus::Closed => ("已结束", "Closed"),
        }
    }
}

/// A volunteer's answer to a call-out.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Yes,
    No,
}

text_enum!(Answer { Yes = "yes", No = "no" });

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Dispatch,
    Accept,
    Decline,
    Complete,
    Rate,
    Reject,
    Cancel,
}

/// Whether a move is allowed from a status; `full` says every needed
/// volunteer has accepted.
pub fn allowed(status: NeedStatus, m: Move, full: bool) -> bool {
    use NeedStatus::*;
    match m {
        Move::Dispatch => matches!(status, Submitted | Dispatched) || (status == Accepted && !full),
        Move::Accept => matches!(status, Dispatched | Accepted) && !full,
        Move::Decline => matches!(status, Dispatched | Accepted),
        Move::Complete => status == Accepted,
        Move::Rate => status == Completed,
        Move::Reject => matches!(status, Submitted | Dispatched),
        Move::Cancel => matches!(status, Submitted | Dispatched | Accepted),
    }
}

/// The checks `domain::input::Fields` made on a map, made on a typed field:
/// tidied text, empty counts as absent, at most `max_chars` characters.
pub fn text(field: &str, v: Option<&str>, max_chars: usize, problems: &mut Problems) -> Option<String> {
    let t = super::text::typed(field, v)?;
    if t.chars().count() > max_chars {
        problems.push(Problem::about(
            field,
            &format!("不能超过{max_chars}个字"),
            &format!("must be at most {max_chars} characters"),
        ));
        return None;
    }
    Some(t)
}

/// Like `text`, and "is required" when absent.
pub fn required_text(field: &str, v: Option<&str>, max_chars: usize, problems: &mut Problems) -> Option<String> {
    let before = problems.0.len();
    let t = text(field, v, max_chars, problems);
    if t.is_none() && problems.0.len() == before {
        problems.push(Problem::required(field));
    }
    t
}

/// A whole number that must be there.
pub fn required_int(field: &str, v: Option<i64>, problems: &mut Problems) -> Option<i64> {
    if v.is_none() {
        problems.push(Problem::required(field));
    }
    v
}

/// A time with its offset (RFC 3339), as the API writes times.
pub fn time(field: &str, v: Option<&str>, problems: &mut Problems) -> Option<DateTime<Utc>> {
    let s = text(field, v, 40, problems)?;
    match DateTime::parse_from_rfc3339(&s) {
        Ok(t) => Some(t.to_utc()),
        Err(_) => {
            problems.push(Problem::about(
                field,
                "应为带时区的时间，如 2026-05-01T08:00:00+08:00",
                "must be a time with offset, such as 2026-05-01T08:00:00+08:00",
            ));
            None
        }
    }
}

/// A known category, by code or by its Chinese or English name.
fn category(v: Option<&str>, problems: &mut Problems) -> Option<String> {
    let c = required_text("category", v, 40, problems)?;
    let code = category_code(&c);
    if code.is_none() {
        problems.push(Problem::about("category", "不在可选类别中", "is not a known category"));
    }
    code.map(str::to_string)
}

/// Known skills as codes, each once, at most eight.
fn skills(items: &[String], dedup: bool, problems: &mut Problems) -> Vec<String> {
    let mut given: Vec<String> = Vec::new();
    for i in items.iter().filter_map(|s| non_empty(Some(s))) {
        if !given.contains(&i) {
            given.push(i);
        }
    }
    if given.len() > 8 {
        problems.push(Problem::about("required_skills", "最多8项", "may hold at most 8 items"));
        return Vec::new();
    }
    let mut out = Vec::new();
    for s in given {
        match skill_code(&s) {
            Some(c) if dedup && out.contains(&c.to_string()) => {}
            Some(c) => out.push(c.to_string()),
            None => problems.push(Problem::about(
                "required_skills",
                &format!("“{s}”不是可选技能"),
                &format!("'{s}' is not a known skill"),
            )),
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
pub struct NeedDraft {
    pub title: String,
    pub category: String,
    pub description: Option<String>,
    pub region_id: i64,
    pub place: Option<String>,
    pub position: Option<LatLon>,
    pub required_skills: Vec<String>,
    pub volunteers_needed: i64,
    pub due_at: Option<DateTime<Utc>>,
    pub filed_at: Option<DateTime<Utc>>,
    pub requester_name: Option<String>,
    pub requester_phone: Option<super::phone::Phone>,
}

pub fn validate(input: &NeedInput, now: DateTime<Utc>) -> Result<NeedDraft, Problems> {
    let mut problems = Problems::new();
    let p = &mut problems;
    let title = required_text("title", input.title.as_deref(), 80, p);
    let category = category(input.category.as_deref(), p);
    let description = text("description", input.description.as_deref(), 2000, p);
    let region_id = required_int("region_id", input.region_id, p);
    let place = text("place", input.place.as_deref(), 100, p);
    let skills = skills(input.required_skills.as_deref().unwrap_or_default(), true, p);
    let needed = input.volunteers_needed.unwrap_or(1);
    let due_at = time("due_at", input.due_at.as_deref(), p);
    let filed_at = time("filed_at", input.filed_at.as_deref(), p);
    let requester_name = text("requester_name", input.requester_name.as_deref(), 32, p);
    let phone = text("requester_phone", input.requester_phone.as_deref(), 40, p);
    let requester_phone = phone.and_then(|ph| match super::phone::Phone::parse(&ph) {
        Ok(ph) => Some(ph),
        Err(mut e) => {
            e.field = "requester_phone".into();
            e.zh = e.zh.replacen("手机号", "联系电话", 1);
            problems.push(e);
            None
        }
    });
    let position = LatLon::parse_pair(input.lat, input.lon, &mut problems);
    if !(1..=500).contains(&needed) {
        problems.push(Problem::about("volunteers_needed", "应在1到500之间", "must be between 1 and 500"));
    }
    if let Some(filed) = filed_at {
        if filed > now + chrono::Duration::minutes(5) {
            problems.push(Problem::about("filed_at", "不能晚于现在", "cannot be in the future"));
        }
    }
    if let (Some(due), Some(filed)) = (due_at, filed_at.or(Some(now))) {
        if due < filed {
            problems.push(Problem::about("due_at", "不能早于提出时间", "cannot be before the need was filed"));
        }
    }
    match (title, category, region_id) {
        (Some(title), Some(category), Some(region_id)) if problems.is_empty() => Ok(NeedDraft {
            title,
            category,
            description,
            region_id,
            place,
            position,
            required_skills: skills,
            volunteers_needed: needed,
            due_at,
            filed_at,
            requester_name,
            requester_phone,
        }),
        _ => Err(problems),
    }
}

/// Who served a need, and from when to when.
#[derive(Debug, Clone, PartialEq)]
pub struct ServedSpan {
    pub volunteer_id: i64,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
}

/// What a completed need achieved.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcomes {
    pub beneficiaries: i64,
    pub households_relocated: i64,
    pub persons_relocated: i64,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompletionDraft {
    pub completed_at: DateTime<Utc>,
    pub served: Vec<ServedSpan>,
    pub outcomes: Outcomes,
}

fn served_span(item: &ServedInput) -> Option<ServedSpan> {
    // each item's own problems are summed up in one line about `service`
    let mut scratch = Problems::new();
    let v = item.volunteer_id;
    let s = time("started_at", item.started_at.as_deref(), &mut scratch);
    let e = time("ended_at", item.ended_at.as_deref(), &mut scratch);
    match (v, s, e) {
        (Some(v), Some(s), Some(e)) if e > s && e - s <= chrono::Duration::hours(24) => {
            Some(ServedSpan { volunteer_id: v, started_at: s, ended_at: e })
        }
        _ => None,
    }
}

/// A completion: who served (at least one, each span under a day), when, and what came of it.
pub fn validate_completion(input: &Completion, now: DateTime<Utc>) -> Result<CompletionDraft, Problems> {
    let mut problems = Problems::new();
    let completed_at = time("completed_at", input.completed_at.as_deref(), &mut problems).unwrap_or(now);
    let mut served = Vec::new();
    match input.service.as_deref() {
        Some(items) if !items.is_empty() => {
            for item in items {
                match served_span(item) {
                    Some(s) => served.push(s),
                    None => {
                        problems.push(Problem::about(
                            "service",
                            "每项需有志愿者、开始和结束时间，且结束晚于开始",
                            "each item needs volunteer_id, started_at and a later ended_at",
                        ));
                        break;
                    }
                }
            }
        }
        _ => problems.push(Problem::about(
            "service",
            "至少记录一名志愿者的服务时间",
            "must record at least one volunteer's service",
        )),
    }
    if completed_at > now + chrono::Duration::minutes(5) {
        problems.push(Problem::about("completed_at", "不能晚于现在", "cannot be in the future"));
    }
    let o = input.outcomes.clone().unwrap_or_default();
    let outcomes = Outcomes {
        beneficiaries: o.beneficiaries.unwrap_or(0).max(0),
        households_relocated: o.households_relocated.unwrap_or(0).max(0),
        persons_relocated: o.persons_relocated.unwrap_or(0).max(0),
        notes: text("notes", o.notes.as_deref(), 2000, &mut problems),
    };
    problems.finish(CompletionDraft { completed_at, served, outcomes })
}

/// A rejection's or cancellation's reason: required, at most 500 characters.
pub fn validate_reason(reason: Option<&str>) -> Result<String, Problems> {
    let mut problems = Problems::new();
    let r = required_text("reason", reason, 500, &mut problems);
    match r {
        Some(r) if problems.is_empty() => Ok(r),
        _ => Err(problems),
    }
}

/// A rating: 1 to 5 stars and an optional comment.
pub fn validate_rating(input: &Rating) -> Result<(i64, Option<String>), Problems> {
    let mut problems = Problems::new();
    let stars = required_int("stars", input.stars, &mut problems);
    let comment = text("comment", input.comment.as_deref(), 500, &mut problems);
    if stars.is_some_and(|s| !(1..=5).contains(&s)) {
        problems.push(Problem::about("stars", "应为1到5星", "must be 1 to 5"));
    }
    match stars {
        Some(stars) if problems.is_empty() => Ok((stars, comment)),
        _ => Err(problems),
    }
}

/// The volunteers a dispatch offers the need to: 1 to 200 of them.
pub fn validate_dispatch_ids(ids: &[i64]) -> Result<(), Problem> {
    if ids.is_empty() || ids.len() > 200 {
        return Err(Problem::about(
            "volunteer_ids",
            "应为1到200个志愿者编号的列表",
            "must list 1 to 200 volunteer ids",
        ));
    }
    Ok(())
}

/// Emergency work goes out only with accident insurance confirmed.
pub fn check_insurance(category: &str, insurance: bool) -> Result<(), Problem> {
    if is_emergency(category) && !insurance {
        return Err(Problem::about(
            "insurance",
            "抢险救灾类派单前须确认已购买意外保险",
            "must be confirmed before dispatching flood relief or rescue work",
        ));
    }
    Ok(())
}

/// A call-out as validated: where, how far, with which skills, how many.
#[derive(Debug, Clone, PartialEq)]
pub struct MobilizationDraft {
    pub title: String,
    pub category: String,
    pub pos: LatLon,
    pub radius_km: f64,
    pub required_skills: Vec<String>,
    pub headcount: i64,
    pub region_id: Option<i64>,
    pub insurance: bool,
}

pub fn validate_mobilization(input: &MobilizationInput) -> Result<MobilizationDraft, Problems> {
    let mut problems = Problems::new();
    let p = &mut problems;
    let title = required_text("title", input.title.as_deref(), 80, p);
    let category = category(input.category.as_deref(), p);
    let (lat, lon) = (input.lat, input.lon);
    let radius = input.radius_km;
    let headcount = input.headcount.unwrap_or(0);
    let insurance = input.insurance.unwrap_or(false);
    let skills = skills(&input.required_skills, false, p);
    if lat.is_none() && problems.get("lat").is_none() {
        problems.push(Problem::required("lat"));
    }
    if lon.is_none() && problems.get("lon").is_none() {
        problems.push(Problem::required("lon"));
    }
    let pos = LatLon::parse_pair(lat, lon, &mut problems);
    if !radius.is_some_and(|r| r > 0.0 && r <= 200.0) {
        problems.push(Problem::new(
            "radius_km",
            "召集半径应在0到200公里之间",
            "radius_km must be more than 0 and at most 200",
        ));
    }
    if !(0..=100_000).contains(&headcount) {
        problems.push(Problem::new("headcount", "所需人数不正确", "headcount must be 0 to 100000"));
    }
    if category.as_deref().is_some_and(is_emergency) && !insurance {
        problems.push(Problem::about(
            "insurance",
            "抢险救灾须先确认已购买意外保险",
            "must be confirmed before calling people to flood relief or rescue",
        ));
    }
    match (title, category, pos, radius) {
        (Some(title), Some(category), Some(pos), Some(radius_km)) if problems.is_empty() => Ok(MobilizationDraft {
            title,
            category,
            pos,
            radius_km,
            required_skills: skills,
            headcount,
            region_id: input.region_id,
            insurance,
        }),
        _ => Err(problems),
    }
}

/// A yes or no to a call-out, for a volunteer.
pub fn validate_response(input: &CallAnswer) -> Result<(i64, Answer), Problems> {
    let mut problems = Problems::new();
    let v = required_int("volunteer_id", input.volunteer_id, &mut problems);
    let answer = required_text("answer", input.answer.as_deref(), 5, &mut problems);
    let answer = match answer.as_deref() {
        Some(a) => match Answer::parse(a) {
            Some(a) => Some(a),
            None => {
                problems.push(Problem::new("answer", "应为 yes 或 no", "answer must be yes or no"));
                None
            }
        },
        None => None,
    };
    match (v, answer) {
        (Some(v), Some(a)) => Ok((v, a)),
        _ => Err(problems),
    }
}

/// A call-out's figures and state after a change, over what is stored.
pub fn validate_mobilization_patch(
    input: &MobilizationPatch,
    households: i64,
    persons: i64,
    status: MobilizationStatus,
) -> Result<(i64, i64, MobilizationStatus), Problems> {
    let mut problems = Problems::new();
    let households = input.households_relocated.unwrap_or(households);
    let persons = input.persons_relocated.unwrap_or(persons);
    let status = match text("status", input.status.as_deref(), 10, &mut problems) {
        None => Some(status),
        Some(s) => MobilizationStatus::parse(&s),
    };
    if households < 0 || persons < 0 {
        problems.push(Problem::new(
            "persons_relocated",
            "转移户数和人数不能为负",
            "relocated counts must not be negative",
        ));
    }
    if status.is_none() {
        problems.push(Problem::about("status", "应为 open 或 closed", "must be open or closed"));
    }
    match status {
        Some(s) if problems.is_empty() => Ok((households, persons, s)),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use NeedStatus::*;

    #[test]
    fn the_workflow_allows_only_forward_moves() {
        assert!(allowed(Submitted, Move::Dispatch, false));
        assert!(!allowed(Submitted, Move::Accept, false));
        assert!(allowed(Dispatched, Move::Accept, false));
        assert!(!allowed(Accepted, Move::Accept, true), "a full need takes no more");
        assert!(allowed(Accepted, Move::Complete, true));
        assert!(!allowed(Accepted, Move::Rate, true), "rating a need that is not completed");
        assert!(allowed(Completed, Move::Rate, true));
        assert!(!allowed(Completed, Move::Cancel, true));
        assert!(!allowed(Rated, Move::Rate, true));
        assert!(allowed(Dispatched, Move::Reject, false));
        assert!(!allowed(Accepted, Move::Reject, false));
    }

    #[test]
    fn states_read_and_write_the_contract_strings() {
        for s in NeedStatus::ALL {
            assert_eq!(NeedStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).expect("json"), serde_json::json!(s.as_str()));
        }
        assert_eq!(serde_json::to_value(NeedSource::Myself).expect("json"), serde_json::json!("self"));
        assert_eq!(NeedSource::parse("self"), Some(NeedSource::Myself));
        for a in Answer::ALL {
            assert_eq!(serde_json::to_value(a).expect("json"), serde_json::json!(a.as_str()));
        }
    }
}

// The typed inputs of the needs' and mobilisations' use cases: what the API's
// JSON and the pages' forms parse into, and what the validators above read.

/// A list that a PATCH may set to empty: absent is `None`, given is `Some`.
fn some_list<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Vec<String>>, D::Error> {
    de::list(d).map(Some)
}

/// Ids, with the message of the field they are for.
fn ids_for<'de, D: Deserializer<'de>>(d: D, zh: &str, en: &str) -> std::result::Result<Option<Vec<i64>>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(v) => de::ids(v).map(Some).map_err(|_| serde::de::Error::custom(format!("{zh}|{en}"))),
    }
}

fn volunteer_ids<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Vec<i64>>, D::Error> {
    ids_for(d, "应为1到200个志愿者编号的列表", "must list 1 to 200 volunteer ids")
}

fn need_ids<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Vec<i64>>, D::Error> {
    ids_for(d, "应为需求编号列表", "need_ids must be a list of need ids")
}

/// A need as filed, or the fields a PATCH changes (what it leaves out stays).
#[derive(Deserialize, ToSchema, Default, Clone, Debug)]
pub struct NeedInput {
    #[serde(default, deserialize_with = "de::text")]
    pub title: Option<String>,
    /// A category code, or its Chinese or English name.
    #[serde(default, deserialize_with = "de::text")]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "de::int")]
    pub region_id: Option<i64>,
    #[serde(default, deserialize_with = "de::text")]
    pub place: Option<String>,
    #[serde(default, deserialize_with = "de::float")]
    pub lat: Option<f64>,
    #[serde(default, deserialize_with = "de::float")]
    pub lon: Option<f64>,
    /// Skill codes or names (a list, or one text separated by commas).
    #[serde(default, deserialize_with = "some_list")]
    pub required_skills: Option<Vec<String>>,
    /// 1–500 (default 1).
    #[serde(default, deserialize_with = "de::int")]
    pub volunteers_needed: Option<i64>,
    /// RFC 3339; the town's deadline for the category when left out.
    #[serde(default, deserialize_with = "de::text")]
    pub due_at: Option<String>,
    /// RFC 3339; now when left out. A PATCH does not change it.
    #[serde(default, deserialize_with = "de::text")]
    pub filed_at: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub requester_name: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub requester_phone: Option<String>,
}

/// A change to a need: the fields sent override what is stored, and null
/// clears one (a required field cleared is then named as missing). The
/// filing time, status and source are never changed this way.
#[derive(Deserialize, ToSchema, Default, Clone, Debug)]
pub struct NeedPatch {
    #[serde(default, deserialize_with = "super::input::present::text")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::input::present::text")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::input::present::text")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::input::present::int")]
    #[schema(value_type = Option<i64>)]
    pub region_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "super::input::present::text")]
    #[schema(value_type = Option<String>)]
    pub place: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::input::present::float")]
    #[schema(value_type = Option<f64>)]
    pub lat: Option<Option<f64>>,
    #[serde(default, deserialize_with = "super::input::present::float")]
    #[schema(value_type = Option<f64>)]
    pub lon: Option<Option<f64>>,
    #[serde(default, deserialize_with = "super::input::present::list")]
    pub required_skills: Option<Vec<String>>,
    #[serde(default, deserialize_with = "super::input::present::int")]
    #[schema(value_type = Option<i64>)]
    pub volunteers_needed: Option<Option<i64>>,
    #[serde(default, deserialize_with = "super::input::present::text")]
    #[schema(value_type = Option<String>)]
    pub due_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::input::present::text")]
    #[schema(value_type = Option<String>)]
    pub requester_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::input::present::text")]
    #[schema(value_type = Option<String>)]
    pub requester_phone: Option<Option<String>>,
}

impl NeedPatch {
    /// This change laid over `current` (the need as stored, as an input).
    pub fn over(self, c: NeedInput) -> NeedInput {
        NeedInput {
            title: self.title.unwrap_or(c.title),
            category: self.category.unwrap_or(c.category),
            description: self.description.unwrap_or(c.description),
            region_id: self.region_id.unwrap_or(c.region_id),
            place: self.place.unwrap_or(c.place),
            lat: self.lat.unwrap_or(c.lat),
            lon: self.lon.unwrap_or(c.lon),
            required_skills: self.required_skills.or(c.required_skills),
            volunteers_needed: self.volunteers_needed.unwrap_or(c.volunteers_needed),
            due_at: self.due_at.unwrap_or(c.due_at),
            requester_name: self.requester_name.unwrap_or(c.requester_name),
            requester_phone: self.requester_phone.unwrap_or(c.requester_phone),
            filed_at: c.filed_at,
        }
    }
}

/// Why a need is rejected or cancelled.
#[derive(Deserialize, ToSchema, Default, Clone, Debug)]
pub struct Reason {
    /// Required, at most 500 characters.
    #[serde(default, deserialize_with = "de::text")]
    pub reason: Option<String>,
}

#[derive(Deserialize, ToSchema, Default, Clone, Debug)]
pub struct Dispatch {
    /// 1 to 200 volunteers to offer the need to.
    #[serde(default, deserialize_with = "volunteer_ids")]
    pub volunteer_ids: Option<Vec<i64>>,
    /// Accident insurance is in place (required for flood relief and emergency rescue).
    #[serde(default, deserialize_with = "de::flag")]
    pub insurance: Option<bool>,
}

/// A volunteer's answer to an offer: theirs, or given by phone and recorded by staff.
#[derive(Deserialize, ToSchema, Default, Clone, Debug)]
pub struct OfferAnswer {
    #[serde(default, deserialize_with = "de::int")]
    pub volunteer_id: Option<i64>,
    /// Why not (declining only), at most 200 characters.
    #[serde(default, deserialize_with = "de::text")]
    pub reason: Option<String>,
}

/// One volunteer's service on a need.
#[derive(Deserialize, ToSchema, Default, Clone, Debug)]
pub struct ServedInput {
    #[serde(default, deserialize_with = "de::int")]
    pub volunteer_id: Option<i64>,
    #[serde(default, deserialize_with = "de::text")]
    pub started_at: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub ended_at: Option<String>,
}

/// What came of a need.
#[derive(Deserialize, ToSchema, Default, Clone, Debug)]
pub struct OutcomesInput {
    #[serde(default, deserialize_with = "de::int")]
    pub beneficiaries: Option<i64>,
    #[serde(default, deserialize_with = "de::int")]
    pub households_relocated: Option<i64>,
    #[serde(default, deserialize_with = "de::int")]
    pub persons_relocated: Option<i64>,
    #[serde(default, deserialize_with = "de::text")]
    pub notes: Option<String>,
}

#[derive(Deserialize, ToSchema, Default, Clone, Debug)]
pub struct Completion {
    /// RFC 3339; now when left out.
    #[serde(default, deserialize_with = "de::text")]
    pub completed_at: Option<String>,
    /// Who served, from when to when: at least one, each of them accepted.
    #[serde(default)]
    pub service: Option<Vec<ServedInput>>,
    #[serde(default)]
    pub outcomes: Option<OutcomesInput>,
}

#[derive(Deserialize, ToSchema, Default, Clone, Debug)]
pub struct Rating {
    /// 1–5
    #[serde(default, deserialize_with = "de::int")]
    pub stars: Option<i64>,
    #[serde(default, deserialize_with = "de::text")]
    pub comment: Option<String>,
}

#[derive(Deserialize, ToSchema, Default, Clone, Debug)]
pub struct BatchDispatch {
    /// The needs to dispatch; every submitted need in scope when left out.
    #[serde(default, deserialize_with = "need_ids")]
    pub need_ids: Option<Vec<i64>>,
}

/// A call-out: where, how far out to call, whom and how many.
#[derive(Deserialize, ToSchema, Default, Clone, Debug)]
pub struct MobilizationInput {
    #[serde(default, deserialize_with = "de::text")]
    pub title: Option<String>,
    /// A category code, or its Chinese or English name.
    #[serde(default, deserialize_with = "de::text")]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "de::float")]
    pub lat: Option<f64>,
    #[serde(default, deserialize_with = "de::float")]
    pub lon: Option<f64>,
    /// More than 0, at most 200.
    #[serde(default, deserialize_with = "de::float")]
    pub radius_km: Option<f64>,
    /// Everyone called has all of these.
    #[serde(default, deserialize_with = "de::list")]
    pub required_skills: Vec<String>,
    /// People wanted, 0–100000.
    #[serde(default, deserialize_with = "de::int")]
    pub headcount: Option<i64>,
    /// Where it is filed; the caller's first region when left out.
    #[serde(default, deserialize_with = "de::int")]
    pub region_id: Option<i64>,
    /// Accident insurance is in place (required for flood relief and emergency rescue).
    #[serde(default, deserialize_with = "de::flag")]
    pub insurance: Option<bool>,
}

/// A volunteer's yes or no.
#[derive(Deserialize, ToSchema, Default, Clone, Debug)]
pub struct CallAnswer {
    #[serde(default, deserialize_with = "de::int")]
    pub volunteer_id: Option<i64>,
    /// yes or no
    #[serde(default, deserialize_with = "de::text")]
    pub answer: Option<String>,
}

/// What a PATCH changes; what it leaves out stays.
#[derive(Deserialize, ToSchema, Default, Clone, Debug)]
pub struct MobilizationPatch {
    #[serde(default, deserialize_with = "de::int")]
    pub households_relocated: Option<i64>,
    #[serde(default, deserialize_with = "de::int")]
    pub persons_relocated: Option<i64>,
    /// open or closed
    #[serde(default, deserialize_with = "de::text")]
    pub status: Option<String>,
}
