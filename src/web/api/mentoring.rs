//! `/api/v1/mentorships`: veterans help veterans (老兵带新兵).
//!
//! A mentee has one open pair at a time; a second one is a 409
//! (`mentee_has_open_mentorship`): see `app::mentoring`.

use super::Typed;
use crate::app::mentoring as app;
pub use crate::app::mentoring::{MentorshipInput, MentorshipPatch};
use crate::store::mentoring::Mentorship;
use crate::web::auth::Caller;
use crate::web::error::ApiResult;
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct MentorshipQuery {
    /// Only pairs whose mentee lives in this region's subtree.
    pub region_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/mentorships", tag = "mentoring", params(MentorshipQuery), security(("bearer" = [])),
    responses((status = 200, body = [Mentorship]), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<MentorshipQuery>,
) -> ApiResult<Json<Vec<Mentorship>>> {
    Ok(Json(app::list(&state, &caller, q.region_id.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/mentorships/{id}", tag = "mentoring", params(("id" = i64, Path, description = "the mentorship's id")), security(("bearer" = [])),
    responses((status = 200, body = Mentorship), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Mentorship>> {
    Ok(Json(app::show(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/mentorships", tag = "mentoring", security(("bearer" = [])),
    request_body = MentorshipInput,
    responses((status = 201, body = Mentorship), (status = 403), (status = 404), (status = 409, description = "the mentee already has an open mentorship"), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Typed(input): Typed<MentorshipInput>,
) -> ApiResult<(StatusCode, Json<Mentorship>)> {
    Ok((StatusCode::CREATED, Json(app::create(&state, &caller, input).await?)))
}

#[utoipa::path(patch, path = "/api/v1/mentorships/{id}", tag = "mentoring", params(("id" = i64, Path, description = "the mentorship's id")), security(("bearer" = [])),
    request_body = MentorshipPatch,
    responses((status = 200, body = Mentorship), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(patch): Typed<MentorshipPatch>,
) -> ApiResult<Json<Mentorship>> {
    Ok(Json(app::update(&state, &caller, id, patch).await?))
}
