//! Sessions in memory, with the `sessions` table as the source of truth.
//!
//! A session's token is signed (`Claims`: who, which role and region, until
//! when), so a forged or damaged token is refused without asking the database.
//! A genuine one is looked up in the table the first time this app server sees
//! it and then kept in memory (`Sessions`); every second (`SYNC_EVERY`) the
//! server reads the rows of all sessions it holds again, in one query, and
//! writes back when each was last used. So a session ended anywhere — its row
//! deleted by [`end_sessions`] on any server, or by hand — stops working on
//! every server within a second or two, and an account that is locked or
//! whose role, region or volunteer changes is refused as soon as the new row
//! is read (the token says what the account was when it signed in).
//!
//! Requests themselves never wait on the database once a server knows the
//! session: the idle and expiry clocks, the lock and the claims are checked in
//! memory (`app::accounts::caller_from_token`).

use super::{BeginWrite, Pool, Result, Vault};
use crate::domain::account::Role;
use crate::on_db;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, serde::Serialize, utoipa::ToSchema)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Api,
    Web,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Api => "api",
            SessionKind::Web => "web",
        }
    }
}

/// What a session is limited to until it is done: choosing a new password
/// (staff gave a temporary one), or enrolling the second factor its role
/// requires. Such a session opens no other page and calls no API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum Pending {
    Password,
    Totp,
}

impl Pending {
    pub fn as_str(self) -> &'static str {
        match self {
            Pending::Password => "password",
            Pending::Totp => "totp",
        }
    }
}

/// Who is behind a token, as every request needs to know.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionUser {
    pub token_hash: String,
    pub user_id: i64,
    pub username: String,
    /// The person's name (姓名): the account's own, its volunteer's, or the login.
    pub display_name: String,
    /// An account whose stored role is not one of ours cannot sign in
    /// (the row fails to read), rather than falling into some default.
    pub role: crate::domain::account::Role,
    pub region_id: Option<i64>,
    pub region_path: Option<String>,
    pub volunteer_id: Option<i64>,
    pub kind: SessionKind,
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// A locked account's sessions are refused until the lock ends.
    pub locked_until: Option<DateTime<Utc>>,
    pub pending: Option<Pending>,
}

pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
    /// What the session is limited to, if anything.
    pub pending: Option<Pending>,
}

const SESSION_SELECT: &str = "SELECT s.token_hash, u.id AS user_id, u.username,
        COALESCE(u.display_name, vo.name, u.username) AS display_name, u.role, u.region_id,
        r.path AS region_path, u.volunteer_id, s.kind, s.csrf, s.expires_at, s.last_seen_at, u.locked_until,
        s.pending
   FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN regions r ON r.id = u.region_id
   LEFT JOIN volunteers vo ON vo.id = u.volunteer_id";

/// A session's row with its account as it stands (`sessions::Sessions` keeps
/// these in memory).
pub async fn find_session_by_hash(pool: &Pool, token_hash: &str) -> Result<Option<SessionUser>> {
    let sql = format!("{SESSION_SELECT} WHERE s.token_hash = $1");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, SessionUser>(&sql).bind(token_hash).fetch_optional(p).await?))
}

/// The rows of many sessions at once; ended ones are simply missing.
pub async fn find_sessions_by_hash(pool: &Pool, token_hashes: &[String]) -> Result<Vec<SessionUser>> {
    if token_hashes.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{SESSION_SELECT} WHERE s.token_hash IN ({})", super::marks(pool, 1, token_hashes.len()));
    Ok(on_db!(pool, |p| {
        let mut q = sqlx::query_as::<_, SessionUser>(&sql);
        for h in token_hashes {
            q = q.bind(h);
        }
        q.fetch_all(p).await?
    }))
}

/// Writes when sessions were last used (never backwards: another server may
/// have written a later time).
pub async fn touch_sessions(pool: &Pool, seen: &[(String, DateTime<Utc>)]) -> Result<()> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        for (hash, at) in seen {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $1")
                .bind(at)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    });
    Ok(())
}

