//! The audit log: who did or saw what, when. Each entry carries the hash of the
//! one before it, so deleting or editing an entry breaks the chain visibly.

use super::{BeginWrite, Pool, Result};
use crate::on_db;
use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

pub struct Entry<'a> {
    pub user_id: Option<i64>,
    pub username: &'a str,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: &'a str,
    pub detail: &'a str,
}

fn chain_hash(prev: &str, at: &DateTime<Utc>, e: &Entry<'_>) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &at.to_rfc3339_opts(SecondsFormat::Micros, true),
        &e.user_id.map(|x| x.to_string()).unwrap_or_default(),
        e.username,
        e.action,
        e.target_type,
        e.target_id,
        e.detail,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    super::vault::hex(&h.finalize())
}

/// An audit entry that travels with a change into the store, to be written in
/// the change's own transaction: either both are kept or neither is.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub user_id: Option<i64>,
    pub username: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub detail: String,
}

impl Record {
    pub fn entry(&self) -> Entry<'_> {
        Entry {
            user_id: self.user_id,
            username: &self.username,
            action: &self.action,
            target_type: &self.target_type,
            target_id: &self.target_id,
            detail: &self.detail,
        }
    }

    /// The same record about another target (the id a create has just made).
    pub fn about(mut self, target_id: impl ToString) -> Self {
        self.target_id = target_id.to_string();
        self
    }
}

/// Writing an audit entry inside a transaction that is already open. Each
/// engine's transaction gets the same SQL; PostgreSQL first takes the chain's
/// advisory lock, which SQLite's write lock makes unnecessary.
pub trait AuditTx {
    fn audit(&mut self, e: &Entry<'_>) -> impl std::future::Future<Output = Result<()>> + Send;
}

macro_rules! audit_tx_impl {
    ($db:ty, $lock:expr) => {
        impl AuditTx for sqlx::Transaction<'_, $db> {
            async fn audit(&mut self, e: &Entry<'_>) -> Result<()> {
                // whole microseconds, so the hash recomputed from the stored time matches
                let at = DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap_or_default();
                if let Some(lock) = $lock {
                    // The number is this log's fixed lock key.
                    sqlx::query(lock).execute(&mut **self).await?;
                }
                let prev: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
                    .fetch_optional(&mut **self)
                    .await?;
                let prev = prev.unwrap_or_default();
                let hash = chain_hash(&prev, &at, e);
                sqlx::query(
                    "INSERT INTO audit_log (at, user_id, username, action, target_type, target_id, detail, prev_hash, hash)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(at)
                .bind(e.user_id)
                .bind(e.username)
                .bind(e.action)
                .bind(e.target_type)
                .bind(e.target_id)
                .bind(e.detail)
                .bind(&prev)
                .bind(&hash)
                .execute(&mut **self)
                .await?;
                Ok(())
            }
        }
    };
}

audit_tx_impl!(sqlx::Sqlite, None::<&str>);
audit_tx_impl!(sqlx::Postgres, Some("SELECT pg_advisory_xact_lock(7714)"));

/// Writes one entry in a transaction of its own: for what is audited without a
/// change beside it (a sign-in, an unmasked view).
pub async fn append(pool: &Pool, e: &Entry<'_>) -> Result<()> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        tx.audit(e).await?;
        tx.commit().await?;
    });
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub detail: String,
    #[serde(skip)]
    pub prev_hash: String,
    #[serde(skip)]
    pub hash: String,
}

pub async fn list_for(pool: &Pool, target_type: &str, target_id: &str) -> Result<Vec<AuditRow>> {
    Ok(on_db!(pool, |p| sqlx::query_as::<_, AuditRow>(
        "SELECT id, at, user_id, username, action, target_type, target_id, detail, prev_hash, hash
           FROM audit_log WHERE target_type = $1 AND target_id = $2 ORDER BY id"
    )
    .bind(target_type)
    .bind(target_id)
    .fetch_all(p)
    .await?))
}

/// Where the chain starts after pruning: the last id removed and its hash.
async fn anchor(pool: &Pool) -> Result<Option<(i64, String)>> {
    Ok(on_db!(pool, |p| sqlx::query_as::<_, (i64, String)>(
        "SELECT pruned_through, last_hash FROM audit_anchor WHERE id = 1"
    )
    .fetch_optional(p)
    .await?))
}

