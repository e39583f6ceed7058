//! `/api/v1/announcements`: notices from the station to a region, and the
//! read receipts that show who has seen them.

use super::{list_scope, paging, Body};
use crate::domain::input::Fields;
use crate::domain::validation::Problem;
use crate::store::announcements::{self as store, Announcement, NewAnnouncement, Receipt};
use crate::store::regions as region_store;
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const KINDS: [&str; 4] = ["policy", "event", "job", "other"];

#[derive(Deserialize, IntoParams)]
pub struct AnnouncementQuery {
    /// Notices addressed to this region, above it or inside it (within the caller's scope).
    pub region_id: Option<String>,
    /// 1–1000, default 100.
    pub limit: Option<String>,
}

/// What a caller sees: notices addressed to their region or above it; those
/// who read the roster see their whole subtree's too.
pub async fn visible_list(state: &AppState, caller: &Caller, limit: i64) -> ApiResult<Vec<Announcement>> {
    Ok(store::visible(&state.db.pool, caller.user_id, caller.scope_path(), caller.role.reads_roster(), limit).await?)
}

fn sees(caller: &Caller, a: &Announcement) -> bool {
    caller.scope_path().starts_with(&a.region_path) || (caller.role.reads_roster() && caller.covers(&a.region_path))
}

pub async fn visible_one(state: &AppState, caller: &Caller, id: i64) -> ApiResult<Announcement> {
    let a = store::get(&state.db.pool, id, caller.user_id).await?.ok_or_else(ApiError::not_found)?;
    caller.ensure(sees(caller, &a))?;
    Ok(a)
}

#[utoipa::path(get, path = "/api/v1/announcements", tag = "announcements", params(AnnouncementQuery), security(("bearer" = [])),
    responses((status = 200, body = [Announcement])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AnnouncementQuery>,
) -> ApiResult<Json<Vec<Announcement>>> {
    let (limit, _) = paging(q.limit.as_deref(), None)?;
    if q.region_id.as_deref().is_some_and(|r| !r.trim().is_empty()) {
        let within = list_scope(&state, &caller, q.region_id.as_deref()).await?;
        let below = caller.role.reads_roster();
        return Ok(Json(store::visible(&state.db.pool, caller.user_id, &within, below, limit).await?));
    }
    Ok(Json(visible_list(&state, &caller, limit).await?))
}

