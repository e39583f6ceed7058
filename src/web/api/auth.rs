//! Tokens for API clients.

use super::Body;
use crate::domain::account::{Role, TOKEN_HOURS};
use crate::domain::input::Fields;
use crate::store::accounts::{self, SessionKind};
use crate::web::auth::{authenticate, Caller};
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, description = "wrong credentials or account locked")))]
pub async fn token(State(state): State<AppState>, Body(body): Body) -> ApiResult<Json<TokenResponse>> {
    let mut f = Fields::new(&body);
    let username = f.required_text("username", 64);
    let password = match body.get("password") {
        Some(serde_json::Value::String(p)) if !p.is_empty() => Some(p.clone()),
        _ => {
            f.problems.push(crate::domain::validation::Problem::required("password"));
            None
        }
    };
    let (Some(username), Some(password)) = (username, password) else {
        return Err(ApiError::invalid(f.problems));
    };
    let user = authenticate(&state, &username, &password).await?.map_err(|e| e.api_error())?;
    let s = accounts::create_session(&state.db.pool, user.id, SessionKind::Api, Duration::hours(TOKEN_HOURS)).await?;
    Ok(Json(TokenResponse { token: s.token, expires_at: s.expires_at }))
}

#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "the token no longer works")))]
pub async fn revoke(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    accounts::delete_session(&state.db.pool, &caller.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub region_id: Option<i64>,
    pub volunteer_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), responses((status = 200, body = Me)))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Me>> {
    let user = accounts::find_by_name(&state.db.pool, &caller.username).await?.ok_or_else(ApiError::unauthorized)?;
    Ok(Json(Me {
        user_id: caller.user_id,
        username: caller.username,
        role: caller.role,
        region_id: user.region_id,
        volunteer_id: caller.volunteer_id,
    }))
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = [crate::store::notifications::Notification])))]
pub async fn inbox(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<crate::store::notifications::Notification>>> {
    Ok(Json(crate::store::notifications::inbox(&state.db.pool, caller.user_id, caller.volunteer_id).await?))
}

#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    responses((status = 204), (status = 404)))]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> ApiResult<StatusCode> {
    if crate::store::notifications::mark_read(&state.db.pool, id, caller.user_id, caller.volunteer_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}
