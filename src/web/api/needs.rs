//! `/api/v1/needs`: the needs list, suggestions, offers and the workflow.

use super::Typed;
use crate::app::needs::{
    self as needs, BatchDispatch, BatchResult, Completion, Dispatch, Need, NeedInput, NeedPatch, Offer, OfferAnswer,
    Rating, Reason,
};
use crate::domain::matching::Suggestion;
use crate::web::auth::Caller;
use crate::web::error::ApiResult;
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct NeedQuery {
    pub region_id: Option<String>,
    /// submitted, dispatched, accepted, completed, rated, rejected or cancelled
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/needs", tag = "needs", params(NeedQuery), security(("bearer" = [])), responses((status = 200, body = [Need])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<NeedQuery>,
) -> ApiResult<Json<Vec<Need>>> {
    Ok(Json(needs::list(&state, &caller, q.region_id.as_deref(), q.status.as_deref(), 500).await?))
}

#[utoipa::path(get, path = "/api/v1/needs/{id}", tag = "needs", params(("id" = i64, Path, description = "the need's id")), security(("bearer" = [])), responses((status = 200, body = Need), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Need>> {
    Ok(Json(needs::show(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/needs", tag = "needs", security(("bearer" = [])), request_body = NeedInput,
    responses((status = 201, body = Need), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<NeedInput>,
) -> ApiResult<(StatusCode, Json<Need>)> {
    Ok((StatusCode::CREATED, Json(needs::create(&state, &caller, input).await?)))
}

#[utoipa::path(post, path = "/api/v1/needs/{id}/reject", tag = "needs", params(("id" = i64, Path, description = "the need's id")), security(("bearer" = [])), request_body = Reason,
    responses((status = 200, body = Need), (status = 409), (status = 422)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<Reason>,
) -> ApiResult<Json<Need>> {
    Ok(Json(needs::reject(&state, &caller, id, input).await?))
}

#[utoipa::path(post, path = "/api/v1/needs/{id}/cancel", tag = "needs", params(("id" = i64, Path, description = "the need's id")), security(("bearer" = [])), request_body = Reason,
    responses((status = 200, body = Need), (status = 409), (status = 422)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<Reason>,
) -> ApiResult<Json<Need>> {
    Ok(Json(needs::cancel(&state, &caller, id, input).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct SuggestQuery {
    /// How many, 1–100 (default 10).
    pub limit: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/needs/{id}/suggestions", tag = "needs", params(("id" = i64, Path, description = "the need's id"), SuggestQuery), security(("bearer" = [])),
    responses((status = 200, body = [Suggestion], description = "ranked best first, with reasons in Chinese"), (status = 403), (status = 404), (status = 422)))]
pub async fn suggestions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<SuggestQuery>,
) -> ApiResult<Json<Vec<Suggestion>>> {
    Ok(Json(needs::suggestions(&state, &caller, id, q.limit.as_deref()).await?))
}

#[utoipa::path(post, path = "/api/v1/needs/{id}/dispatch", tag = "needs", params(("id" = i64, Path, description = "the need's id")), security(("bearer" = [])), request_body = Dispatch,
    responses((status = 200, body = Need), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn dispatch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<Dispatch>,
) -> ApiResult<Json<Need>> {
    Ok(Json(needs::dispatch(&state, &caller, id, input).await?))
}

#[utoipa::path(post, path = "/api/v1/needs/{id}/accept", tag = "needs", params(("id" = i64, Path, description = "the need's id")), security(("bearer" = [])), request_body = OfferAnswer,
    responses((status = 200, body = Need), (status = 403), (status = 409, description = "need full, no open offer, or wrong state")))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<OfferAnswer>,
) -> ApiResult<Json<Need>> {
    Ok(Json(needs::accept(&state, &caller, id, input).await?))
}

#[utoipa::path(post, path = "/api/v1/needs/{id}/decline", tag = "needs", params(("id" = i64, Path, description = "the need's id")), security(("bearer" = [])), request_body = OfferAnswer,
    responses((status = 200, body = Need), (status = 403), (status = 409)))]
pub async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<OfferAnswer>,
) -> ApiResult<Json<Need>> {
    Ok(Json(needs::decline(&state, &caller, id, input).await?))
}

#[utoipa::path(get, path = "/api/v1/needs/{id}/offers", tag = "needs", params(("id" = i64, Path, description = "the need's id")), security(("bearer" = [])), responses((status = 200, body = [Offer])))]
pub async fn offers(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Vec<Offer>>> {
    Ok(Json(needs::offers(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/needs/{id}/complete", tag = "needs", params(("id" = i64, Path, description = "the need's id")), security(("bearer" = [])), request_body = Completion,
    responses((status = 200, body = Need), (status = 403), (status = 409), (status = 422)))]
pub async fn complete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<Completion>,
) -> ApiResult<Json<Need>> {
    Ok(Json(needs::complete(&state, &caller, id, input).await?))
}

#[utoipa::path(post, path = "/api/v1/needs/{id}/rating", tag = "needs", params(("id" = i64, Path, description = "the need's id")), security(("bearer" = [])), request_body = Rating,
    responses((status = 200, body = Need), (status = 403), (status = 409, description = "the need is not completed"), (status = 422)))]
pub async fn rating(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<Rating>,
) -> ApiResult<Json<Need>> {
    Ok(Json(needs::rate(&state, &caller, id, input).await?))
}

#[utoipa::path(post, path = "/api/v1/needs/batch-dispatch", tag = "needs", security(("bearer" = [])), request_body = BatchDispatch,
    responses((status = 200, body = BatchResult), (status = 403), (status = 422)))]
pub async fn batch_dispatch(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<BatchDispatch>,
) -> ApiResult<Json<BatchResult>> {
    Ok(Json(needs::batch_dispatch(&state, &caller, input).await?))
}

#[utoipa::path(patch, path = "/api/v1/needs/{id}", tag = "needs", params(("id" = i64, Path, description = "the need's id")), security(("bearer" = [])), request_body = NeedPatch,
    responses((status = 200, body = Need), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<NeedPatch>,
) -> ApiResult<Json<Need>> {
    Ok(Json(needs::update(&state, &caller, id, input).await?))
}
