//! The board of job and business leads (就业创业信息) that mentors, staff and
//! veterans share.

use super::audit::{AuditTx, Record};
use super::{BeginWrite, Pool, Result, StoreError};
use crate::domain::mentoring::{LeadDraft, LeadKind, LeadStatus};
use crate::on_db;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Lead {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: LeadKind,
    pub title: String,
    pub description: Option<String>,
    pub employer: Option<String>,
    pub contact: Option<String>,
    pub region_id: i64,
    pub region_name: String,
    pub expires_on: Option<NaiveDate>,
    #[sqlx(try_from = "String")]
    pub status: LeadStatus,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub region_path: String,
}

const SELECT: &str = "SELECT l.id, l.kind, l.title, l.description, l.employer, l.contact, l.region_id,
        g.name AS region_name, l.expires_on, l.status, l.created_at, g.path AS region_path
   FROM leads l JOIN regions g ON g.id = l.region_id";

pub async fn get(pool: &Pool, id: i64) -> Result<Option<Lead>> {
    let sql = format!("{SELECT} WHERE l.id = $1");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Lead>(&sql).bind(id).fetch_optional(p).await?))
}

/// Leads posted inside a subtree, newest first; `status` open, closed or `None` for both.
pub async fn list(pool: &Pool, within: &str, status: Option<LeadStatus>) -> Result<Vec<Lead>> {
    let sql =
        format!("{SELECT} WHERE (g.path >= $1 AND g.path < $1 || '~') AND ($2 = '' OR l.status = $2) ORDER BY l.created_at DESC, l.id DESC");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Lead>(&sql)
        .bind(within)
        .bind(status.map(LeadStatus::as_str).unwrap_or(""))
        .fetch_all(p)
        .await?))
}

/// What a volunteer living at `path` reads: open, unexpired leads of his own
/// region, the regions above it (the town's and the county's leads reach every
/// village) and below it.
pub async fn board_for(pool: &Pool, path: &str, today: NaiveDate) -> Result<Vec<Lead>> {
    let sql = format!(
        "{SELECT} WHERE ($1 LIKE g.path || '%' OR (g.path >= $1 AND g.path < $1 || '~')) AND l.status = 'open'
            AND (l.expires_on IS NULL OR l.expires_on >= $2)
          ORDER BY l.created_at DESC, l.id DESC"
    );
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Lead>(&sql).bind(path).bind(today).fetch_all(p).await?))
}

/// Posts a lead, with the audit record (about the new id) in the same
/// transaction; only the demo's seeding goes unrecorded.
pub async fn create(pool: &Pool, d: &LeadDraft, by: i64, record: Option<&Record>) -> Result<i64> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO leads (kind, title, description, employer, contact, region_id, expires_on, status, posted_by,
                 created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(d.kind.as_str())
        .bind(&d.title)
        .bind(&d.description)
        .bind(&d.employer)
        .bind(&d.contact)
        .bind(d.region_id)
        .bind(d.expires_on)
        .bind(d.status.as_str())
        .bind(by)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await?;
        if let Some(record) = record {
            tx.audit(&record.clone().about(id).entry()).await?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

pub async fn update(pool: &Pool, id: i64, d: &LeadDraft, record: &Record) -> Result<()> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let done = sqlx::query(
            "UPDATE leads SET kind = $1, title = $2, description = $3, employer = $4, contact = $5, region_id = $6,
                 expires_on = $7, status = $8 WHERE id = $9",
        )
        .bind(d.kind.as_str())
        .bind(&d.title)
        .bind(&d.description)
        .bind(&d.employer)
        .bind(&d.contact)
        .bind(d.region_id)
        .bind(d.expires_on)
        .bind(d.status.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        Ok(())
    })
}
