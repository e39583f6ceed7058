//! Veterans help veterans (老兵带新兵): mentor pairs and their outcomes, and
//! the board of job and business leads.
//!
//! A mentee has one open pair at a time; a second one is a 409
//! (`mentee_has_open_mentorship`), because the request is well-formed and only
//! the current state forbids it: record the first pair's outcome, then pair again.

use super::care::{patch_int, patch_text};
use super::{list_scope, App, Caller, Error, Result};
use crate::domain::account::Role;
use crate::domain::error_code::ErrorCode;
use crate::domain::mentoring::{self as rules, MentorshipDraft};
pub use crate::domain::mentoring::{Goal, LeadInput, LeadKind, LeadStatus, MentorshipInput, Outcome};
use crate::domain::region::RegionKind;
use crate::domain::team::TeamKind;
use crate::domain::validation::Problem;
use crate::domain::volunteer::VolunteerStatus;
use crate::store::leads as lead_store;
pub use crate::store::leads::Lead;
use crate::store::mentoring as store;
pub use crate::store::mentoring::{Candidate, Mentorship};
use crate::store::regions::{self as region_store, Region};
use crate::store::teams as team_store;
use crate::store::volunteers::{self as volunteer_store, VolunteerRow};
use crate::store::StoreError;
use serde::Deserialize;
use utoipa::ToSchema;

/// Staff and administrators pair veterans and record outcomes; so does the
/// leader of a mentoring group (帮带小组), inside his own region.
pub async fn may_write(app: &App, caller: &Caller) -> Result<bool> {
    if caller.role.manages_roster() {
        return Ok(true);
    }
    let (Role::TeamLeader, Some(me)) = (caller.role, caller.volunteer_id) else { return Ok(false) };
    let groups = team_store::list(&app.db.pool, caller.scope_path(), Some(TeamKind::Mentoring)).await?;
    Ok(groups.iter().any(|t| t.leader_id == Some(me)))
}

fn store_error(e: StoreError) -> Error {
    match e {
        StoreError::Conflict(ErrorCode::MenteeHasOpenMentorship) => Error::conflict(
            ErrorCode::MenteeHasOpenMentorship,
            "该退役军人已有进行中的帮带，请先记录其成效",
            "This veteran already has an open mentorship; record its outcome first",
        ),
        e => e.into(),
    }
}

/// The pairs a caller reads: those of a region of their scope, or for a
/// volunteer the pairs he is part of, and nothing else.
pub async fn list(app: &App, caller: &Caller, region_id: Option<&str>) -> Result<Vec<Mentorship>> {
    if !caller.role.reads_roster() {
        let Some(me) = caller.volunteer_id else { return Err(Error::forbidden()) };
        return Ok(store::of_volunteer(&app.db.pool, me).await?);
    }
    let within = list_scope(app, caller, region_id).await?;
    Ok(store::list(&app.db.pool, &within, None).await?)
}

/// The pairs of the caller's scope whose mentor's or mentee's name holds
/// `words`, and with `outcome` `open` only those under way, `done` only those
/// that ended (anything else: all): the list page's search and its export.
pub async fn search(app: &App, caller: &Caller, words: &str, outcome: &str) -> Result<Vec<Mentorship>> {
    let words = words.trim().to_lowercase();
    Ok(list(app, caller, None)
        .await?
        .into_iter()
        .filter(|m| {
            words.is_empty()
                || m.mentor_name.to_lowercase().contains(&words)
                || m.mentee_name.to_lowercase().contains(&words)
        })
        .filter(|m| match outcome {
            "open" => m.outcome == Outcome::None,
            "done" => m.outcome != Outcome::None,
            _ => true,
        })
        .collect())
}

/// The pairs a volunteer is part of, wherever they are (his own page).
pub async fn of_volunteer(app: &App, volunteer_id: i64) -> Result<Vec<Mentorship>> {
    Ok(store::of_volunteer(&app.db.pool, volunteer_id).await?)
}

pub async fn show(app: &App, caller: &Caller, id: i64) -> Result<Mentorship> {
    let m = store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    if caller.volunteer_id.is_some_and(|me| me == m.mentor_id || me == m.mentee_id) {
        return Ok(m);
    }
    caller.ensure(caller.role.reads_roster())?;
    caller.ensure_covers(&m.region_path)?;
    Ok(m)
}

