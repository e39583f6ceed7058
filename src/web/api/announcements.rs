//! `/api/v1/announcements`: notices from the station to a region, and the
//! read receipts that show who has seen them. Thin adapters over `app::announcements`.

use super::Typed;
use crate::app::announcements::{self as app, Announcement, NoticeInput, ReadReceipt, Receipts};
use crate::web::auth::Caller;
use crate::web::error::ApiResult;
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct AnnouncementQuery {
    /// Notices addressed to this region, above it or inside it (within the caller's scope).
    pub region_id: Option<String>,
    /// 1–1000, default 100.
    pub limit: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/announcements", tag = "announcements", params(AnnouncementQuery), security(("bearer" = [])),
    responses((status = 200, body = [Announcement])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AnnouncementQuery>,
) -> ApiResult<Json<Vec<Announcement>>> {
    Ok(Json(app::list(&state, &caller, q.region_id.as_deref(), q.limit.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/announcements/{id}", tag = "announcements", params(("id" = i64, Path, description = "the announcement's id")), security(("bearer" = [])),
    responses((status = 200, body = Announcement), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Announcement>> {
    Ok(Json(app::visible_one(&state, &caller, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/announcements/{id}", tag = "announcements", params(("id" = i64, Path, description = "the announcement's id")), security(("bearer" = [])),
    request_body = NoticeInput,
    responses((status = 200, body = Announcement), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<NoticeInput>,
) -> ApiResult<Json<Announcement>> {
    Ok(Json(app::update(&state, &caller, id, input).await?))
}

#[utoipa::path(post, path = "/api/v1/announcements", tag = "announcements", security(("bearer" = [])),
    request_body = NoticeInput,
    responses((status = 201, body = Announcement), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<NoticeInput>,
) -> ApiResult<(StatusCode, Json<Announcement>)> {
    Ok((StatusCode::CREATED, Json(app::post(&state, &caller, input).await?)))
}

#[utoipa::path(post, path = "/api/v1/announcements/{id}/read", tag = "announcements", params(("id" = i64, Path, description = "the announcement's id")), security(("bearer" = [])),
    responses((status = 200, body = ReadReceipt), (status = 403), (status = 404)))]
pub async fn read(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<ReadReceipt>> {
    Ok(Json(app::read(&state, &caller, id).await?))
}

#[utoipa::path(get, path = "/api/v1/announcements/{id}/reads", tag = "announcements", params(("id" = i64, Path, description = "the announcement's id")), security(("bearer" = [])),
    responses((status = 200, body = Receipts), (status = 403), (status = 404)))]
pub async fn reads(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Receipts>> {
    Ok(Json(app::receipts(&state, &caller, id).await?.1))
}