/// How often a server reads its sessions' rows again.
pub const SYNC_EVERY: Duration = Duration::from_secs(1);

/// A session not used on this server for this long is dropped from its memory
/// (it is read again if it comes back): the idle limit plus a margin.
const FORGET_AFTER: Duration = Duration::from_secs(35 * 60);

/// The most sessions one server keeps in memory; beyond it the least recently
/// used are dropped (and read again when they come back).
const MAX_HELD: usize = 50_000;

/// Rows read per query when syncing.
const SYNC_CHUNK: usize = 400;

/// What a token says about its session, signed by the installation's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub user_id: i64,
    pub kind: SessionKind,
    pub role: Role,
    pub region_id: Option<i64>,
    pub volunteer_id: Option<i64>,
    pub expires_at: DateTime<Utc>,
}

fn opt(v: Option<i64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

fn parse_opt(s: &str) -> Option<Option<i64>> {
    match s {
        "-" => Some(None),
        s => s.parse().ok().map(Some),
    }
}

fn kind_code(k: SessionKind) -> &'static str {
    match k {
        SessionKind::Api => "a",
        SessionKind::Web => "w",
    }
}

/// A new token: 32 random bytes and the claims, then a signature over both.
/// Only characters a cookie and a bearer header take as they are.
pub fn issue(vault: &Vault, c: &Claims) -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    let body = format!(
        "{}.{}.{}.{}.{}.{}.{}",
        URL_SAFE_NO_PAD.encode(b),
        c.user_id,
        kind_code(c.kind),
        c.role.as_str(),
        opt(c.region_id),
        opt(c.volunteer_id),
        c.expires_at.timestamp()
    );
    let sig = vault.sign(&format!("session.{body}"));
    format!("{body}.{sig}")
}

/// The claims of a token signed by this installation, or `None` for anything
/// else (forged, damaged, or from before tokens were signed).
pub fn verify(vault: &Vault, token: &str) -> Option<Claims> {
    let (body, sig) = token.rsplit_once('.')?;
    let expected = vault.sign(&format!("session.{body}"));
    if !constant_eq(sig.as_bytes(), expected.as_bytes()) {
        return None;
    }
    let p: Vec<&str> = body.split('.').collect();
    let [_, user, kind, role, region, volunteer, exp] = p.as_slice() else {
        return None;
    };
    Some(Claims {
        user_id: user.parse().ok()?,
        kind: match *kind {
            "a" => SessionKind::Api,
            "w" => SessionKind::Web,
            _ => return None,
        },
        role: Role::parse(role)?,
        region_id: parse_opt(region)?,
        volunteer_id: parse_opt(volunteer)?,
        expires_at: DateTime::from_timestamp(exp.parse().ok()?, 0)?,
    })
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The key a session is stored under: a stolen table holds no usable token.
pub fn token_hash(token: &str) -> String {
    super::vault::hex(&Sha256::digest(token.as_bytes()))
}

/// Which sessions to end.
#[derive(Debug, Clone, Copy)]
pub enum Ending<'a> {
    /// One session, by its token's hash (signing out, ending one session from a list).
    Session(&'a str),
    /// Every session of an account (a reset password, an account taken away).
    AllOf(i64),
    /// Every session of an account but one (changing one's own password keeps
    /// the session it was changed from).
    AllOfExcept { user_id: i64, keep: &'a str },
}

/// Ends sessions: deletes their rows, and forgets them on this server at once.
/// Every other server stops accepting them at its next sync (`SYNC_EVERY`).
/// This is the one way to end sessions; anything that must sign people out
/// (logout, password change or reset, an account locked or its role changed
/// by staff, "end this session" in a list) calls it, or `EndSessionsTx::end_sessions` inside
/// its own transaction followed by `Sessions::forget`.
pub async fn end_sessions(pool: &Pool, sessions: &Sessions, which: Ending<'_>) -> Result<u64> {
    let n = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let n = tx.end_sessions(which).await?;
        tx.commit().await?;
        n
    });
    sessions.forget(which);
    Ok(n)
}

