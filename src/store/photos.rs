//! Photos, kept in the database beside what they show (so `laobing backup`
//! carries them on both engines). The bytes are read only when a photo is
//! served; lists carry what describes them.

use super::audit::{AuditTx, Record};
use super::{BeginWrite, Pool, Result, StoreError};
use crate::domain::error_code::ErrorCode;
use crate::domain::photo::{PhotoSubject, Processed, MAX_PER_SUBJECT};
use crate::on_db;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct PhotoMeta {
    pub id: i64,
    pub subject: PhotoSubject,
    pub subject_id: i64,
    pub width: i64,
    pub height: i64,
    /// Size of the kept JPEG.
    pub size_bytes: i64,
    pub caption: Option<String>,
    pub uploaded_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

const META: &str =
    "SELECT id, subject, subject_id, width, height, size_bytes, caption, uploaded_by, created_at FROM photos";

/// The row a photo hangs on, locked while photos are counted and added, so
/// two uploads at once cannot both take the last place.
fn subject_lock(pool: &Pool, subject: PhotoSubject) -> String {
    let table = match subject {
        PhotoSubject::Activity => "activities",
        PhotoSubject::CareVisit => "care_visits",
        PhotoSubject::Need => "needs",
    };
    super::locking(pool, &format!("SELECT id FROM {table} WHERE id = $1"))
}

/// Adds one photo; refused when the subject already holds its most.
pub async fn add(
    pool: &Pool,
    subject: PhotoSubject,
    subject_id: i64,
    photo: &Processed,
    caption: Option<&str>,
    by: Option<i64>,
    record: &Record,
) -> Result<i64> {
    let lock = subject_lock(pool, subject);
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let found: Option<i64> = sqlx::query_scalar(&lock).bind(subject_id).fetch_optional(&mut *tx).await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM photos WHERE subject = $1 AND subject_id = $2")
            .bind(subject)
            .bind(subject_id)
            .fetch_one(&mut *tx)
            .await?;
        if held >= MAX_PER_SUBJECT {
            return Err(StoreError::Conflict(ErrorCode::TooManyPhotos));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO photos (subject, subject_id, width, height, size_bytes, jpeg, thumb, caption, uploaded_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(subject)
        .bind(subject_id)
        .bind(i64::from(photo.width))
        .bind(i64::from(photo.height))
        .bind(photo.jpeg.len() as i64)
        .bind(&photo.jpeg)
        .bind(&photo.thumb)
        .bind(caption)
        .bind(by)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await?;
        let mut record = record.clone();
        record.target_id = id.to_string();
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// The photos of one thing, in the order they were added.
pub async fn list(pool: &Pool, subject: PhotoSubject, subject_id: i64) -> Result<Vec<PhotoMeta>> {
    let sql = format!("{META} WHERE subject = $1 AND subject_id = $2 ORDER BY id");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, PhotoMeta>(&sql).bind(subject).bind(subject_id).fetch_all(p).await?))
}

/// The photos of many things of one kind at once (a ledger book).
pub async fn list_many(pool: &Pool, subject: PhotoSubject, ids: &[i64]) -> Result<Vec<PhotoMeta>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    // in slices, well under either engine's limit of binds
    for chunk in ids.chunks(500) {
        let sql = format!(
            "{META} WHERE subject = $1 AND subject_id IN ({}) ORDER BY subject_id, id",
            super::placeholders(2, chunk.len())
        );
        let rows = on_db!(pool, |p| {
            let mut q = sqlx::query_as::<_, PhotoMeta>(&sql).bind(subject);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(p).await?
        });
        out.extend(rows);
    }
    Ok(out)
}

pub async fn get(pool: &Pool, id: i64) -> Result<Option<PhotoMeta>> {
    let sql = format!("{META} WHERE id = $1");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, PhotoMeta>(&sql).bind(id).fetch_optional(p).await?))
}

/// The kept JPEG, or its thumbnail.
pub async fn bytes(pool: &Pool, id: i64, thumb: bool) -> Result<Option<Vec<u8>>> {
    let sql = if thumb { "SELECT thumb FROM photos WHERE id = $1" } else { "SELECT jpeg FROM photos WHERE id = $1" };
    Ok(on_db!(pool, |p| sqlx::query_scalar::<_, Vec<u8>>(sql).bind(id).fetch_optional(p).await?))
}

pub async fn delete(pool: &Pool, id: i64, record: &Record) -> Result<()> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("DELETE FROM photos WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        Ok(())
    })
}

/// The care recipient a visit was paid to (a visit's photos are seen by those who see the recipient).
pub async fn care_visit_recipient(pool: &Pool, visit_id: i64) -> Result<Option<i64>> {
    Ok(on_db!(pool, |p| sqlx::query_scalar::<_, i64>("SELECT recipient_id FROM care_visits WHERE id = $1")
        .bind(visit_id)
        .fetch_optional(p)
        .await?))
}
