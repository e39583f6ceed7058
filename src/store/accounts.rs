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
    /// The TOTP secret, sealed by the vault; `None`: no second factor.
    pub totp_secret: Option<String>,
    /// The last step whose code was used (each code is good once).
    pub totp_last_step: Option<i64>,
    /// Set by staff (a new account, a reset): the next browser sign-in must
    /// choose a new password before anything else.
    pub must_change_password: bool,
}

const USER_SELECT: &str = "SELECT id, username, password_hash, role, region_id, volunteer_id, failed_logins,
        locked_until, totp_secret, totp_last_step, must_change_password FROM users";

pub async fn find_by_name(pool: &Pool, username: &str) -> Result<Option<UserRow>> {
    let sql = format!("{USER_SELECT} WHERE username = $1");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, UserRow>(&sql).bind(username).fetch_optional(p).await?))
}

pub async fn find_by_id(pool: &Pool, id: i64) -> Result<Option<UserRow>> {
    let sql = format!("{USER_SELECT} WHERE id = $1");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(p).await?))
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub region_id: Option<i64>,
    pub volunteer_id: Option<i64>,
}

/// Creates an account whose password must be changed at its first browser
/// sign-in (staff gave it a temporary one), with its audit entry.
pub async fn create_with_temporary_password(
    pool: &Pool,
    u: &NewUser<'_>,
    record: &super::audit::Record,
) -> Result<i64> {
    let now = Utc::now();
    let r = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO users (username, password_hash, role, region_id, volunteer_id, created_at, must_change_password)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(u.username)
        .bind(u.password_hash)
        .bind(u.role.as_str())
        .bind(u.region_id)
        .bind(u.volunteer_id)
        .bind(now)
        .bind(true)
        .fetch_one(&mut *tx)
        .await;
        match id {
            Ok(id) => {
                let idt = id.to_string();
                let mut e = record.entry();
                e.target_id = &idt;
                tx.audit(&e).await?;
                tx.commit().await?;
                Ok(id)
            }
            Err(e) => Err(e),
        }
    });
    r.map_err(|e| {
        match unique_violation(&e, &[("username", Problem::about("username", "已被使用", "is already taken"))]) {
            Some(p) => StoreError::invalid(p),
            None => e.into(),
        }
    })
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

/// A new password chosen by its owner (`must_change` false) or given by staff
/// (`must_change` true: the next browser sign-in must replace it). Every
/// session of the account ends in the same transaction, with the audit entry.
pub async fn change_password(
    pool: &Pool,
    user_id: i64,
    hash: &str,
    must_change: bool,
    record: &super::audit::Record,
) -> Result<()> {
    use super::sessions::{EndSessionsTx, Ending};
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2, failed_logins = 0, locked_until = NULL
              WHERE id = $3",
        )
        .bind(hash)
        .bind(must_change)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        tx.end_sessions(Ending::AllOf(user_id)).await?;
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
    });
    Ok(())
}

/// Keeps a secret being enrolled (sealed) until its first code confirms it.
pub async fn set_totp_pending(pool: &Pool, user_id: i64, sealed: Option<&str>) -> Result<()> {
    on_db!(pool, |p| sqlx::query("UPDATE users SET totp_pending = $1 WHERE id = $2")
        .bind(sealed)
        .bind(user_id)
        .execute(p)
        .await?
        .rows_affected());
    Ok(())
}

pub async fn totp_pending(pool: &Pool, user_id: i64) -> Result<Option<String>> {
    Ok(on_db!(pool, |p| sqlx::query_scalar::<_, Option<String>>("SELECT totp_pending FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(p)
        .await?
        .flatten()))
}

/// Turns the second factor on with its first code's step and a fresh set of
/// recovery codes (their blind hashes), or off (`secret` `None`, no codes).
pub async fn set_totp(
    pool: &Pool,
    user_id: i64,
    secret: Option<(&str, i64)>,
    code_hashes: &[String],
    record: &super::audit::Record,
) -> Result<()> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE users SET totp_secret = $1, totp_last_step = $2, totp_pending = NULL WHERE id = $3")
            .bind(secret.map(|s| s.0))
            .bind(secret.map(|s| s.1))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        for h in code_hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(h)
                .execute(&mut *tx)
                .await?;
        }
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
    });
    Ok(())
}

/// Uses up a TOTP step: true only for the first use of a step later than
/// any used before (one statement, so two servers cannot both accept it).
pub async fn use_totp_step(pool: &Pool, user_id: i64, step: i64) -> Result<bool> {
    Ok(on_db!(pool, |p| sqlx::query(
        "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)"
    )
    .bind(step)
    .bind(user_id)
    .execute(p)
    .await?
    .rows_affected())
        == 1)
}

/// Uses up a recovery code: true only the first time.
pub async fn use_recovery_code(pool: &Pool, user_id: i64, code_hash: &str) -> Result<bool> {
    Ok(on_db!(pool, |p| sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL"
    )
    .bind(Utc::now())
    .bind(user_id)
    .bind(code_hash)
    .execute(p)
    .await?
    .rows_affected())
        == 1)
}

/// How many recovery codes are left.
pub async fn recovery_codes_left(pool: &Pool, user_id: i64) -> Result<i64> {
    Ok(on_db!(pool, |p| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL"
    )
    .bind(user_id)
    .fetch_one(p)
    .await?))
}

/// Failed sign-ins from one client address (its blind hash) since a time.
pub async fn client_failures_since(pool: &Pool, client_hash: &str, since: DateTime<Utc>) -> Result<i64> {
    Ok(on_db!(pool, |p| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM login_failures WHERE client_hash = $1 AND at >= $2"
    )
    .bind(client_hash)
    .bind(since)
    .fetch_one(p)
    .await?))
}

