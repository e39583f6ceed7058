//! `/api/v1/care-recipients`: martyrs' families and veterans in difficulty,
//! and the visits to them.

use super::Typed;
use crate::app::care as app;
pub use crate::app::care::{
    CampaignCoverage, CampaignInput, CampaignPatch, RecipientDetail, RecipientInput, RecipientPatch, Unvisited,
    VillageCoverage, VisitInput,
};
use crate::store::care::{Campaign, CareRecipient};
use crate::web::auth::Caller;
use crate::web::error::ApiResult;
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct CareQuery {
    pub region_id: Option<String>,
    /// With `unvisited_to`: only those with no visit in this period (YYYY-MM-DD, inclusive).
    pub unvisited_from: Option<String>,
    pub unvisited_to: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/care-recipients", tag = "care", params(CareQuery), security(("bearer" = [])),
    responses((status = 200, body = [CareRecipient]), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CareQuery>,
) -> ApiResult<Json<Vec<CareRecipient>>> {
    let (from, to) = (q.unvisited_from.as_deref(), q.unvisited_to.as_deref());
    Ok(Json(app::list(&state, &caller, q.region_id.as_deref(), from, to).await?))
}

#[utoipa::path(get, path = "/api/v1/care-recipients/{id}", tag = "care", params(("id" = i64, Path, description = "the care recipient's id")), security(("bearer" = [])),
    responses((status = 200, body = RecipientDetail), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<RecipientDetail>> {
    Ok(Json(app::show(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/care-recipients", tag = "care", security(("bearer" = [])),
    request_body = RecipientInput,
    responses((status = 201, body = RecipientDetail), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<RecipientInput>,
) -> ApiResult<(StatusCode, Json<RecipientDetail>)> {
    Ok((StatusCode::CREATED, Json(app::create(&state, &caller, input).await?)))
}

#[utoipa::path(patch, path = "/api/v1/care-recipients/{id}", tag = "care", params(("id" = i64, Path, description = "the care recipient's id")), security(("bearer" = [])),
    request_body = RecipientPatch,
    responses((status = 200, body = RecipientDetail), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(patch): Typed<RecipientPatch>,
) -> ApiResult<Json<RecipientDetail>> {
    Ok(Json(app::update(&state, &caller, id, patch).await?))
}

#[utoipa::path(post, path = "/api/v1/care-recipients/{id}/visits", tag = "care", params(("id" = i64, Path, description = "the care recipient's id")), security(("bearer" = [])),
    request_body = VisitInput,
    responses((status = 201, body = RecipientDetail), (status = 403), (status = 404), (status = 422)))]
pub async fn visit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<VisitInput>,
) -> ApiResult<(StatusCode, Json<RecipientDetail>)> {
    Ok((StatusCode::CREATED, Json(app::visit(&state, &caller, id, input).await?)))
}

#[derive(Deserialize, IntoParams)]
pub struct CampaignQuery {
    /// Campaigns over this region's subtree, or over a region above it.
    pub region_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/care-campaigns", tag = "care", params(CampaignQuery), security(("bearer" = [])),
    responses((status = 200, body = [Campaign]), (status = 403), (status = 422)))]
pub async fn campaigns(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CampaignQuery>,
) -> ApiResult<Json<Vec<Campaign>>> {
    Ok(Json(app::campaigns(&state, &caller, q.region_id.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/care-campaigns/{id}", tag = "care", params(("id" = i64, Path, description = "the care campaign's id")), security(("bearer" = [])),
    responses((status = 200, body = Campaign), (status = 403), (status = 404)))]
pub async fn campaign(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Campaign>> {
    Ok(Json(app::campaign(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/care-campaigns", tag = "care", security(("bearer" = [])),
    request_body(content = CampaignInput, description = "for spring_festival and army_day, {kind, region_id, year} is enough"),
    responses((status = 201, body = Campaign), (status = 403), (status = 422)))]
pub async fn create_campaign(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<CampaignInput>,
) -> ApiResult<(StatusCode, Json<Campaign>)> {
    Ok((StatusCode::CREATED, Json(app::create_campaign(&state, &caller, input).await?)))
}

#[utoipa::path(patch, path = "/api/v1/care-campaigns/{id}", tag = "care", params(("id" = i64, Path, description = "the care campaign's id")), security(("bearer" = [])),
    request_body = CampaignPatch,
    responses((status = 200, body = Campaign), (status = 403), (status = 404), (status = 422)))]
pub async fn update_campaign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(patch): Typed<CampaignPatch>,
) -> ApiResult<Json<Campaign>> {
    Ok(Json(app::update_campaign(&state, &caller, id, patch).await?))
}

#[utoipa::path(get, path = "/api/v1/care-campaigns/{id}/coverage", tag = "care", params(("id" = i64, Path, description = "the care campaign's id")), security(("bearer" = [])),
    responses((status = 200, body = CampaignCoverage), (status = 403), (status = 404)))]
pub async fn campaign_coverage(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<CampaignCoverage>> {
    Ok(Json(app::campaign_coverage(&state, &caller, id).await?.1))
}
