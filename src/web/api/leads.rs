//! `/api/v1/leads`: the board of job and business leads for veterans.
//! Staff post and close them; a volunteer reads the open leads of his own
//! region and of the regions above it.

use super::Typed;
use crate::app::mentoring as app;
pub use crate::app::mentoring::{LeadInput, LeadPatch};
use crate::store::leads::Lead;
use crate::web::auth::Caller;
use crate::web::error::ApiResult;
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
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
    Ok(Json(app::leads(&state, &caller, q.region_id.as_deref(), q.status.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "mentoring", params(("id" = i64, Path, description = "the lead's id")), security(("bearer" = [])),
    responses((status = 200, body = Lead), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Lead>> {
    Ok(Json(app::lead(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/leads", tag = "mentoring", security(("bearer" = [])),
    request_body = LeadInput,
    responses((status = 201, body = Lead), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<LeadInput>,
) -> ApiResult<(StatusCode, Json<Lead>)> {
    Ok((StatusCode::CREATED, Json(app::post_lead(&state, &caller, input).await?)))
}

#[utoipa::path(patch, path = "/api/v1/leads/{id}", tag = "mentoring", params(("id" = i64, Path, description = "the lead's id")), security(("bearer" = [])),
    request_body = LeadPatch,
    responses((status = 200, body = Lead), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(patch): Typed<LeadPatch>,
) -> ApiResult<Json<Lead>> {
    Ok(Json(app::update_lead(&state, &caller, id, patch).await?))
}
