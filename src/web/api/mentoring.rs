//! `/api/v1/mentorships`: veterans help veterans (老兵带新兵).
//!
//! A mentee has one open pair at a time; a second one is a 409
//! (`mentee_has_open_mentorship`), because the request is well-formed and only
//! the current state forbids it: record the first pair's outcome, then pair again.

use super::{list_scope, Body};
use crate::domain::account::Role;
use crate::domain::mentoring::{self as rules, MentorshipDraft};
use crate::domain::team::TeamKind;
use crate::domain::validation::Problem;
use crate::store::mentoring::{self as store, Mentorship};
use crate::store::teams as team_store;
use crate::store::volunteers::{self as volunteer_store, VolunteerRow};
use crate::store::StoreError;
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct MentorshipQuery {
    /// Only pairs whose mentee lives in this region's subtree.
    pub region_id: Option<String>,
}

/// Staff and administrators pair veterans and record outcomes; so does the
/// leader of a mentoring group (帮带小组), inside his own region.
pub async fn may_write(state: &AppState, caller: &Caller) -> ApiResult<bool> {
    if caller.role.manages_roster() {
        return Ok(true);
    }
    let (Role::TeamLeader, Some(me)) = (caller.role, caller.volunteer_id) else { return Ok(false) };
    let groups = team_store::list(&state.db.pool, caller.scope_path(), Some(TeamKind::Mentoring)).await?;
    Ok(groups.iter().any(|t| t.leader_id == Some(me)))
}

pub fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(crate::domain::error_code::ErrorCode::MenteeHasOpenMentorship) => ApiError::conflict(
            crate::domain::error_code::ErrorCode::MenteeHasOpenMentorship,
            "该退役军人已有进行中的帮带，请先记录其成效",
            "This veteran already has an open mentorship; record its outcome first",
        ),
        e => e.into(),
    }
}

#[utoipa::path(get, path = "/api/v1/mentorships", tag = "mentoring", params(MentorshipQuery), security(("bearer" = [])),
    responses((status = 200, body = [Mentorship]), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<MentorshipQuery>,
) -> ApiResult<Json<Vec<Mentorship>>> {
    if !caller.role.reads_roster() {
        // a volunteer sees the pairs he is part of, and nothing else
        let Some(me) = caller.volunteer_id else { return Err(ApiError::forbidden()) };
        return Ok(Json(store::of_volunteer(&state.db.pool, me).await?));
    }
    let within = list_scope(&state, &caller, q.region_id.as_deref()).await?;
    Ok(Json(store::list(&state.db.pool, &within, None).await?))
}

async fn visible(state: &AppState, caller: &Caller, id: i64) -> ApiResult<Mentorship> {
    let m = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    if caller.volunteer_id.is_some_and(|me| me == m.mentor_id || me == m.mentee_id) {
        return Ok(m);
    }
    caller.ensure(caller.role.reads_roster())?;
    caller.ensure_covers(&m.region_path)?;
    Ok(m)
}

#[utoipa::path(get, path = "/api/v1/mentorships/{id}", tag = "mentoring", security(("bearer" = [])),
    responses((status = 200, body = Mentorship), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Mentorship>> {
    Ok(Json(visible(&state, &caller, id).await?))
}

/// A volunteer of the pair: 404 when unknown, 403 outside the caller's scope.
async fn person(state: &AppState, caller: &Caller, id: i64) -> ApiResult<VolunteerRow> {
    let v = volunteer_store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    caller.ensure_covers(&v.region_path)?;
    Ok(v)
}

/// Checks the people of a pair; the mentor must be active when he is chosen.
/// Returns the mentee's region, where the pair is counted.
async fn check_people(state: &AppState, caller: &Caller, d: &MentorshipDraft, new_mentor: bool) -> ApiResult<i64> {
    let mentor = person(state, caller, d.mentor_id).await?;
    let mentee = person(state, caller, d.mentee_id).await?;
    if new_mentor && mentor.status != "active" {
        return Err(ApiError::field(Problem::new(
            "mentor_id",
            "导师须为在册志愿者",
            "the mentor must be an active volunteer",
        )));
    }
    Ok(mentee.region_id)
}

#[utoipa::path(post, path = "/api/v1/mentorships", tag = "mentoring", security(("bearer" = [])),
    request_body(content = Object, description = "{mentor_id, mentee_id, goal: employment|entrepreneurship, started_on (default today), outcome, outcome_on, notes}"),
    responses((status = 201, body = Mentorship), (status = 403), (status = 404), (status = 409, description = "the mentee already has an open mentorship"), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<Mentorship>)> {
    caller.ensure(may_write(&state, &caller).await?)?;
    let d = rules::validate(&body, crate::today_local()).map_err(ApiError::invalid)?;
    let region_id = check_people(&state, &caller, &d, true).await?;
    let id = store::create(&state.db.pool, &d, region_id).await.map_err(store_error)?;
    caller.audit(&state, "create", "mentorship", &id.to_string(), "").await;
    let m = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(m)))
}

fn as_input(m: &Mentorship) -> Map<String, Value> {
    let v = json!({
        "mentor_id": m.mentor_id, "mentee_id": m.mentee_id, "goal": m.goal, "started_on": m.started_on,
        "outcome": m.outcome, "outcome_on": m.outcome_on, "notes": m.notes,
    });
    let mut map = v.as_object().cloned().unwrap_or_default();
    map.retain(|_, v| !v.is_null());
    map
}

#[utoipa::path(patch, path = "/api/v1/mentorships/{id}", tag = "mentoring", security(("bearer" = [])),
    request_body(content = Object, description = "any of {mentor_id, mentee_id, goal, started_on, outcome, outcome_on, notes}; outcome none clears outcome_on"),
    responses((status = 200, body = Mentorship), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Mentorship>> {
    let current = visible(&state, &caller, id).await?;
    caller.ensure(may_write(&state, &caller).await? && caller.covers(&current.region_path))?;
    let mut merged = as_input(&current);
    for (k, v) in body {
        if !matches!(k.as_str(), "id" | "region_id" | "mentor_name" | "mentee_name" | "created_at" | "updated_at") {
            merged.insert(k, v);
        }
    }
    let d = rules::validate(&merged, crate::today_local()).map_err(ApiError::invalid)?;
    let region_id = check_people(&state, &caller, &d, d.mentor_id != current.mentor_id).await?;
    store::update(&state.db.pool, id, &d, region_id).await.map_err(store_error)?;
    caller.audit(&state, "update", "mentorship", &id.to_string(), &d.outcome).await;
    Ok(Json(store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?))
}
