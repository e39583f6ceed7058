//! `/api/v1/teams` and their members.

use super::Typed;
use crate::app::teams as app;
pub use crate::app::teams::{Member, MemberRequest, Team, TeamDetail, TeamInput, TeamPatch, TeamQuery};
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;

#[utoipa::path(get, path = "/api/v1/teams", tag = "teams", params(TeamQuery), security(("bearer" = [])),
    responses((status = 200, body = [Team]), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<TeamQuery>,
) -> ApiResult<Json<Vec<Team>>> {
    Ok(Json(app::list(&state, &caller, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/teams/{id}", tag = "teams", params(("id" = i64, Path, description = "the team's id")), security(("bearer" = [])),
    responses((status = 200, body = TeamDetail), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<TeamDetail>> {
    Ok(Json(app::detail(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/teams", tag = "teams", security(("bearer" = [])),
    request_body = TeamInput,
    responses((status = 201, body = Team), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<TeamInput>,
) -> ApiResult<(StatusCode, Json<Team>)> {
    Ok((StatusCode::CREATED, Json(app::create(&state, &caller, input).await?)))
}

#[utoipa::path(patch, path = "/api/v1/teams/{id}", tag = "teams", params(("id" = i64, Path, description = "the team's id")), security(("bearer" = [])),
    request_body = TeamPatch,
    responses((status = 200, body = Team), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(patch): Typed<TeamPatch>,
) -> ApiResult<Json<Team>> {
    Ok(Json(app::update(&state, &caller, id, patch).await?))
}

#[utoipa::path(post, path = "/api/v1/teams/{id}/members", tag = "teams", params(("id" = i64, Path, description = "the team's id")), security(("bearer" = [])), request_body = MemberRequest,
    responses((status = 201, body = TeamDetail), (status = 403), (status = 404), (status = 409, description = "already a member"), (status = 422)))]
pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<MemberRequest>,
) -> ApiResult<(StatusCode, Json<TeamDetail>)> {
    Ok((StatusCode::CREATED, Json(app::add_member(&state, &caller, id, input).await?)))
}

#[utoipa::path(delete, path = "/api/v1/teams/{id}/members/{volunteer_id}", tag = "teams", params(("id" = i64, Path, description = "the team's id"), ("volunteer_id" = i64, Path, description = "the volunteer's id")), security(("bearer" = [])),
    responses((status = 204), (status = 403), (status = 404, description = "no such team or not a member"), (status = 409, description = "the leader cannot leave")))]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, volunteer_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    if !app::remove_member(&state, &caller, id, volunteer_id).await? {
        return Err(ApiError::not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}
