//! Announcements (通知公告) addressed to a region, and who has read them.

use super::audit::{AuditTx, Record};
use super::{BeginWrite, Pool, Result};
use crate::domain::announcement::AnnouncementKind;
use crate::on_db;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Announcement {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// policy, event, job or other
    #[sqlx(try_from = "String")]
    pub kind: AnnouncementKind,
    /// Everyone at or below this region is addressed.
    pub region_id: i64,
    pub region_name: String,
    pub posted_at: DateTime<Utc>,
    /// The account that posted it.
    pub posted_by: Option<i64>,
    pub posted_by_name: Option<String>,
    /// When the caller read it; null while unread.
    pub read_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub region_path: String,
}

const SELECT: &str = "SELECT a.id, a.title, a.body, a.kind, a.region_id, r.name AS region_name, a.posted_at,
        a.posted_by, COALESCE(u.display_name, u.username) AS posted_by_name, ar.read_at, r.path AS region_path
   FROM announcements a JOIN regions r ON r.id = a.region_id
   LEFT JOIN users u ON u.id = a.posted_by
   LEFT JOIN announcement_reads ar ON ar.announcement_id = a.id AND ar.user_id = $1";

/// A row of `SELECT` read by the SQLite reader.
fn row_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Announcement> {
    use super::reader::{parsed, time_at};
    Ok(Announcement {
        id: r.get(0)?,
        title: r.get(1)?,
        body: r.get(2)?,
        kind: parsed(r, 3, AnnouncementKind::parse)?,
        region_id: r.get(4)?,
        region_name: r.get(5)?,
        posted_at: time_at(r, 6)?,
        posted_by: r.get(7)?,
        posted_by_name: r.get(8)?,
        read_at: match r.get_ref(9)? {
            rusqlite::types::ValueRef::Null => None,
            _ => Some(time_at(r, 9)?),
        },
        region_path: r.get(10)?,
    })
}

/// One announcement, with the reader's receipt if `reader` has read it.
pub async fn get(pool: &Pool, id: i64, reader: i64) -> Result<Option<Announcement>> {
    let sql = format!("{SELECT} WHERE a.id = $2");
    Ok(on_db!(pool, |p| sqlx::query_as(&sql).bind(reader).bind(id).fetch_optional(p).await?))
}

/// What a reader whose region is `scope` sees: notices addressed to their
/// region or any region above it, and with `below`, those addressed inside
/// their subtree too. Newest first.
pub async fn visible(pool: &Pool, reader: i64, scope: &str, below: bool, limit: i64) -> Result<Vec<Announcement>> {
    let cond =
        if below { "$2 LIKE r.path || '%' OR (r.path >= $2 AND r.path < $2 || '~')" } else { "$2 LIKE r.path || '%'" };
    let sql = format!("{SELECT} WHERE {cond} ORDER BY a.posted_at DESC, a.id DESC LIMIT $3");
    if let Some(r) = super::reader_of(pool) {
        use super::reader::Arg;
        return r.all(&sql, &[Arg::Int(reader), Arg::Text(scope), Arg::Int(limit)], row_of).await;
    }
    Ok(on_db!(pool, |p| sqlx::query_as(&sql).bind(reader).bind(scope).bind(limit).fetch_all(p).await?))
}

pub struct NewAnnouncement<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub kind: &'a str,
    pub region_id: i64,
}

/// Posts a notice without an audit record: the demo town's history.
pub async fn create(pool: &Pool, a: &NewAnnouncement<'_>, by: i64) -> Result<i64> {
    insert(pool, a, by, None).await
}

/// Posts a notice; `record` is written in the same transaction, about the new id.
pub async fn post(pool: &Pool, a: &NewAnnouncement<'_>, by: i64, record: &Record) -> Result<i64> {
    insert(pool, a, by, Some(record)).await
}

async fn insert(pool: &Pool, a: &NewAnnouncement<'_>, by: i64, record: Option<&Record>) -> Result<i64> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO announcements (title, body, kind, region_id, posted_by, posted_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(a.title)
        .bind(a.body)
        .bind(a.kind)
        .bind(a.region_id)
        .bind(by)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await?;
        if let Some(r) = record {
            tx.audit(&r.clone().about(id).entry()).await?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

/// Corrects a notice; receipts stay, as readers saw the same notice.
pub async fn update(pool: &Pool, id: i64, a: &NewAnnouncement<'_>, record: &Record) -> Result<bool> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let done =
            sqlx::query("UPDATE announcements SET title = $1, body = $2, kind = $3, region_id = $4 WHERE id = $5")
                .bind(a.title)
                .bind(a.body)
                .bind(a.kind)
                .bind(a.region_id)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if done > 0 {
            tx.audit(&record.entry()).await?;
        }
        tx.commit().await?;
        Ok(done > 0)
    })
}

/// Records that `user` has read it; reading again keeps the first time.
pub async fn mark_read(pool: &Pool, id: i64, user: i64) -> Result<DateTime<Utc>> {
    Ok(on_db!(pool, |p| {
        sqlx::query(
            "INSERT INTO announcement_reads (announcement_id, user_id, read_at) VALUES ($1, $2, $3)
             ON CONFLICT (announcement_id, user_id) DO NOTHING",
        )
        .bind(id)
        .bind(user)
        .bind(Utc::now())
        .execute(p)
        .await?;
        sqlx::query_scalar::<_, DateTime<Utc>>(
            "SELECT read_at FROM announcement_reads WHERE announcement_id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(user)
        .fetch_one(p)
        .await?
    }))
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Receipt {
    /// The account's user name.
    pub user: String,
    /// The volunteer the account belongs to, if any.
    pub volunteer_name: Option<String>,
    pub read_at: DateTime<Utc>,
}

pub async fn receipts(pool: &Pool, id: i64) -> Result<Vec<Receipt>> {
    Ok(on_db!(pool, |p| sqlx::query_as(
        "SELECT u.username AS \"user\", v.name AS volunteer_name, ar.read_at
           FROM announcement_reads ar JOIN users u ON u.id = ar.user_id
           LEFT JOIN volunteers v ON v.id = u.volunteer_id
          WHERE ar.announcement_id = $1 ORDER BY ar.read_at, u.username"
    )
    .bind(id)
    .fetch_all(p)
    .await?))
}

/// Volunteers' accounts in the addressed subtree that have not read it yet.
pub async fn unread_count(pool: &Pool, id: i64, within: &str) -> Result<i64> {
    Ok(on_db!(pool, |p| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users u JOIN regions r ON r.id = u.region_id
          WHERE u.volunteer_id IS NOT NULL AND (r.path >= $1 AND r.path < $1 || '~')
            AND NOT EXISTS (SELECT 1 FROM announcement_reads ar WHERE ar.announcement_id = $2 AND ar.user_id = u.id)"
    )
    .bind(within)
    .bind(id)
    .fetch_one(p)
    .await?))
}
