//! `/api/v1/volunteers`: the roster.

use super::Typed;
use crate::app::privacy::EraseInput;
use crate::app::volunteers as app;
pub use crate::app::volunteers::{
    TeamRef, VolunteerInput, VolunteerPatch, VolunteerQuery, VolunteerRow, VolunteerView,
};
use crate::web::auth::Caller;
use crate::web::error::ApiResult;
use crate::web::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::Json;

fn no_store() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers
}

#[utoipa::path(get, path = "/api/v1/volunteers", tag = "volunteers", params(VolunteerQuery), security(("bearer" = [])),
    responses((status = 200, body = [VolunteerView]), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<VolunteerQuery>,
) -> ApiResult<(HeaderMap, Bytes)> {
    let (json, total) = app::list_json(&state, &caller, &q).await?;
    let mut headers = HeaderMap::new();
    if let Some(total) = total {
        headers.insert("x-total-count", HeaderValue::from(total));
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok((headers, json))
}

#[utoipa::path(get, path = "/api/v1/volunteers/{id}", tag = "volunteers", params(("id" = i64, Path, description = "the volunteer's id")), security(("bearer" = [])),
    responses((status = 200, body = VolunteerView), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<(HeaderMap, Json<VolunteerView>)> {
    Ok((no_store(), Json(app::show(&state, &caller, id).await?)))
}

#[utoipa::path(post, path = "/api/v1/volunteers", tag = "volunteers", security(("bearer" = [])),
    request_body = VolunteerInput,
    responses((status = 201, body = VolunteerView), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<VolunteerInput>,
) -> ApiResult<(StatusCode, Json<VolunteerView>)> {
    Ok((StatusCode::CREATED, Json(app::create(&state, &caller, input).await?)))
}

#[utoipa::path(patch, path = "/api/v1/volunteers/{id}", tag = "volunteers", params(("id" = i64, Path, description = "the volunteer's id")), security(("bearer" = [])),
    request_body = VolunteerPatch,
    responses((status = 200, body = VolunteerView), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(patch): Typed<VolunteerPatch>,
) -> ApiResult<Json<VolunteerView>> {
    Ok(Json(app::update(&state, &caller, id, patch).await?))
}

/// Erases a person who left (个人信息保护法 第四十七条, the right to deletion).
/// Town staff and administrators whose scope covers the person; the body
/// types the person's current name back (`confirm_name`). Refused with 409
/// `has_open_work` while the person still has open work, each kind a field
/// naming the things to finish first; 409 `erased` when already erased.
/// See docs/security.md for what is removed and what is kept.
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/erase", tag = "volunteers", params(("id" = i64, Path, description = "the volunteer's id")), security(("bearer" = [])),
    request_body = EraseInput,
    responses((status = 204, description = "erased: personal data removed, service records kept"), (status = 403),
        (status = 404), (status = 409, description = "open work (has_open_work) or already erased (erased)"),
        (status = 422, description = "confirm_name missing or not the person's name")))]
pub async fn erase(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<EraseInput>,
) -> ApiResult<StatusCode> {
    crate::app::privacy::erase_volunteer(&state, &caller, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
