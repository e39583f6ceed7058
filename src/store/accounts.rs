//! Accounts and sessions. Passwords are Argon2id hashes; session tokens are
//! random and only their SHA-256 is stored, so a stolen database holds no
//! usable token.

use super::audit::AuditTx;
use super::{unique_violation, BeginWrite, Pool, Result, StoreError};
use crate::domain::account::{lock_after_failure, Role};
use crate::domain::validation::Problem;
use crate::on_db;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: crate::domain::account::Role,
    pub region_id: Option<i64>,
    pub volunteer_id: Option<i64>,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
}

pub async fn find_by_name(pool: &Pool, username: &str) -> Result<Option<UserRow>> {
    Ok(on_db!(pool, |p| {
        sqlx::query_as::<_, UserRow>(
            "SELECT id, username, password_hash, role, region_id, volunteer_id, failed_logins, locked_until
           FROM users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(p)
        .await?
    }))
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub region_id: Option<i64>,
    pub volunteer_id: Option<i64>,
}

pub async fn create(pool: &Pool, u: &NewUser<'_>) -> Result<i64> {
    let now = Utc::now();
    let r = on_db!(pool, |p| sqlx::query_scalar::<_, i64>(
        "INSERT INTO users (username, password_hash, role, region_id, volunteer_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(u.username)
    .bind(u.password_hash)
    .bind(u.role.as_str())
    .bind(u.region_id)
    .bind(u.volunteer_id)
    .bind(now)
    .fetch_one(p)
    .await);
    r.map_err(|e| {
        match unique_violation(&e, &[("username", Problem::about("username", "已被使用", "is already taken"))]) {
            Some(p) => StoreError::invalid(p),
            None => e.into(),
        }
    })
}

pub async fn count_admins(pool: &Pool) -> Result<i64> {
    Ok(on_db!(pool, |p| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users WHERE role = 'admin'")
        .fetch_one(p)
        .await?))
}

/// Counts one failed login in a single statement, so parallel guesses cannot
/// slip past the limit; locks the account on the fifth. The audit record
/// (which depends on whether this failure locked the account) is written in
/// the same transaction.
pub async fn record_failure(
    pool: &Pool,
    user_id: i64,
    record: impl Fn(bool) -> super::audit::Record,
) -> Result<Option<DateTime<Utc>>> {
    let now = Utc::now();
    let lock_at = now + Duration::minutes(crate::domain::account::LOCKOUT_MINUTES);
    let limit = crate::domain::account::MAX_FAILED_LOGINS;
    let row: Option<(i64, Option<DateTime<Utc>>)> = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let row: Option<(i64, Option<DateTime<Utc>>)> = sqlx::query_as(
            "UPDATE users
                SET failed_logins = CASE WHEN failed_logins + 1 >= $1 THEN 0 ELSE failed_logins + 1 END,
                    locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END
              WHERE id = $3
          RETURNING failed_logins, locked_until",
        )
        .bind(limit)
        .bind(lock_at)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        let locked = row.as_ref().is_some_and(|(_, until)| until.is_some_and(|u| u > now));
        tx.audit(&record(locked).entry()).await?;
        tx.commit().await?;
        row
    });
    // the domain rule and the statement above say the same thing; keep them in step
    debug_assert!(lock_after_failure(limit - 1, now).is_some());
    Ok(row.and_then(|(_, until)| until.filter(|u| *u > now)))
}

/// A good password: the failure count starts again, and the sign-in is audited.
pub async fn record_success(pool: &Pool, user_id: i64, record: &super::audit::Record) -> Result<()> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
    });
    Ok(())
}

/// A new password ends every session of the account in the same transaction
/// (`sessions::EndSessionsTx`); app servers stop accepting them within a
/// second. A change that should keep the changer signed in opens a new
/// session for them afterwards.
pub async fn set_password(pool: &Pool, user_id: i64, hash: &str) -> Result<()> {
    use super::sessions::{EndSessionsTx, Ending};
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.end_sessions(Ending::AllOf(user_id)).await?;
        tx.commit().await?;
    });
    Ok(())
}

pub use super::sessions::{NewSession, SessionKind, SessionUser};

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

pub fn token_hash(token: &str) -> String {
    super::sessions::token_hash(token)
}

/// Opens a session for an account that has just proved who it is: a signed
/// token (`sessions::issue`, naming the account's role, region and volunteer as
/// they are now) and its row, which stays the source of truth.
pub async fn create_session(
    db: &super::Db,
    user: &UserRow,
    kind: SessionKind,
    lifetime: Duration,
) -> Result<NewSession> {
    let now = Utc::now();
    // whole seconds: the token carries the expiry in seconds and the row must agree
    let expires_at = DateTime::from_timestamp((now + lifetime).timestamp(), 0).unwrap_or(now + lifetime);
    let token = super::sessions::issue(
        &db.vault,
        &super::sessions::Claims {
            user_id: user.id,
            kind,
            role: user.role,
            region_id: user.region_id,
            volunteer_id: user.volunteer_id,
            expires_at,
        },
    );
    let csrf = random_token();
    on_db!(&db.pool, |p| {
        let mut tx = p.begin_write().await?;
        // Expired sessions are swept as new ones are made, so the table stays small
        // without a background job on any one server.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, kind, csrf, created_at, expires_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6, $5)",
        )
        .bind(token_hash(&token))
        .bind(user.id)
        .bind(kind.as_str())
        .bind(&csrf)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    });
    Ok(NewSession { token, csrf, expires_at })
}

/// Sets the name an account is shown by; blank clears it (the volunteer's
/// name or the login stands in).
pub async fn set_display_name(pool: &Pool, user_id: i64, name: Option<&str>) -> Result<()> {
    on_db!(pool, |p| sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2")
        .bind(name)
        .bind(user_id)
        .execute(p)
        .await?
        .rows_affected());
    Ok(())
}
