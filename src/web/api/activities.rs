//! `/api/v1/activities`: organised events, sign-ups, attendance and outcomes.

use super::Typed;
use crate::app::activities::{
    self as app, Activity, ActivityInput, ActivityPatch, OutcomesInput, SheetLine, SignupOutcome,
};
use crate::app::attendance::{self, AttendanceRequest};
use crate::web::auth::Caller;
use crate::web::error::ApiResult;
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

pub use crate::app::activities::{Cancelled, Closed, SignupRequest};
pub use crate::app::attendance::{AttendanceResult, ATTENDANCE_SLACK_HOURS};

#[derive(Deserialize, IntoParams)]
pub struct ActivityQuery {
    pub region_id: Option<String>,
    /// `true`: only open activities that have not ended.
    pub upcoming: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/activities", tag = "activities", params(ActivityQuery), security(("bearer" = [])),
    responses((status = 200, body = [Activity]), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ActivityQuery>,
) -> ApiResult<Json<Vec<Activity>>> {
    let upcoming = q.upcoming.as_deref() == Some("true");
    Ok(Json(app::list(&state, &caller, q.region_id.as_deref(), upcoming).await?))
}

#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities", params(("id" = i64, Path, description = "the activity's id")), security(("bearer" = [])),
    responses((status = 200, body = Activity), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Activity>> {
    Ok(Json(app::visible(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/activities", tag = "activities", security(("bearer" = [])),
    request_body = ActivityInput,
    responses((status = 201, body = Activity), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<ActivityInput>,
) -> ApiResult<(StatusCode, Json<Activity>)> {
    Ok((StatusCode::CREATED, Json(app::create(&state, &caller, input).await?)))
}

#[utoipa::path(patch, path = "/api/v1/activities/{id}", tag = "activities", params(("id" = i64, Path, description = "the activity's id")), security(("bearer" = [])),
    request_body(content = ActivityPatch, description = "any fields of an activity; those given override what is stored, null clears"),
    responses((status = 200, body = Activity), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(patch): Typed<ActivityPatch>,
) -> ApiResult<Json<Activity>> {
    Ok(Json(app::update(&state, &caller, id, patch).await?))
}

#[utoipa::path(post, path = "/api/v1/activities/{id}/signups", tag = "activities", params(("id" = i64, Path, description = "the activity's id")), security(("bearer" = [])), request_body = SignupRequest,
    responses((status = 201, body = SignupOutcome, description = "signed_up with a place, or waiting with a position"), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn sign_up(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<SignupRequest>,
) -> ApiResult<(StatusCode, Json<SignupOutcome>)> {
    Ok((StatusCode::CREATED, Json(app::sign_up(&state, &caller, id, input).await?)))
}

#[utoipa::path(delete, path = "/api/v1/activities/{id}/signups/{volunteer_id}", tag = "activities", params(("id" = i64, Path, description = "the activity's id"), ("volunteer_id" = i64, Path, description = "the volunteer's id")), security(("bearer" = [])),
    responses((status = 200, body = Cancelled), (status = 403), (status = 404)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, volunteer_id)): Path<(i64, i64)>,
) -> ApiResult<Json<Cancelled>> {
    Ok(Json(app::cancel(&state, &caller, id, volunteer_id).await?))
}

#[utoipa::path(post, path = "/api/v1/activities/{id}/attendance", tag = "activities", params(("id" = i64, Path, description = "the activity's id")), security(("bearer" = [])), request_body = AttendanceRequest,
    responses((status = 200, body = AttendanceResult), (status = 403), (status = 404), (status = 422)))]
pub async fn attendance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<AttendanceRequest>,
) -> ApiResult<Json<AttendanceResult>> {
    Ok(Json(attendance::record(&state, &caller, id, input).await?))
}

#[utoipa::path(get, path = "/api/v1/activities/{id}/attendance", tag = "activities", params(("id" = i64, Path, description = "the activity's id")), security(("bearer" = [])),
    responses((status = 200, body = [SheetLine]), (status = 403), (status = 404)))]
pub async fn sheet(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<SheetLine>>> {
    Ok(Json(attendance::sheet(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/activities/{id}/close", tag = "activities", params(("id" = i64, Path, description = "the activity's id")), security(("bearer" = [])),
    responses((status = 200, body = Closed), (status = 403), (status = 404), (status = 409)))]
pub async fn close(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Closed>> {
    Ok(Json(app::close(&state, &caller, id).await?))
}

#[utoipa::path(put, path = "/api/v1/activities/{id}/outcomes", tag = "activities", params(("id" = i64, Path, description = "the activity's id")), security(("bearer" = [])),
    request_body = OutcomesInput,
    responses((status = 200, body = Activity), (status = 403), (status = 404), (status = 422)))]
pub async fn outcomes(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<OutcomesInput>,
) -> ApiResult<Json<Activity>> {
    Ok(Json(app::set_outcomes(&state, &caller, id, input).await?))
}
