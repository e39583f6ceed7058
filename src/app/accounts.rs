//! Accounts: signing in and out, recognising a session, and one's own inbox.

use super::error::{Error, Result};
use super::{App, Caller};
use crate::domain::account::{Scope, SESSION_IDLE_MINUTES, TOKEN_HOURS};
use crate::domain::error_code::ErrorCode;
use crate::domain::{clock, password};
use crate::store::accounts::{self, NewSession, SessionKind, SessionUser, UserRow};
use crate::store::sessions::{self, Claims};

use crate::store::audit;
use crate::store::notifications::{self, Notification};
pub use crate::store::sessions::Ending;
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
        Ok(user) => Ok(Ok(accounts::create_session(&app.db, &user, kind, Duration::hours(TOKEN_HOURS)).await?)),
        Err(f) => Ok(Err(f)),
    }
}

/// Ends the caller's own session (logout, or a revoked API token).
pub async fn sign_out(app: &App, caller: &Caller) -> Result<()> {
    end_sessions(app, Ending::Session(&caller.token_hash)).await?;
    Ok(())
}

/// Ends sessions — the one way to sign people out: the rows go, this server
/// refuses them at once and every other server within `sessions::SYNC_EVERY`
/// (it reads its sessions' rows again every second). Returns how many ended.
pub async fn end_sessions(app: &App, which: Ending<'_>) -> Result<u64> {
    Ok(sessions::end_sessions(&app.db.pool, &app.db.sessions, which).await?)
}

fn caller_from(s: &SessionUser) -> Caller {
    let role = s.role;
    Caller {
        user_id: s.user_id,
        username: s.username.clone(),
        display_name: s.display_name.clone(),
        role,
        scope: Scope { role, region_path: s.region_path.clone() },
        volunteer_id: s.volunteer_id,
        csrf: s.csrf.clone(),
        token_hash: s.token_hash.clone(),
    }
}

/// Checks a session's clocks: absolute expiry for all, idle time for browsers.
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

/// Whether the account is still what it was when the token was signed: a
/// lock, or a new role, region or volunteer, ends its sessions.
fn account_unchanged(s: &SessionUser, c: &Claims, now: DateTime<Utc>) -> bool {
    s.user_id == c.user_id
        && s.kind == c.kind
        && s.role == c.role
        && s.region_id == c.region_id
        && s.volunteer_id == c.volunteer_id
        && s.locked_until.is_none_or(|until| until <= now)
}

/// The caller a token or session cookie stands for, if it is still alive —
/// the only place a token becomes a `Caller`. The signature is checked first
/// (a forged token never reaches the database), then the session as this
/// server holds it in memory (`store::sessions`: read from its row the first
/// time, then again every second).
pub async fn caller_from_token(app: &App, token: &str) -> Result<Option<Caller>> {
    let Some(claims) = sessions::verify(&app.db.vault, token) else {
        return Ok(None);
    };
    let now = Utc::now();
    if claims.expires_at <= now {
        return Ok(None);
    }
    let hash = sessions::token_hash(token);
    let Some(s) = app.db.sessions.get(&hash).await? else {
        return Ok(None);
    };
    if !account_unchanged(&s, &claims, now) {
        return Ok(None);
    }
    match session_alive(&s, now) {
        None => Ok(None),
        Some(refresh) => {
            if refresh {
                app.db.sessions.touch(&hash, now);
            }
            Ok(Some(caller_from(&s)))
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
