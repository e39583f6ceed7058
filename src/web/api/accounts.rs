//! One's own account (password, second factor, sessions) and staff's
//! handling of the accounts in their scope.

use super::Typed;
use crate::app::accounts::{self, Enrolment, MySession, NewAccount, TotpStatus};
use crate::domain::account::Role;
use crate::domain::validation::{Problem, Problems};
use crate::store::accounts::SessionKind;
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::{HeaderMap, HeaderValue};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa::ToSchema;

use super::auth::TokenResponse;

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    /// Taken exactly as sent.
    #[serde(default)]
    pub current_password: Option<String>,
    #[serde(default)]
    pub new_password: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/me/password", tag = "auth", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 200, body = TokenResponse, description = "every session of the account ended; this is the new token"),
        (status = 422, description = "wrong current password or a weak new one")))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<PasswordChange>,
) -> ApiResult<Json<TokenResponse>> {
    let mut problems = Problems::new();
    let current = body.current_password.unwrap_or_default();
    let new = body.new_password.unwrap_or_default();
    if current.is_empty() {
        problems.push(Problem::required("current_password"));
    }
    if new.is_empty() {
        problems.push(Problem::required("new_password"));
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let s = accounts::change_own_password(&state, &caller, &current, &new, SessionKind::Api).await?;
    Ok(Json(TokenResponse { token: s.token, expires_at: s.expires_at }))
}

#[utoipa::path(get, path = "/api/v1/me/totp", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = TotpStatus)))]
pub async fn totp_status(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<TotpStatus>> {
    Ok(Json(accounts::totp_status(&state, &caller).await?))
}

#[utoipa::path(post, path = "/api/v1/me/totp", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Enrolment, description = "a secret to add to an authenticator app, then confirm"),
        (status = 409, description = "already on")))]
pub async fn totp_start(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Enrolment>> {
    Ok(Json(accounts::start_totp(&state, &caller).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct TotpCode {
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub totp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Each good once in place of a code; shown only now.
    pub recovery_codes: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/me/totp/confirm", tag = "auth", security(("bearer" = [])), request_body = TotpCode,
    responses((status = 200, body = RecoveryCodes), (status = 422, description = "not the app's current code"),
        (status = 409, description = "no enrolment started")))]
pub async fn totp_confirm(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<TotpCode>,
) -> ApiResult<Json<RecoveryCodes>> {
    let Some(code) = body.totp.filter(|c| !c.trim().is_empty()) else {
        return Err(ApiError::field(Problem::required("totp")));
    };
    let e = accounts::confirm_totp(&state, &caller, &code).await?;
    Ok(Json(RecoveryCodes { recovery_codes: e.recovery_codes }))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordConfirm {
    #[serde(default)]
    pub password: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/me/totp/disable", tag = "auth", security(("bearer" = [])), request_body = PasswordConfirm,
    responses((status = 204), (status = 422, description = "wrong password"), (status = 409, description = "the role requires it")))]
pub async fn totp_disable(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<PasswordConfirm>,
) -> ApiResult<StatusCode> {
    accounts::disable_totp(&state, &caller, body.password.as_deref().unwrap_or("")).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = [MySession])))]
pub async fn my_sessions(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<MySession>>> {
    Ok(Json(accounts::my_sessions(&state, &caller).await?))
}

#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = String, Path, description = "the session's id from the list")),
    responses((status = 204), (status = 404)))]
pub async fn end_my_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    accounts::end_my_session(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An account as staff see it.
#[derive(Serialize, ToSchema)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub region_id: Option<i64>,
    pub totp_enabled: bool,
    pub must_change_password: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub sessions: i64,
    /// Whether the caller may reset it or end its sessions.
    pub manageable: bool,
}

#[derive(Deserialize, IntoParams)]
pub struct AccountQuery {
    /// Part of the user name or of the person's name.
    pub q: Option<String>,
    /// Only accounts of this role (`admin`, `town_staff`, …).
    pub role: Option<String>,
    /// 1–1000, default 500.
    pub limit: Option<String>,
    pub offset: Option<String>,
}