/// A volunteer of the pair: 404 when unknown, 403 outside the caller's scope.
async fn person(app: &App, caller: &Caller, id: i64) -> Result<VolunteerRow> {
    let v = volunteer_store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    caller.ensure_covers(&v.region_path)?;
    Ok(v)
}

/// Checks the people of a pair; the mentor must be active when he is chosen.
/// Returns the mentee's region, where the pair is counted.
async fn check_people(app: &App, caller: &Caller, d: &MentorshipDraft, new_mentor: bool) -> Result<i64> {
    let mentor = person(app, caller, d.mentor_id).await?;
    let mentee = person(app, caller, d.mentee_id).await?;
    if new_mentor && mentor.status != VolunteerStatus::Active {
        return Err(Error::field(Problem::new(
            "mentor_id",
            "导师须为在册志愿者",
            "the mentor must be an active volunteer",
        )));
    }
    Ok(mentee.region_id)
}

pub async fn create(app: &App, caller: &Caller, input: MentorshipInput) -> Result<Mentorship> {
    caller.ensure(may_write(app, caller).await?)?;
    let d = rules::validate(&input, crate::domain::clock::today()).map_err(Error::invalid)?;
    let region_id = check_people(app, caller, &d, true).await?;
    let record = caller.record("create", "mentorship", "", "");
    let id = store::create(&app.db.pool, &d, region_id, Some(&record)).await.map_err(store_error)?;
    store::get(&app.db.pool, id).await?.ok_or_else(Error::internal)
}

/// A PATCH of a pair: a field given overrides the stored one; `null` clears
/// notes and the outcome's date. Outcome none clears outcome_on.
#[derive(Deserialize, ToSchema, Default, Debug)]
pub struct MentorshipPatch {
    #[serde(default, deserialize_with = "patch_int")]
    #[schema(value_type = Option<i64>)]
    pub mentor_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "patch_int")]
    #[schema(value_type = Option<i64>)]
    pub mentee_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub goal: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub started_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub outcome: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub outcome_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

pub async fn update(app: &App, caller: &Caller, id: i64, patch: MentorshipPatch) -> Result<Mentorship> {
    let current = show(app, caller, id).await?;
    caller.ensure(may_write(app, caller).await? && caller.covers(&current.region_path))?;
    let merged = MentorshipInput {
        mentor_id: patch.mentor_id.unwrap_or(Some(current.mentor_id)),
        mentee_id: patch.mentee_id.unwrap_or(Some(current.mentee_id)),
        goal: patch.goal.unwrap_or(Some(current.goal.as_str().to_string())),
        started_on: patch.started_on.unwrap_or(Some(current.started_on.to_string())),
        // a null outcome is read as none, the state of a pair under way
        outcome: patch.outcome.unwrap_or(Some(current.outcome.as_str().to_string())),
        outcome_on: patch.outcome_on.unwrap_or(current.outcome_on.map(|d| d.to_string())),
        notes: patch.notes.unwrap_or(current.notes.clone()),
    };
    let d = rules::validate(&merged, crate::domain::clock::today()).map_err(Error::invalid)?;
    let region_id = check_people(app, caller, &d, d.mentor_id != current.mentor_id).await?;
    let record = caller.record("update", "mentorship", id, d.outcome.as_str());
    store::update(&app.db.pool, id, &d, region_id, &record).await.map_err(store_error)?;
    store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)
}

/// Who the pairing form offers, when the caller may pair at all: active
/// veterans of their scope, the most recently discharged first.
pub async fn candidates(app: &App, caller: &Caller, words: &str, unpaired: bool, limit: i64) -> Result<Vec<Candidate>> {
    if !may_write(app, caller).await? {
        return Ok(vec![]);
    }
    Ok(store::candidates(&app.db.pool, caller.scope_path(), words, unpaired, limit.clamp(1, 50)).await?)
}

/// One person the pairing form offers, by id, when the caller may pair.
pub async fn candidate(app: &App, caller: &Caller, id: i64) -> Result<Option<Candidate>> {
    if !may_write(app, caller).await? {
        return Ok(None);
    }
    Ok(store::candidate(&app.db.pool, caller.scope_path(), id).await?)
}

// ---- the leads board ----

