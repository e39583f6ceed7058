//! Who is calling: bearer tokens for the API, a session cookie (with a CSRF
//! token for every change) for pages, and the scope each role is given.

use super::error::ApiError;
use super::AppState;
use crate::domain::account::{Role, Scope, SESSION_IDLE_MINUTES};
use crate::domain::lang::Lang;
use crate::store::accounts::{self, SessionUser, UserRow};
use crate::store::audit;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, Duration, Utc};

pub const SESSION_COOKIE: &str = "lb_session";
pub const LANG_COOKIE: &str = "lb_lang";
pub const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub scope: Scope,
    pub volunteer_id: Option<i64>,
    pub csrf: String,
    pub token_hash: String,
}

impl Caller {
    /// The path prefix of everything this caller may see; `/` is the whole tree.
    pub fn scope_path(&self) -> &str {
        match &self.scope.region_path {
            Some(p) => p,
            None if self.role == Role::Admin => "/",
            // a non-admin account without a region sees nothing
            None => "/none/",
        }
    }

    pub fn covers(&self, path: &str) -> bool {
        self.scope.covers(path)
    }

    pub fn ensure_covers(&self, path: &str) -> Result<(), ApiError> {
        if self.covers(path) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    pub fn ensure(&self, allowed: bool) -> Result<(), ApiError> {
        if allowed {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// Whether this caller reads a volunteer's ID number and phone in full.
    pub fn sees_personal_data_of(&self, volunteer_id: i64, region_path: &str) -> bool {
        (self.role.sees_personal_data() && self.covers(region_path)) || self.volunteer_id == Some(volunteer_id)
    }

    /// Records an unmasked view of personal data before it is shown; when the
    /// record cannot be written, the view is refused.
    pub async fn audit_view(
        &self,
        state: &AppState,
        target_type: &str,
        target_id: &str,
        detail: &str,
    ) -> Result<(), ApiError> {
        let e = audit::Entry {
            user_id: Some(self.user_id),
            username: &self.username,
            action: "view_personal_data",
            target_type,
            target_id,
            detail,
        };
        audit::append(&state.db.pool, &e).await.map_err(ApiError::from)
    }

    pub async fn audit(&self, state: &AppState, action: &str, target_type: &str, target_id: &str, detail: &str) {
        let e = audit::Entry {
            user_id: Some(self.user_id),
            username: &self.username,
            action,
            target_type,
            target_id,
            detail,
        };
        if let Err(err) = audit::append(&state.db.pool, &e).await {
            // An audit that cannot be written is an operational alarm, not a user error.
            tracing::error!(error = %err, action, "audit append failed");
        }
    }
}

fn caller_from(s: SessionUser) -> Option<Caller> {
    let role = Role::parse(&s.role)?;
    Some(Caller {
        user_id: s.user_id,
        username: s.username,
        role,
        scope: Scope { role, region_path: s.region_path },
        volunteer_id: s.volunteer_id,
        csrf: s.csrf,
        token_hash: s.token_hash,
    })
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

/// Checks a session's clock: absolute expiry for all, idle time for browsers.
/// Returns whether `last_seen_at` is worth refreshing.
fn session_alive(s: &SessionUser, now: DateTime<Utc>) -> Option<bool> {
    if s.expires_at <= now {
        return None;
    }
    if s.kind == "web" {
        if now - s.last_seen_at > Duration::minutes(SESSION_IDLE_MINUTES) {
            return None;
        }
        // refreshing once a minute keeps idle expiry right without a write per request
        return Some(now - s.last_seen_at > Duration::seconds(60));
    }
    Some(false)
}

pub async fn caller_from_token(state: &AppState, token: &str) -> Result<Option<Caller>, ApiError> {
    let Some(s) = accounts::find_session(&state.db.pool, token).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    match session_alive(&s, now) {
        None => Ok(None),
        Some(refresh) => {
            if refresh {
                accounts::touch_session(&state.db.pool, &s.token_hash, now).await?;
            }
            Ok(caller_from(s))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(&parts.headers) {
            let token = token.to_string();
            return caller_from_token(state, &token).await?.ok_or_else(unauthorized_bearer);
        }
        // The pages' own scripts call the API with the session cookie; then every
        // change must carry the CSRF token in a header.
        let jar = CookieJar::from_headers(&parts.headers);
        if let Some(c) = jar.get(SESSION_COOKIE) {
            let caller = caller_from_token(state, c.value()).await?.ok_or_else(unauthorized_bearer)?;
            if !is_safe(&parts.method) {
                let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
                if !constant_eq(sent, &caller.csrf) {
                    return Err(ApiError::new(
                        StatusCode::FORBIDDEN,
                        "csrf_failed",
                        "页面已过期，请刷新后重试",
                        "The page has expired; reload and try again",
                    ));
                }
            }
            return Ok(caller);
        }
        Err(unauthorized_bearer())
    }
}

fn unauthorized_bearer() -> ApiError {
    ApiError::unauthorized()
}

pub fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub fn constant_eq(a: &str, b: &str) -> bool {
    use subtle_eq::eq;
    eq(a.as_bytes(), b.as_bytes())
}

mod subtle_eq {
    /// Compares without stopping at the first difference, so timing does not
    /// tell an attacker how much of a token was right.
    pub fn eq(a: &[u8], b: &[u8]) -> bool {
        if a.len() != b.len() || a.is_empty() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// A signed-in page visitor. Without a live session the page answers with a
/// redirect to the login page, remembering where the visitor wanted to go.
pub struct PageUser(pub Caller);

pub struct LoginRedirect(String);

impl IntoResponse for LoginRedirect {
    fn into_response(self) -> Response {
        Redirect::to(&self.0).into_response()
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let to_login = || LoginRedirect(format!("/login?next={}", urlencode(next))).into_response();
        let Some(c) = jar.get(SESSION_COOKIE) else {
            return Err(to_login());
        };
        match caller_from_token(state, c.value()).await {
            Ok(Some(caller)) => Ok(PageUser(caller)),
            Ok(None) => Err(to_login()),
            Err(e) => Err(e.into_response()),
        }
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The language of a request: `?lang=`, then the language cookie, then
/// `Accept-Language`; Chinese when nothing says otherwise.
pub fn request_lang(headers: &HeaderMap, query: Option<&str>) -> Lang {
    if let Some(q) = query {
        for pair in q.split('&') {
            if let Some(v) = pair.strip_prefix("lang=") {
                if let Some(l) = Lang::from_tag(v) {
                    return l;
                }
            }
        }
    }
    let jar = CookieJar::from_headers(headers);
    if let Some(l) = jar.get(LANG_COOKIE).and_then(|c| Lang::from_tag(c.value())) {
        return l;
    }
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_tag).unwrap_or_default()
}

pub async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(|_| ApiError::internal())
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash of a password nobody has, verified against when the user name is
/// unknown so that the answer takes as long as for a real account.
fn decoy_hash() -> String {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY
        .get_or_init(|| {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(accounts::random_token().as_bytes(), &salt)
                .map(|h| h.to_string())
                .unwrap_or_default()
        })
        .clone()
}

pub enum LoginFailure {
    Wrong,
    Locked(DateTime<Utc>),
}

impl LoginFailure {
    pub fn api_error(&self) -> ApiError {
        match self {
            LoginFailure::Wrong => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "用户名或密码错误",
                "Wrong user name or password",
            ),
            LoginFailure::Locked(until) => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "account_locked",
                // Beijing time, as the station's clocks show it
                format!("连续登录失败5次，账号已锁定至北京时间 {}", (*until + Duration::hours(8)).format("%H:%M")),
                format!("Locked after 5 failed logins until {} UTC", until.format("%H:%M")),
            ),
        }
    }
}

/// Checks a user name and password, counting failures toward the lockout.
pub async fn authenticate(
    state: &AppState,
    username: &str,
    password: &str,
) -> Result<Result<UserRow, LoginFailure>, ApiError> {
    let user = accounts::find_by_name(&state.db.pool, username.trim()).await?;
    let Some(user) = user else {
        let decoy = tokio::task::spawn_blocking(decoy_hash).await.unwrap_or_default();
        verify_password(password.to_string(), decoy).await;
        return Ok(Err(LoginFailure::Wrong));
    };
    let now = Utc::now();
    if let Some(until) = user.locked_until.filter(|u| *u > now) {
        return Ok(Err(LoginFailure::Locked(until)));
    }
    if verify_password(password.to_string(), user.password_hash.clone()).await {
        accounts::record_success(&state.db.pool, user.id).await?;
        let e = audit::Entry {
            user_id: Some(user.id),
            username: &user.username,
            action: "login",
            target_type: "user",
            target_id: &user.id.to_string(),
            detail: "",
        };
        audit::append(&state.db.pool, &e).await?;
        Ok(Ok(user))
    } else {
        let locked = accounts::record_failure(&state.db.pool, user.id).await?;
        let e = audit::Entry {
            user_id: Some(user.id),
            username: &user.username,
            action: if locked.is_some() { "login_locked" } else { "login_failed" },
            target_type: "user",
            target_id: &user.id.to_string(),
            detail: "",
        };
        audit::append(&state.db.pool, &e).await?;
        Ok(Err(match locked {
            Some(until) => LoginFailure::Locked(until),
            None => LoginFailure::Wrong,
        }))
    }
}
