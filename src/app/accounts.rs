//! Accounts: signing in and out, recognising a session, and one's own inbox.

use super::error::{Error, Result};
use super::{App, Caller};
use crate::domain::account::{Scope, SESSION_IDLE_MINUTES, TOKEN_HOURS};
use crate::domain::error_code::ErrorCode;
use crate::domain::{clock, password};
use crate::store::accounts::{self, NewSession, SessionKind, SessionUser, UserRow};
use crate::store::audit;
use crate::store::notifications::{self, Notification};
use chrono::{DateTime, Duration, Utc};

/// Hashes a password off the async threads.
pub async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|_| Error::internal())?
        .ok_or_else(Error::internal)
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || password::verify(&password, &hash)).await.unwrap_or(false)
}

pub enum LoginFailure {
    Wrong,
    Locked(DateTime<Utc>),
}

impl LoginFailure {
    pub fn error(&self) -> Error {
        match self {
            LoginFailure::Wrong => Error::code(ErrorCode::InvalidCredentials),
            LoginFailure::Locked(until) => Error::new(
                ErrorCode::AccountLocked,
                // Beijing time, as the station's clocks show it
                format!("连续登录失败5次，账号已锁定至北京时间 {}", clock::clock_text(*until)),
                format!("Locked after 5 failed logins until {} UTC", until.format("%H:%M")),
            ),
        }
    }
}

/// Checks a user name and password, counting failures toward the lockout.
pub async fn authenticate(
    app: &App,
    username: &str,
    password: &str,
) -> Result<std::result::Result<UserRow, LoginFailure>> {
    let user = accounts::find_by_name(&app.db.pool, username.trim()).await?;
    let Some(user) = user else {
        verify_password(password.to_string(), password::decoy().to_string()).await;
        return Ok(Err(LoginFailure::Wrong));
    };
    let now = Utc::now();
    if let Some(until) = user.locked_until.filter(|u| *u > now) {
        return Ok(Err(LoginFailure::Locked(until)));
    }
    let record = |action: &str| audit::Record {
        user_id: Some(user.id),
        username: user.username.clone(),
        action: action.to_string(),
        target_type: "user".into(),
        target_id: user.id.to_string(),
        detail: String::new(),
    };
    if verify_password(password.to_string(), user.password_hash.clone()).await {
        accounts::record_success(&app.db.pool, user.id, &record("login")).await?;
        Ok(Ok(user))
    } else {
        let locked = accounts::record_failure(&app.db.pool, user.id, |locked| {
            record(if locked { "login_locked" } else { "login_failed" })
        })
        .await?;
        Ok(Err(match locked {
            Some(until) => LoginFailure::Locked(until),
            None => LoginFailure::Wrong,
        }))
    }
}

/// Signs in: a new session of the given kind, or why not.
pub async fn sign_in(
    app: &App,
    username: &str,
    password: &str,
    kind: SessionKind,
) -> Result<std::result::Result<NewSession, LoginFailure>> {
    match authenticate(app, username, password).await? {
        Ok(user) => Ok(Ok(accounts::create_session(&app.db.pool, user.id, kind, Duration::hours(TOKEN_HOURS)).await?)),
        Err(f) => Ok(Err(f)),
    }
}

/// Ends the caller's own session (logout, or a revoked API token).
pub async fn sign_out(app: &App, caller: &Caller) -> Result<()> {
    Ok(accounts::delete_session(&app.db.pool, &caller.token_hash).await?)
}

fn caller_from(s: SessionUser) -> Option<Caller> {
    let role = s.role;
    Some(Caller {
        user_id: s.user_id,
        username: s.username,
        display_name: s.display_name,
        role,
        scope: Scope { role, region_path: s.region_path },
        volunteer_id: s.volunteer_id,
        csrf: s.csrf,
        token_hash: s.token_hash,
    })
}

/// Checks a session's clock: absolute expiry for all, idle time for browsers.
/// Returns whether `last_seen_at` is worth refreshing.
fn session_alive(s: &SessionUser, now: DateTime<Utc>) -> Option<bool> {
    if s.expires_at <= now {
        return None;
    }
    if s.kind == SessionKind::Web {
        if now - s.last_seen_at > Duration::minutes(SESSION_IDLE_MINUTES) {
            return None;
        }
        // refreshing once a minute keeps idle expiry right without a write per request
        return Some(now - s.last_seen_at > Duration::seconds(60));
    }
    Some(false)
}

/// The caller a token or session cookie stands for, if it is still alive.
pub async fn caller_from_token(app: &App, token: &str) -> Result<Option<Caller>> {
    let Some(s) = accounts::find_session(&app.db.pool, token).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    match session_alive(&s, now) {
        None => Ok(None),
        Some(refresh) => {
            if refresh {
                accounts::touch_session(&app.db.pool, &s.token_hash, now).await?;
            }
            Ok(caller_from(s))
        }
    }
}

/// The caller's own account as stored (for its region).
pub async fn account_of(app: &App, caller: &Caller) -> Result<UserRow> {
    accounts::find_by_name(&app.db.pool, &caller.username).await?.ok_or_else(Error::unauthorized)
}

/// The caller's inbox, newest first.
pub async fn inbox(app: &App, caller: &Caller) -> Result<Vec<Notification>> {
    Ok(notifications::inbox(&app.db.pool, caller.user_id, caller.volunteer_id).await?)
}

/// Marks one of the caller's notifications read; not found when it is not theirs.
pub async fn mark_read(app: &App, caller: &Caller, id: i64) -> Result<()> {
    if notifications::mark_read(&app.db.pool, id, caller.user_id, caller.volunteer_id).await? {
        Ok(())
    } else {
        Err(Error::not_found())
    }
}

/// A new token for a caller that is already known (sessions' random part).
pub fn random_token() -> String {
    accounts::random_token()
}
