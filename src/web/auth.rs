//! Who is calling: bearer tokens for the API, a session cookie (with a CSRF
//! token for every change) for pages, and the scope each role is given.

use super::error::ApiError;
use super::AppState;
use crate::app::accounts::{self, Pending};
use crate::domain::error_code::ErrorCode;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;

pub use crate::app::Caller;

pub const SESSION_COOKIE: &str = "lb_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

async fn caller_from_token(state: &AppState, token: &str) -> Result<Option<Caller>, ApiError> {
    accounts::caller_from_token(state, token).await
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(&parts.headers) {
            let token = token.to_string();
            let caller = caller_from_token(state, &token).await?.ok_or_else(unauthorized_bearer)?;
            return refuse_pending(caller);
        }
        // The pages' own scripts call the API with the session cookie; then every
        // change must carry the CSRF token in a header.
        let jar = CookieJar::from_headers(&parts.headers);
        if let Some(c) = jar.get(SESSION_COOKIE) {
            let caller = caller_from_token(state, c.value()).await?.ok_or_else(unauthorized_bearer)?;
            let caller = refuse_pending(caller)?;
            if !is_safe(&parts.method) {
                let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
                if !constant_eq(sent, &caller.csrf) {
                    return Err(ApiError::code(ErrorCode::CsrfFailed));
                }
            }
            return Ok(caller);
        }
        Err(unauthorized_bearer())
    }
}

/// A session that must first change its password or enrol the second factor
/// calls no API.
fn refuse_pending(caller: Caller) -> Result<Caller, ApiError> {
    match caller.pending {
        None => Ok(caller),
        Some(Pending::Password) => Err(ApiError::code(ErrorCode::PasswordChangeRequired)),
        Some(Pending::Totp) => Err(ApiError::code(ErrorCode::TotpRequired)),
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
            Ok(Some(caller)) => match caller.pending {
                // a session waiting for a new password or the second factor
                // opens only the page that does it (and signing out)
                Some(p) => {
                    let to = match p {
                        Pending::Password => "/account/password",
                        Pending::Totp => "/account/totp",
                    };
                    if parts.uri.path() == to || parts.uri.path() == "/logout" {
                        Ok(PageUser(caller))
                    } else {
                        Err(Redirect::to(to).into_response())
                    }
                }
                None => Ok(PageUser(caller)),
            },
            Ok(None) => Err(to_login()),
            Err(e) => Err(e.into_response()),
        }
    }
}

pub use super::lang::{request_lang, LANG_COOKIE};
pub use super::url::urlencode;
