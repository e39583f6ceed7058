//! Evaluation and incentives: points adjustments, the rewards shop,
//! redemptions, evaluations, the yearly assessment and leaderboards.
//! Thin adapters over `app::points`.

use super::Typed;
use crate::app::points::{
    self as app, Adjusted, Adjustment, Assessment, Evaluate, Evaluation, Leaderboards, NewReward, Reconciliation,
    Redeem, Redemption, Reward, RewardChange,
};
use crate::web::auth::Caller;
use crate::web::error::ApiResult;
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

#[utoipa::path(post, path = "/api/v1/points/adjustments", tag = "points", security(("bearer" = [])), request_body = Adjustment,
    responses((status = 201, body = Adjusted), (status = 403), (status = 404), (status = 409, description = "would make the balance negative"), (status = 422)))]
pub async fn adjust(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<Adjustment>,
) -> ApiResult<(StatusCode, Json<Adjusted>)> {
    Ok((StatusCode::CREATED, Json(app::adjust(&state, &caller, input).await?)))
}

#[derive(Deserialize, IntoParams)]
pub struct RewardQuery {
    pub region_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/rewards", tag = "rewards", params(RewardQuery), security(("bearer" = [])), responses((status = 200, body = [Reward])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RewardQuery>,
) -> ApiResult<Json<Vec<Reward>>> {
    Ok(Json(app::rewards(&state, &caller, q.region_id.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/rewards/{id}", tag = "rewards", params(("id" = i64, Path, description = "the reward's id")), security(("bearer" = [])), responses((status = 200, body = Reward), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Reward>> {
    Ok(Json(app::reward(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/rewards", tag = "rewards", security(("bearer" = [])),
    request_body = NewReward,
    responses((status = 201, body = Reward), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<NewReward>,
) -> ApiResult<(StatusCode, Json<Reward>)> {
    Ok((StatusCode::CREATED, Json(app::create_reward(&state, &caller, input).await?)))
}

#[utoipa::path(patch, path = "/api/v1/rewards/{id}", tag = "rewards", params(("id" = i64, Path, description = "the reward's id")), security(("bearer" = [])),
    request_body = RewardChange,
    responses((status = 200, body = Reward), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<RewardChange>,
) -> ApiResult<Json<Reward>> {
    Ok(Json(app::update_reward(&state, &caller, id, input).await?))
}

#[utoipa::path(get, path = "/api/v1/rewards/{id}/reconciliation", tag = "rewards", params(("id" = i64, Path, description = "the reward's id")), security(("bearer" = [])),
    responses((status = 200, body = Reconciliation), (status = 403), (status = 404)))]
pub async fn reconciliation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Reconciliation>> {
    Ok(Json(app::reconciliation(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/redemptions", tag = "rewards", security(("bearer" = [])), request_body = Redeem,
    responses((status = 201, body = Redemption), (status = 403), (status = 404), (status = 409, description = "not enough points, or out of stock"), (status = 422)))]
pub async fn redeem(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<Redeem>,
) -> ApiResult<(StatusCode, Json<Redemption>)> {
    Ok((StatusCode::CREATED, Json(app::redeem(&state, &caller, input).await?)))
}

#[derive(Deserialize, IntoParams)]
pub struct RedemptionQuery {
    pub volunteer_id: Option<String>,
    pub reward_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/redemptions", tag = "rewards", params(RedemptionQuery), security(("bearer" = [])), responses((status = 200, body = [Redemption])))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RedemptionQuery>,
) -> ApiResult<Json<Vec<Redemption>>> {
    Ok(Json(app::redemptions(&state, &caller, q.volunteer_id.as_deref(), q.reward_id.as_deref()).await?))
}

#[utoipa::path(post, path = "/api/v1/volunteers/{id}/evaluations", tag = "evaluations", params(("id" = i64, Path, description = "the volunteer's id")), security(("bearer" = [])),
    request_body = Evaluate,
    responses((status = 201, body = [Evaluation]), (status = 403), (status = 404), (status = 422)))]
pub async fn evaluate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<Evaluate>,
) -> ApiResult<(StatusCode, Json<Vec<Evaluation>>)> {
    Ok((StatusCode::CREATED, Json(app::evaluate(&state, &caller, id, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/volunteers/{id}/evaluations", tag = "evaluations", params(("id" = i64, Path, description = "the volunteer's id")), security(("bearer" = [])), responses((status = 200, body = [Evaluation])))]
pub async fn evaluations_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Evaluation>>> {
    Ok(Json(app::evaluations_of(&state, &caller, id).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct YearQuery {
    pub region_id: Option<String>,
    /// The year to assess; default this year.
    pub year: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/assessments", tag = "evaluations", params(YearQuery), security(("bearer" = [])),
    responses((status = 200, body = Assessment), (status = 403), (status = 422)))]
pub async fn assessment(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<YearQuery>,
) -> ApiResult<Json<Assessment>> {
    Ok(Json(app::assessment(&state, &caller, q.region_id.as_deref(), q.year.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/leaderboards", tag = "evaluations", params(YearQuery), security(("bearer" = [])),
    responses((status = 200, body = Leaderboards), (status = 403), (status = 422)))]
pub async fn leaderboards(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<YearQuery>,
) -> ApiResult<Json<Leaderboards>> {
    Ok(Json(app::leaderboards(&state, &caller, q.region_id.as_deref(), q.year.as_deref()).await?))
}
