//! `/api/v1/mobilizations`: floods, fires, epidemics — call every active
//! volunteer with the skills inside a radius and count who comes.

use super::Typed;
use crate::app::mobilizations::{
    self as mobilizations, CallAnswer, Mobilization, MobilizationInput, MobilizationPatch, MobilizationView,
};
use crate::web::auth::Caller;
use crate::web::error::ApiResult;
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct MobilizationQuery {
    pub region_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/mobilizations", tag = "mobilizations", params(MobilizationQuery), security(("bearer" = [])), responses((status = 200, body = [Mobilization])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<MobilizationQuery>,
) -> ApiResult<Json<Vec<Mobilization>>> {
    Ok(Json(mobilizations::list(&state, &caller, q.region_id.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/mobilizations/{id}", tag = "mobilizations", params(("id" = i64, Path, description = "the mobilization's id")), security(("bearer" = [])),
    responses((status = 200, body = MobilizationView, description = "who was called and who answered"), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<MobilizationView>> {
    Ok(Json(mobilizations::view(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/mobilizations", tag = "mobilizations", security(("bearer" = [])), request_body = MobilizationInput,
    responses((status = 201, body = MobilizationView), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<MobilizationInput>,
) -> ApiResult<(StatusCode, Json<MobilizationView>)> {
    Ok((StatusCode::CREATED, Json(mobilizations::create(&state, &caller, input).await?)))
}

#[utoipa::path(post, path = "/api/v1/mobilizations/{id}/responses", tag = "mobilizations", params(("id" = i64, Path, description = "the mobilization's id")), security(("bearer" = [])), request_body = CallAnswer,
    responses((status = 200, body = MobilizationView), (status = 403), (status = 409, description = "not called, or the call-out is over"), (status = 422)))]
pub async fn respond(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<CallAnswer>,
) -> ApiResult<Json<MobilizationView>> {
    Ok(Json(mobilizations::respond(&state, &caller, id, input).await?))
}

#[utoipa::path(patch, path = "/api/v1/mobilizations/{id}", tag = "mobilizations", params(("id" = i64, Path, description = "the mobilization's id")), security(("bearer" = [])), request_body = MobilizationPatch,
    responses((status = 200, body = MobilizationView), (status = 403), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<MobilizationPatch>,
) -> ApiResult<Json<MobilizationView>> {
    Ok(Json(mobilizations::update(&state, &caller, id, input).await?))
}
