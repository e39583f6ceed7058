//! `/api/v1/regions` and the "one village one team" coverage view.

use super::Typed;
use crate::app::regions as app;
pub use crate::app::regions::{CoverageQuery, Region, RegionInput, RegionPatch, RegionQuery, VillageCoverage};
use crate::web::auth::Caller;
use crate::web::error::ApiResult;
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;

#[utoipa::path(get, path = "/api/v1/regions", tag = "regions", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = [Region]), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionQuery>,
) -> ApiResult<Json<Vec<Region>>> {
    Ok(Json(app::list(&state, &caller, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/regions/{id}", tag = "regions", params(("id" = i64, Path, description = "the region's id")), security(("bearer" = [])),
    responses((status = 200, body = Region), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Region>> {
    Ok(Json(app::visible(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/regions", tag = "regions", security(("bearer" = [])),
    request_body = RegionInput,
    responses((status = 201, body = Region), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<RegionInput>,
) -> ApiResult<(StatusCode, Json<Region>)> {
    Ok((StatusCode::CREATED, Json(app::create(&state, &caller, input).await?)))
}

#[utoipa::path(patch, path = "/api/v1/regions/{id}", tag = "regions", params(("id" = i64, Path, description = "the region's id")), security(("bearer" = [])),
    request_body = RegionPatch,
    responses((status = 200, body = Region), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(patch): Typed<RegionPatch>,
) -> ApiResult<Json<Region>> {
    Ok(Json(app::update(&state, &caller, id, patch).await?))
}

#[utoipa::path(get, path = "/api/v1/coverage", tag = "regions", params(CoverageQuery), security(("bearer" = [])),
    responses((status = 200, body = [VillageCoverage], description = "every village with its number of teams; those with none first")))]
pub async fn coverage(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CoverageQuery>,
) -> ApiResult<Json<Vec<VillageCoverage>>> {
    Ok(Json(app::coverage(&state, &caller, &q).await?))
}
