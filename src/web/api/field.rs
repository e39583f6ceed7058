//! `/api/v1/activities/{id}/field-actions`: what a phone did in the field,
//! perhaps without a signal, sent when it could; and the leader's live code.

use crate::app::field::{self as app, FieldAction, FieldOutcome, LiveCode};
use crate::web::api::Typed;
use crate::web::auth::Caller;
use crate::web::error::ApiResult;
use crate::web::AppState;
use axum::extract::{Path, State};
use axum::Json;

#[utoipa::path(post, path = "/api/v1/activities/{id}/field-actions", tag = "activities", params(("id" = i64, Path, description = "the activity's id")), security(("bearer" = [])),
    request_body = FieldAction,
    responses((status = 200, body = FieldOutcome, description = "done, or done before under the same key (`replayed`)"),
        (status = 403, description = "not one's own, or too far from the activity (`too_far_away`, with the distance)"),
        (status = 404, description = "the check-in link or the leader's code has expired"),
        (status = 409, description = "no place, the activity closed, or the same key is being handled"),
        (status = 422, description = "the original time is outside the activity's hours")))]
pub async fn apply(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(action): Typed<FieldAction>,
) -> ApiResult<Json<FieldOutcome>> {
    Ok(Json(app::apply(&state, &caller, id, action).await?))
}

#[utoipa::path(get, path = "/api/v1/activities/{id}/checkin-code", tag = "activities", params(("id" = i64, Path, description = "the activity's id")), security(("bearer" = [])),
    responses((status = 200, body = LiveCode, description = "the code the leader's screen shows now (it changes every 30 seconds)"), (status = 403), (status = 404)))]
pub async fn live_code(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<LiveCode>> {
    Ok(Json(app::live_code(&state, &caller, id).await?))
}
