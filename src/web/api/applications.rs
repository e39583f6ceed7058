//! `/api/v1/applications`: recruitment (招募). Staff enter applications or the
//! public sends them through `/join`; reviewers fill the checklist, then
//! approve onto a team (the applicant becomes a volunteer) or reject with a reason.

use super::Typed;
use crate::app::recruitment as app;
pub use crate::app::recruitment::{ApplicationPatch, ApplicationView, ApproveInput, NewApplication, RejectInput};
use crate::web::auth::Caller;
use crate::web::error::ApiResult;
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

/// Personal data is not kept by caches on the way.
fn no_store() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers
}

#[derive(Deserialize, IntoParams)]
pub struct ApplicationQuery {
    /// Only applicants of this region's subtree.
    pub region_id: Option<String>,
    /// pending, approved or rejected.
    pub status: Option<String>,
    /// `true` keeps ID numbers and phones masked even for staff (no audit entry).
    pub masked: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/applications", tag = "recruitment", params(ApplicationQuery), security(("bearer" = [])),
    responses((status = 200, body = [ApplicationView], description = "highest priority_score first"), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ApplicationQuery>,
) -> ApiResult<(HeaderMap, Json<Vec<ApplicationView>>)> {
    let masked = q.masked.as_deref() == Some("true");
    let list = app::list(&state, &caller, q.region_id.as_deref(), q.status.as_deref(), masked).await?;
    Ok((no_store(), Json(list)))
}

#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "recruitment", params(("id" = i64, Path, description = "the application's id")), security(("bearer" = [])),
    responses((status = 200, body = ApplicationView), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<(HeaderMap, Json<ApplicationView>)> {
    Ok((no_store(), Json(app::show(&state, &caller, id).await?)))
}

#[utoipa::path(post, path = "/api/v1/applications", tag = "recruitment", security(("bearer" = [])),
    request_body = NewApplication,
    responses((status = 201, body = ApplicationView), (status = 403), (status = 422, description = "invalid fields, or id_number already on the roster")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<NewApplication>,
) -> ApiResult<(StatusCode, Json<ApplicationView>)> {
    Ok((StatusCode::CREATED, Json(app::create(&state, &caller, input).await?)))
}

#[utoipa::path(patch, path = "/api/v1/applications/{id}", tag = "recruitment", params(("id" = i64, Path, description = "the application's id")), security(("bearer" = [])),
    request_body = ApplicationPatch,
    responses((status = 200, body = ApplicationView), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(patch): Typed<ApplicationPatch>,
) -> ApiResult<Json<ApplicationView>> {
    Ok(Json(app::update(&state, &caller, id, patch).await?))
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/approve", tag = "recruitment", params(("id" = i64, Path, description = "the application's id")), security(("bearer" = [])),
    request_body = ApproveInput,
    responses((status = 200, body = ApplicationView, description = "approved: volunteer_id names the new volunteer"), (status = 403), (status = 404),
        (status = 409, description = "already approved or rejected"), (status = 422, description = "team_id missing or unknown, or a criterion not confirmed")))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<ApproveInput>,
) -> ApiResult<Json<ApplicationView>> {
    Ok(Json(app::approve(&state, &caller, id, input).await?))
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/reject", tag = "recruitment", params(("id" = i64, Path, description = "the application's id")), security(("bearer" = [])),
    request_body = RejectInput,
    responses((status = 200, body = ApplicationView), (status = 403), (status = 404), (status = 409), (status = 422, description = "reason missing")))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<RejectInput>,
) -> ApiResult<Json<ApplicationView>> {
    Ok(Json(app::reject(&state, &caller, id, input).await?))
}