/// The SQL half of [`end_sessions`], inside a caller's transaction (so that,
/// say, a new password and the end of the old sessions commit together). Call
/// `Sessions::forget` after the commit.
pub trait EndSessionsTx {
    fn end_sessions(&mut self, which: Ending<'_>) -> impl std::future::Future<Output = Result<u64>> + Send;
}

macro_rules! end_sessions_impl {
    ($db:ty) => {
        impl EndSessionsTx for sqlx::Transaction<'_, $db> {
            async fn end_sessions(&mut self, which: Ending<'_>) -> Result<u64> {
                let q = match which {
                    Ending::Session(hash) => sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(hash),
                    Ending::AllOf(user) => sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user),
                    Ending::AllOfExcept { user_id, keep } => {
                        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                            .bind(user_id)
                            .bind(keep)
                    }
                };
                Ok(q.execute(&mut **self).await?.rows_affected())
            }
        }
    };
}
end_sessions_impl!(sqlx::Sqlite);
end_sessions_impl!(sqlx::Postgres);

struct Held {
    /// The row as last read; `None` when there is no such session.
    row: Option<Arc<SessionUser>>,
    /// When this server last used the session (for forgetting it).
    used: Instant,
    /// A newer `last_seen_at` than the row's, to be written at the next sync.
    seen: Option<DateTime<Utc>>,
}

struct Inner {
    pool: Pool,
    held: Mutex<HashMap<String, Held>>,
    syncing: std::sync::atomic::AtomicBool,
}

/// This server's sessions in memory (one per `Db`, shared by its clones).
#[derive(Clone)]
pub struct Sessions {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions").field("held", &self.len()).finish()
    }
}

