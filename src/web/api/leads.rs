//! `/api/v1/leads`: the board of job and business leads for veterans.
//! Staff post and close them; a volunteer reads the open leads of his own
//! region and of the regions above it.

use super::{list_scope, Body};
use crate::domain::mentoring::{validate_lead, LeadDraft};
use crate::domain::validation::Problem;
use crate::store::leads::{self as store, Lead};
use crate::store::regions as region_store;
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
pub struct LeadQuery {
    /// Only leads posted in this region's subtree.
    pub region_id: Option<String>,
    /// open (the default), closed, or all.
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/leads", tag = "mentoring", params(LeadQuery), security(("bearer" = [])),
    responses((status = 200, body = [Lead]), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<LeadQuery>,
) -> ApiResult<Json<Vec<Lead>>> {
    if !caller.role.reads_roster() {
        return Ok(Json(store::board_for(&state.db.pool, caller.scope_path(), crate::today_local()).await?));
    }
    let within = list_scope(&state, &caller, q.region_id.as_deref()).await?;
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("open") {
        "all" => None,
        s @ ("open" | "closed") => Some(s),
        _ => {
            return Err(ApiError::field(Problem::new(
                "status",
                "状态应为 open、closed 或 all",
                "status must be open, closed or all",
            )))
        }
    };
    Ok(Json(store::list(&state.db.pool, &within, status).await?))
}

async fn visible(state: &AppState, caller: &Caller, id: i64) -> ApiResult<Lead> {
    let l = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    // a lead of the caller's region, above it or below it is on his board
    let scope = caller.scope_path();
    if caller.covers(&l.region_path) || (!caller.role.reads_roster() && scope.starts_with(&l.region_path)) {
        Ok(l)
    } else {
        Err(ApiError::forbidden())
    }
}

#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "mentoring", security(("bearer" = [])),
    responses((status = 200, body = Lead), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Lead>> {
    Ok(Json(visible(&state, &caller, id).await?))
}

/// The lead's region must exist (422) and lie in the caller's scope (403).
async fn checked(state: &AppState, caller: &Caller, map: &Map<String, Value>, is_new: bool) -> ApiResult<LeadDraft> {
    let d = validate_lead(map, crate::today_local(), is_new).map_err(ApiError::invalid)?;
    let region = region_store::get(&state.db.pool, d.region_id)
        .await?
        .ok_or_else(|| ApiError::field(Problem::about("region_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&region.path)?;
    Ok(d)
}

#[utoipa::path(post, path = "/api/v1/leads", tag = "mentoring", security(("bearer" = [])),
    request_body(content = Object, description = "{kind: job|business, title, description, employer, contact, region_id, expires_on}"),
    responses((status = 201, body = Lead), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<Lead>)> {
    caller.ensure(caller.role.manages_roster())?;
    let d = checked(&state, &caller, &body, true).await?;
    let id = store::create(&state.db.pool, &d, caller.user_id).await?;
    caller.audit(&state, "create", "lead", &id.to_string(), "").await;
    Ok((StatusCode::CREATED, Json(store::get(&state.db.pool, id).await?.ok_or_else(ApiError::internal)?)))
}

#[utoipa::path(patch, path = "/api/v1/leads/{id}", tag = "mentoring", security(("bearer" = [])),
    request_body(content = Object, description = "any fields of a lead; {\"status\": \"closed\"} takes it off the board"),
    responses((status = 200, body = Lead), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Lead>> {
    let current = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    caller.ensure(caller.role.manages_roster() && caller.covers(&current.region_path))?;
    let mut merged = json!({
        "kind": current.kind, "title": current.title, "description": current.description,
        "employer": current.employer, "contact": current.contact, "region_id": current.region_id,
        "expires_on": current.expires_on, "status": current.status,
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    for (k, v) in body {
        if !matches!(k.as_str(), "id" | "region_name" | "created_at") {
            merged.insert(k, v);
        }
    }
    let d = checked(&state, &caller, &merged, false).await?;
    store::update(&state.db.pool, id, &d).await?;
    caller.audit(&state, "update", "lead", &id.to_string(), &d.status).await;
    Ok(Json(store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?))
}