/// Walks the whole chain (from the pruning anchor, if the oldest entries
/// were pruned); the id of the first entry that does not fit, if any.
pub async fn verify(pool: &Pool) -> Result<Option<i64>> {
    let rows: Vec<AuditRow> = on_db!(pool, |p| {
        sqlx::query_as::<_, AuditRow>(
        "SELECT id, at, user_id, username, action, target_type, target_id, detail, prev_hash, hash FROM audit_log ORDER BY id"
    )
    .fetch_all(p)
    .await?
    });
    let (through, mut prev) = anchor(pool).await?.unwrap_or((0, String::new()));
    for r in rows {
        if r.id <= through {
            return Ok(Some(r.id));
        }
        let e = Entry {
            user_id: r.user_id,
            username: &r.username,
            action: &r.action,
            target_type: &r.target_type,
            target_id: &r.target_id,
            detail: &r.detail,
        };
        if r.prev_hash != prev || chain_hash(&prev, &r.at, &e) != r.hash {
            return Ok(Some(r.id));
        }
        prev = r.hash;
    }
    Ok(None)
}

/// The audit log is kept at least this long (等保: six months).
pub const MIN_KEEP_DAYS: i64 = 180;

/// Removes entries older than `before`, keeping the chain verifiable: the
/// pruning is first written as an entry of its own (saying how many and
/// through which id), then the old entries go and the anchor keeps the hash
/// of the last one removed. Returns how many were removed.
pub async fn prune_before(pool: &Pool, before: DateTime<Utc>, by: &Record) -> Result<u64> {
    let n = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let last: Option<(i64, String)> =
            sqlx::query_as("SELECT id, hash FROM audit_log WHERE at < $1 ORDER BY id DESC LIMIT 1")
                .bind(before)
                .fetch_optional(&mut *tx)
                .await?;
        match last {
            None => 0,
            Some((last_id, last_hash)) => {
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE id <= $1")
                    .bind(last_id)
                    .fetch_one(&mut *tx)
                    .await?;
                let mut r = by.clone();
                r.detail = format!("{count} entries through id {last_id} (before {})", before.to_rfc3339());
                tx.audit(&r.entry()).await?;
                sqlx::query("DELETE FROM audit_log WHERE id <= $1").bind(last_id).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM audit_anchor").execute(&mut *tx).await?;
                sqlx::query(
                    "INSERT INTO audit_anchor (id, pruned_through, last_hash, pruned_at) VALUES (1, $1, $2, $3)",
                )
                .bind(last_id)
                .bind(&last_hash)
                .bind(Utc::now())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                count as u64
            }
        }
    });
    Ok(n)
}

/// What to look for in the log: entries by an account, or about a person
/// (their volunteer record, including lists and exports that showed it),
/// between two times.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// The account that acted (its user name).
    pub actor: Option<String>,
    /// The volunteer the entries are about.
    pub volunteer_id: Option<i64>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
}

/// The condition of entries about one volunteer: their own record, or a
/// list or export whose shown ids (the detail, comma-separated) hold it.
const ABOUT_VOLUNTEER: &str = "((target_type = 'volunteer' AND target_id = $1)
     OR (target_type IN ('volunteer_list', 'volunteer_export') AND (',' || detail || ',') LIKE $2))";

pub async fn search(pool: &Pool, q: &Search) -> Result<Vec<AuditRow>> {
    let mut sql = String::from(
        "SELECT id, at, user_id, username, action, target_type, target_id, detail, prev_hash, hash FROM audit_log
          WHERE ($3 IS NULL OR username = $3) AND ($4 IS NULL OR action = $4)
            AND ($5 IS NULL OR at >= $5) AND ($6 IS NULL OR at < $6)",
    );
    if q.volunteer_id.is_some() {
        sql.push_str(&format!(" AND {ABOUT_VOLUNTEER}"));
    }
    sql.push_str(" ORDER BY id DESC LIMIT $7");
    let v = q.volunteer_id.map(|v| v.to_string()).unwrap_or_default();
    let like = format!("%,{v},%");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, AuditRow>(&sql)
        .bind(&v)
        .bind(&like)
        .bind(q.actor.as_deref())
        .bind(q.action.as_deref())
        .bind(q.from)
        .bind(q.to)
        .bind(q.limit)
        .fetch_all(p)
        .await?))
}