impl Sessions {
    pub fn new(pool: Pool) -> Sessions {
        Sessions {
            inner: Arc::new(Inner {
                pool,
                held: Mutex::new(HashMap::new()),
                syncing: std::sync::atomic::AtomicBool::new(false),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Held>> {
        // a panic while holding the map cannot leave it half-changed (every
        // change is one insert or one field), so a poisoned lock is still good
        self.inner.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The session stored under `token_hash`, from memory, or read once from
    /// the table when this server has not seen it yet. `last_seen_at` is the
    /// latest use known anywhere (this server's, or the row's).
    pub async fn get(&self, token_hash: &str) -> Result<Option<Arc<SessionUser>>> {
        if let Some(h) = self.lock().get_mut(token_hash) {
            h.used = Instant::now();
            return Ok(h.row.clone());
        }
        let row = find_session_by_hash(&self.inner.pool, token_hash).await?.map(Arc::new);
        self.start_syncing();
        let mut held = self.lock();
        if held.len() >= MAX_HELD {
            shed(&mut held);
        }
        held.insert(token_hash.to_string(), Held { row: row.clone(), used: Instant::now(), seen: None });
        Ok(row)
    }

    /// Notes that the session was used at `now`; the row's `last_seen_at` is
    /// written at the next sync, off the request's path.
    pub fn touch(&self, token_hash: &str, now: DateTime<Utc>) {
        if let Some(h) = self.lock().get_mut(token_hash) {
            h.seen = Some(now);
            if let Some(row) = &h.row {
                let mut r = SessionUser::clone(row);
                r.last_seen_at = now;
                h.row = Some(Arc::new(r));
            }
        }
    }

    /// Drops ended sessions from this server's memory at once (the rows are
    /// already gone); they are refused from now on.
    pub fn forget(&self, which: Ending<'_>) {
        let mut held = self.lock();
        for (hash, h) in held.iter_mut() {
            let hit = match (which, &h.row) {
                (Ending::Session(x), _) => hash == x,
                (Ending::AllOf(u), Some(r)) => r.user_id == u,
                (Ending::AllOfExcept { user_id, keep }, Some(r)) => r.user_id == user_id && hash != keep,
                _ => false,
            };
            if hit {
                h.row = None;
                h.seen = None;
            }
        }
    }

    fn start_syncing(&self) {
        use std::sync::atomic::Ordering;
        if self.inner.syncing.swap(true, Ordering::AcqRel) {
            return;
        }
        // Outside a runtime (a command-line tool) there is nothing to keep fresh.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(sync_loop(Arc::downgrade(&self.inner)));
        }
    }

    /// Writes when each session was last used and reads every held row again:
    /// ended sessions are dropped, changed rows (a lock, a new role, another
    /// server's use) take effect. Runs every `SYNC_EVERY`; tests call it to
    /// see a change they made in the table without waiting.
    pub async fn sync(&self) -> Result<()> {
        sync_inner(&self.inner).await
    }
}

/// Makes room: drops the sessions least recently used on this server.
fn shed(held: &mut HashMap<String, Held>) {
    let mut ages: Vec<Instant> = held.values().map(|h| h.used).collect();
    ages.sort_unstable();
    let cut = ages[ages.len() / 4];
    held.retain(|_, h| h.used > cut);
}

async fn sync_loop(inner: Weak<Inner>) {
    let mut tick = tokio::time::interval(SYNC_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        if let Err(e) = sync_inner(&inner).await {
            tracing::warn!(error = %e, "session sync failed; held sessions stay as last read");
        }
    }
}

async fn sync_inner(inner: &Inner) -> Result<()> {
    // What to write and what to read, taken out under the lock and released
    // before touching the database.
    let (seen, hashes) = {
        let mut held = inner.held.lock().unwrap_or_else(|e| e.into_inner());
        held.retain(|_, h| h.used.elapsed() < FORGET_AFTER);
        let seen: Vec<(String, DateTime<Utc>)> =
            held.iter_mut().filter_map(|(k, h)| h.seen.take().map(|t| (k.clone(), t))).collect();
        let hashes: Vec<String> = held.iter().filter(|(_, h)| h.row.is_some()).map(|(k, _)| k.clone()).collect();
        (seen, hashes)
    };
    if !seen.is_empty() {
        touch_sessions(&inner.pool, &seen).await?;
    }
    let mut fresh: HashMap<String, SessionUser> = HashMap::with_capacity(hashes.len());
    for chunk in hashes.chunks(SYNC_CHUNK) {
        for row in find_sessions_by_hash(&inner.pool, chunk).await? {
            fresh.insert(row.token_hash.clone(), row);
        }
    }
    let mut held = inner.held.lock().unwrap_or_else(|e| e.into_inner());
    for hash in hashes {
        let Some(h) = held.get_mut(&hash) else { continue };
        if h.row.is_none() {
            continue; // ended here while the rows were being read
        }
        match fresh.remove(&hash) {
            None => {
                h.row = None;
                h.seen = None;
            }
            Some(mut row) => {
                // a use noted while the rows were read is newer than the row
                if let Some(t) = h.seen {
                    row.last_seen_at = row.last_seen_at.max(t);
                }
                h.row = Some(Arc::new(row));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            user_id: 42,
            kind: SessionKind::Web,
            role: Role::TownStaff,
            region_id: Some(3),
            volunteer_id: None,
            expires_at: DateTime::from_timestamp(1_900_000_000, 0).expect("time"),
        }
    }

    #[test]
    fn a_token_carries_its_claims_and_any_change_breaks_it() {
        let vault = Vault::from_master(&[7u8; 32]);
        let t = issue(&vault, &claims());
        assert_eq!(verify(&vault, &t), Some(claims()));
        assert!(t.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)), "cookie- and header-safe: {t}");
        // another installation's key, a changed claim, a cut token
        assert_eq!(verify(&Vault::from_master(&[8u8; 32]), &t), None);
        let promoted = t.replace(".town_staff.", ".admin.");
        assert_ne!(promoted, t);
        assert_eq!(verify(&vault, &promoted), None);
        assert_eq!(verify(&vault, &t[..t.len() - 2]), None);
        assert_eq!(verify(&vault, "not-a-token"), None);
        // two tokens with the same claims are different sessions
        assert_ne!(issue(&vault, &claims()), t);
    }
}
