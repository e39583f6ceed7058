//! Tokens for API clients.

use super::Typed;
use crate::app::accounts;
use crate::domain::account::Role;
use crate::domain::validation::{Problem, Problems};
use crate::store::accounts::SessionKind;
use crate::store::notifications::Notification;
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub username: Option<String>,
    /// Taken exactly as sent: a password is never trimmed.
    #[serde(default)]
    pub password: Option<String>,
    /// The second factor, when the account has one: the 6 digits the
    /// authenticator app shows, or one of the recovery codes. Without it such
    /// an account is answered 401 `totp_required`.
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub totp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse),
        (status = 401, description = "wrong credentials, account locked, or `totp_required`: the account needs its second factor"),
        (status = 403, description = "`password_change_required`: change the temporary password on the web pages first"),
        (status = 429, description = "too many failed sign-ins from this address")))]
pub async fn token(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Typed(body): Typed<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let mut problems = Problems::new();
    let username = body.username.map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
    if username.as_ref().is_none_or(|u| u.chars().count() > 64) {
        problems.push(Problem::required("username"));
    }
    let password = body.password.filter(|p| !p.is_empty());
    if password.is_none() {
        problems.push(Problem::required("password"));
    }
    let (Some(username), Some(password)) = (username, password) else {
        return Err(ApiError::invalid(problems));
    };
    let cred = accounts::Credentials {
        username: &username,
        password: &password,
        totp: body.totp.as_deref(),
        client: addr.ip(),
    };
    let s = accounts::sign_in(&state, &cred, SessionKind::Api).await?.map_err(|e| e.error())?;
    Ok(Json(TokenResponse { token: s.token, expires_at: s.expires_at }))
}

#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "the token no longer works")))]
pub async fn revoke(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    accounts::sign_out(&state, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user_id: i64,
    pub username: String,
    /// The person's name (姓名): the account's own, its volunteer's, or the login.
    pub display_name: String,
    pub role: Role,
    pub region_id: Option<i64>,
    pub volunteer_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), responses((status = 200, body = Me)))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Me>> {
    let user = accounts::account_of(&state, &caller).await?;
    Ok(Json(Me {
        user_id: caller.user_id,
        username: caller.username,
        display_name: caller.display_name,
        role: caller.role,
        region_id: user.region_id,
        volunteer_id: caller.volunteer_id,
    }))
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = [Notification])))]
pub async fn inbox(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Notification>>> {
    Ok(Json(accounts::inbox(&state, &caller).await?))
}

#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = i64, Path, description = "the notification's id")), security(("bearer" = [])),
    responses((status = 204), (status = 404)))]
pub async fn read(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    accounts::mark_read(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