/// Counts a failed sign-in from a client address; rows older than a day go.
pub async fn record_client_failure(pool: &Pool, client_hash: &str) -> Result<()> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(now - Duration::days(1)).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO login_failures (client_hash, at) VALUES ($1, $2)")
            .bind(client_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    });
    Ok(())
}

/// One of an account's sessions, as its owner sees it in a list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionLine {
    pub token_hash: String,
    pub kind: SessionKind,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn sessions_of(pool: &Pool, user_id: i64) -> Result<Vec<SessionLine>> {
    Ok(on_db!(pool, |p| sqlx::query_as::<_, SessionLine>(
        "SELECT token_hash, kind, created_at, last_seen_at, expires_at FROM sessions
          WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC"
    )
    .bind(user_id)
    .bind(Utc::now())
    .fetch_all(p)
    .await?))
}

/// An account in staff's list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountLine {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub region_id: Option<i64>,
    pub region_path: Option<String>,
    pub region_name: Option<String>,
    pub totp_on: bool,
    pub must_change_password: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub sessions: i64,
}

const ACCOUNT_SELECT: &str = "SELECT u.id, u.username, COALESCE(u.display_name, vo.name, u.username) AS display_name,
        u.role, u.region_id, r.path AS region_path, r.name AS region_name,
        (u.totp_secret IS NOT NULL) AS totp_on, u.must_change_password, u.locked_until,
        (SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id) AS sessions
   FROM users u LEFT JOIN regions r ON r.id = u.region_id LEFT JOIN volunteers vo ON vo.id = u.volunteer_id";

/// Which accounts a list shows: words of the user name or the person's name,
/// one role, and a page of them.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub words: String,
    pub role: Option<Role>,
    pub limit: i64,
    pub offset: i64,
}

/// Accounts whose region lies in `scope_path` (`/`: every account, those
/// without a region too), by user name, one page of them, and how many match
/// in all: a county holds tens of thousands of volunteers' accounts.
pub async fn list_accounts(pool: &Pool, scope_path: &str, f: &AccountFilter) -> Result<(Vec<AccountLine>, i64)> {
    const WHERE: &str = "WHERE ($1 = '/' OR r.path LIKE $2)
          AND ($3 = '' OR u.username LIKE $3 ESCAPE '\\' OR COALESCE(u.display_name, vo.name, '') LIKE $3 ESCAPE '\\')
          AND ($4 = '' OR u.role = $4)";
    let sql = format!("{ACCOUNT_SELECT} {WHERE} ORDER BY u.username LIMIT $5 OFFSET $6");
    let count = format!(
        "SELECT COUNT(*) FROM users u LEFT JOIN regions r ON r.id = u.region_id
           LEFT JOIN volunteers vo ON vo.id = u.volunteer_id {WHERE}"
    );
    let words = super::contains_pattern(&f.words);
    let role = f.role.map(|r| r.as_str()).unwrap_or("");
    let subtree = format!("{scope_path}%");
    Ok(on_db!(pool, |p| {
        let rows = sqlx::query_as::<_, AccountLine>(&sql)
            .bind(scope_path)
            .bind(&subtree)
            .bind(&words)
            .bind(role)
            .bind(f.limit)
            .bind(f.offset)
            .fetch_all(p)
            .await?;
        let total: i64 =
            sqlx::query_scalar(&count).bind(scope_path).bind(&subtree).bind(&words).bind(role).fetch_one(p).await?;
        (rows, total)
    }))
}

pub async fn account_line(pool: &Pool, id: i64) -> Result<Option<AccountLine>> {
    let sql = format!("{ACCOUNT_SELECT} WHERE u.id = $1");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, AccountLine>(&sql).bind(id).fetch_optional(p).await?))
}

/// Roles that must sign in with a second factor (an installation setting,
/// empty unless an administrator turned it on).
pub async fn totp_roles(pool: &Pool) -> Result<Vec<Role>> {
    let v: Option<String> = on_db!(pool, |p| sqlx::query_scalar::<_, String>(
        "SELECT value FROM settings WHERE scope = 'global' AND key = 'totp_roles'"
    )
    .fetch_optional(p)
    .await?);
    Ok(v.and_then(|v| serde_json::from_str::<Vec<String>>(&v).ok())
        .unwrap_or_default()
        .iter()
        .filter_map(|r| Role::parse(r))
        .collect())
}

pub async fn set_totp_roles(pool: &Pool, roles: &[Role], record: &super::audit::Record) -> Result<()> {
    let value = serde_json::to_string(&roles.iter().map(|r| r.as_str()).collect::<Vec<_>>())
        .map_err(|e| StoreError::Other(e.to_string()))?;
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query("DELETE FROM settings WHERE scope = 'global' AND key = 'totp_roles'").execute(&mut *tx).await?;
        sqlx::query("INSERT INTO settings (scope, key, value) VALUES ('global', 'totp_roles', $1)")
            .bind(value)
            .execute(&mut *tx)
            .await?;
        tx.audit(&record.entry()).await?;
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
    pending: Option<super::sessions::Pending>,
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
            "INSERT INTO sessions (token_hash, user_id, kind, csrf, created_at, expires_at, last_seen_at, pending)
             VALUES ($1, $2, $3, $4, $5, $6, $5, $7)",
        )
        .bind(token_hash(&token))
        .bind(user.id)
        .bind(kind.as_str())
        .bind(&csrf)
        .bind(now)
        .bind(expires_at)
        .bind(pending.map(|p| p.as_str()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    });
    Ok(NewSession { token, csrf, expires_at, pending })
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