/// The accounts in the caller's scope by user name; `X-Total-Count` says how
/// many match in all.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(AccountQuery), security(("bearer" = [])),
    responses((status = 200, body = [Account], headers(("x-total-count" = i64, description = "accounts matching in all"))),
        (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AccountQuery>,
) -> ApiResult<(HeaderMap, Json<Vec<Account>>)> {
    let (limit, offset) = crate::app::paging(q.limit.as_deref().or(Some("500")), q.offset.as_deref())?;
    let role = match q.role.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => Some(
            Role::parse(r)
                .ok_or_else(|| ApiError::field(Problem::about("role", "不是已知的角色", "is not a known role")))?,
        ),
    };
    let filter = accounts::AccountFilter { words: q.q.unwrap_or_default(), role, limit, offset };
    let (list, total) = accounts::accounts_in_scope(&state, &caller, &filter).await?;
    let mut headers = HeaderMap::new();
    headers.insert("x-total-count", HeaderValue::from(total));
    Ok((
        headers,
        Json(
            list.into_iter()
                .map(|(a, manageable)| Account {
                    id: a.id,
                    username: a.username,
                    display_name: a.display_name,
                    role: a.role,
                    region_id: a.region_id,
                    totp_enabled: a.totp_on,
                    must_change_password: a.must_change_password,
                    locked_until: a.locked_until,
                    sessions: a.sessions,
                    manageable,
                })
                .collect(),
        ),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AccountInput {
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub username: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub region_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub display_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TemporaryPassword {
    pub id: i64,
    /// Shown once; the account must change it at its first browser sign-in.
    pub temporary_password: String,
}

#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", security(("bearer" = [])), request_body = AccountInput,
    responses((status = 201, body = TemporaryPassword), (status = 422), (status = 403)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<AccountInput>,
) -> ApiResult<(StatusCode, Json<TemporaryPassword>)> {
    let mut problems = Problems::new();
    let username = body.username.map(|u| u.trim().to_string()).unwrap_or_default();
    if username.is_empty() {
        problems.push(Problem::required("username"));
    }
    let Some(role) = body.role else {
        problems.push(Problem::required("role"));
        return Err(ApiError::invalid(problems));
    };
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let n = NewAccount { username, role, region_id: body.region_id, display_name: body.display_name };
    let (id, temporary_password) = accounts::create_account(&state, &caller, &n).await?;
    Ok((StatusCode::CREATED, Json(TemporaryPassword { id, temporary_password })))
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/password-reset", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = TemporaryPassword), (status = 403), (status = 404)))]
pub async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<TemporaryPassword>> {
    let (_, temporary_password) = accounts::reset_password(&state, &caller, id).await?;
    Ok(Json(TemporaryPassword { id, temporary_password }))
}

#[derive(Serialize, ToSchema)]
pub struct Ended {
    pub ended: u64,
}

#[utoipa::path(delete, path = "/api/v1/accounts/{id}/sessions", tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Ended), (status = 403), (status = 404)))]
pub async fn end_sessions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Ended>> {
    Ok(Json(Ended { ended: accounts::end_sessions_of(&state, &caller, id).await? }))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct TotpRoles {
    /// Roles whose accounts must sign in with a second factor.
    pub roles: Vec<Role>,
}

#[utoipa::path(get, path = "/api/v1/settings/totp-roles", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = TotpRoles)))]
pub async fn totp_roles(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<TotpRoles>> {
    caller.ensure(caller.role.manages_roster())?;
    Ok(Json(TotpRoles { roles: accounts::totp_roles(&state).await? }))
}

#[utoipa::path(put, path = "/api/v1/settings/totp-roles", tag = "accounts", security(("bearer" = [])), request_body = TotpRoles,
    responses((status = 200, body = TotpRoles), (status = 403)))]
pub async fn set_totp_roles(
    State(state): State<AppState>,
    caller: Caller,
    Typed(body): Typed<TotpRoles>,
) -> ApiResult<Json<TotpRoles>> {
    accounts::set_totp_roles(&state, &caller, &body.roles).await?;
    Ok(Json(TotpRoles { roles: accounts::totp_roles(&state).await? }))
}