#[utoipa::path(get, path = "/api/v1/announcements/{id}", tag = "announcements", security(("bearer" = [])),
    responses((status = 200, body = Announcement), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Announcement>> {
    Ok(Json(visible_one(&state, &caller, id).await?))
}

/// A notice as checked, for a post and for a correction alike.
struct Draft {
    title: String,
    body: String,
    kind: String,
    region_id: i64,
}

async fn checked(
    state: &AppState,
    caller: &Caller,
    body: &serde_json::Map<String, serde_json::Value>,
) -> ApiResult<Draft> {
    caller.ensure(caller.role.manages_roster())?;
    let mut f = Fields::new(body);
    let title = f.required_text("title", 100);
    let text = f.required_text("body", 5000);
    let kind = f.text("kind", 20).unwrap_or_else(|| "other".into());
    let region_id = f.required_int("region_id");
    let mut problems = f.problems;
    if !KINDS.contains(&kind.as_str()) {
        problems.push(Problem::about(
            "kind",
            "应为 policy、event、job 或 other",
            "must be policy, event, job or other",
        ));
    }
    let (Some(title), Some(text), Some(region_id)) = (title, text, region_id) else {
        return Err(ApiError::invalid(problems));
    };
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let region = region_store::get(&state.db.pool, region_id)
        .await?
        .ok_or_else(|| ApiError::field(Problem::about("region_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&region.path)?;
    Ok(Draft { title, body: text, kind, region_id })
}

impl Draft {
    fn as_new(&self) -> NewAnnouncement<'_> {
        NewAnnouncement { title: &self.title, body: &self.body, kind: &self.kind, region_id: self.region_id }
    }
}

/// Checks and posts a notice to a region of the caller's scope.
pub async fn post_announcement(
    state: &AppState,
    caller: &Caller,
    body: &serde_json::Map<String, serde_json::Value>,
) -> ApiResult<Announcement> {
    let d = checked(state, caller, body).await?;
    let id = store::create(&state.db.pool, &d.as_new(), caller.user_id).await?;
    caller.audit(state, "create", "announcement", &id.to_string(), &d.title).await;
    store::get(&state.db.pool, id, caller.user_id).await?.ok_or_else(ApiError::internal)
}

#[utoipa::path(patch, path = "/api/v1/announcements/{id}", tag = "announcements", security(("bearer" = [])),
    request_body(content = Object, description = "any of {title, body, kind, region_id}"),
    responses((status = 200, body = Announcement), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Announcement>> {
    let current = store::get(&state.db.pool, id, caller.user_id).await?.ok_or_else(ApiError::not_found)?;
    caller.ensure(caller.role.manages_roster())?;
    caller.ensure_covers(&current.region_path)?;
    let mut merged = serde_json::Map::new();
    merged.insert("title".into(), current.title.into());
    merged.insert("body".into(), current.body.into());
    merged.insert("kind".into(), current.kind.into());
    merged.insert("region_id".into(), current.region_id.into());
    for (k, v) in body {
        if matches!(k.as_str(), "title" | "body" | "kind" | "region_id") {
            merged.insert(k, v);
        }
    }
    let d = checked(&state, &caller, &merged).await?;
    if !store::update(&state.db.pool, id, &d.as_new()).await? {
        return Err(ApiError::not_found());
    }
    caller.audit(&state, "update", "announcement", &id.to_string(), &d.title).await;
    Ok(Json(store::get(&state.db.pool, id, caller.user_id).await?.ok_or_else(ApiError::not_found)?))
}

#[utoipa::path(post, path = "/api/v1/announcements", tag = "announcements", security(("bearer" = [])),
    request_body(content = Object, description = "{title, body, kind: policy|event|job|other, region_id}"),
    responses((status = 201, body = Announcement), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<Announcement>)> {
    Ok((StatusCode::CREATED, Json(post_announcement(&state, &caller, &body).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct ReadReceipt {
    pub announcement_id: i64,
    /// The first time the caller read it; reading again does not move it.
    pub read_at: DateTime<Utc>,
}

#[utoipa::path(post, path = "/api/v1/announcements/{id}/read", tag = "announcements", security(("bearer" = [])),
    responses((status = 200, body = ReadReceipt), (status = 403), (status = 404)))]
pub async fn read(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<ReadReceipt>> {
    let a = visible_one(&state, &caller, id).await?;
    let read_at = store::mark_read(&state.db.pool, a.id, caller.user_id).await?;
    Ok(Json(ReadReceipt { announcement_id: a.id, read_at }))
}

#[derive(Serialize, ToSchema)]
pub struct Receipts {
    pub read: Vec<Receipt>,
    /// Volunteers' accounts in the addressed region that have not read it.
    pub unread_count: i64,
}

/// Who has read a notice, for staff of the region it went to.
pub async fn receipts_of(state: &AppState, caller: &Caller, id: i64) -> ApiResult<(Announcement, Receipts)> {
    let a = store::get(&state.db.pool, id, caller.user_id).await?.ok_or_else(ApiError::not_found)?;
    caller.ensure(caller.role.manages_roster())?;
    caller.ensure_covers(&a.region_path)?;
    let read = store::receipts(&state.db.pool, id).await?;
    let unread_count = store::unread_count(&state.db.pool, id, &a.region_path).await?;
    Ok((a, Receipts { read, unread_count }))
}

#[utoipa::path(get, path = "/api/v1/announcements/{id}/reads", tag = "announcements", security(("bearer" = [])),
    responses((status = 200, body = Receipts), (status = 403), (status = 404)))]
pub async fn reads(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Receipts>> {
    Ok(Json(receipts_of(&state, &caller, id).await?.1))
}