/// The leads a caller reads. A volunteer reads the open, unexpired leads of
/// his own region, the regions above it and below it; others list the leads
/// of a region of their scope, open ones by default.
pub async fn leads(app: &App, caller: &Caller, region_id: Option<&str>, status: Option<&str>) -> Result<Vec<Lead>> {
    if !caller.role.reads_roster() {
        return Ok(lead_store::board_for(&app.db.pool, caller.scope_path(), crate::domain::clock::today()).await?);
    }
    let within = list_scope(app, caller, region_id).await?;
    let status = match status.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("open") {
        "all" => None,
        s => Some(LeadStatus::parse(s).ok_or_else(|| {
            Error::field(Problem::new("status", "状态应为 open、closed 或 all", "status must be open, closed or all"))
        })?),
    };
    Ok(lead_store::list(&app.db.pool, &within, status).await?)
}

pub async fn lead(app: &App, caller: &Caller, id: i64) -> Result<Lead> {
    let l = lead_store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    // a lead of the caller's region, above it or below it is on his board
    let scope = caller.scope_path();
    if caller.covers(&l.region_path) || (!caller.role.reads_roster() && scope.starts_with(&l.region_path)) {
        Ok(l)
    } else {
        Err(Error::forbidden())
    }
}

/// The lead's region must exist (422) and lie in the caller's scope (403).
async fn checked_lead(app: &App, caller: &Caller, input: &LeadInput, is_new: bool) -> Result<rules::LeadDraft> {
    let d = rules::validate_lead(input, crate::domain::clock::today(), is_new).map_err(Error::invalid)?;
    let region = region_store::get(&app.db.pool, d.region_id)
        .await?
        .ok_or_else(|| Error::field(Problem::about("region_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&region.path)?;
    Ok(d)
}

pub async fn post_lead(app: &App, caller: &Caller, input: LeadInput) -> Result<Lead> {
    caller.ensure(caller.role.manages_roster())?;
    let d = checked_lead(app, caller, &input, true).await?;
    let record = caller.record("create", "lead", "", "");
    let id = lead_store::create(&app.db.pool, &d, caller.user_id, Some(&record)).await?;
    lead_store::get(&app.db.pool, id).await?.ok_or_else(Error::internal)
}

/// A PATCH of a lead: a field given overrides the stored one; `null` clears
/// an optional one. `{"status": "closed"}` takes it off the board.
#[derive(Deserialize, ToSchema, Default, Debug)]
pub struct LeadPatch {
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub kind: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub employer: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub contact: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_int")]
    #[schema(value_type = Option<i64>)]
    pub region_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub expires_on: Option<Option<String>>,
    /// open or closed
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub status: Option<Option<String>>,
}

pub async fn update_lead(app: &App, caller: &Caller, id: i64, patch: LeadPatch) -> Result<Lead> {
    let current = lead_store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    caller.ensure(caller.role.manages_roster() && caller.covers(&current.region_path))?;
    let merged = LeadInput {
        kind: patch.kind.unwrap_or(Some(current.kind.as_str().to_string())),
        title: patch.title.unwrap_or(Some(current.title)),
        description: patch.description.unwrap_or(current.description),
        employer: patch.employer.unwrap_or(current.employer),
        contact: patch.contact.unwrap_or(current.contact),
        region_id: patch.region_id.unwrap_or(Some(current.region_id)),
        expires_on: patch.expires_on.unwrap_or(current.expires_on.map(|d| d.to_string())),
        status: patch.status.unwrap_or(Some(current.status.as_str().to_string())),
    };
    let d = checked_lead(app, caller, &merged, false).await?;
    let record = caller.record("update", "lead", id, d.status.as_str());
    lead_store::update(&app.db.pool, id, &d, &record).await?;
    lead_store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)
}

/// Closes a lead: it leaves the board.
pub async fn close_lead(app: &App, caller: &Caller, id: i64) -> Result<Lead> {
    let patch = LeadPatch { status: Some(Some(LeadStatus::Closed.as_str().to_string())), ..LeadPatch::default() };
    update_lead(app, caller, id, patch).await
}

/// Where a caller may post a lead: their own region and the villages in it
/// (not grids); nothing for those who do not post.
pub async fn lead_regions(app: &App, caller: &Caller) -> Result<Vec<Region>> {
    if !caller.role.manages_roster() {
        return Ok(vec![]);
    }
    Ok(region_store::list(&app.db.pool, Some(caller.scope_path()), None)
        .await?
        .into_iter()
        .filter(|r| r.kind() != RegionKind::Grid)
        .collect())
}
