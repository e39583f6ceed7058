//! The board of job and business leads (就业创业信息) that mentors, staff and
//! veterans share.

use super::{Pool, Result, StoreError};
use crate::domain::mentoring::LeadDraft;
use crate::on_db;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Lead {
    pub id: i64,
    /// job or business
    pub kind: String,
    pub title: String,
    pub description: Option<String>,
    pub employer: Option<String>,
    pub contact: Option<String>,
    pub region_id: i64,
    pub region_name: String,
    pub expires_on: Option<NaiveDate>,
    /// open or closed
    pub status: String,
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
pub async fn list(pool: &Pool, within: &str, status: Option<&str>) -> Result<Vec<Lead>> {
    let sql =
        format!("{SELECT} WHERE g.path LIKE $1 AND ($2 = '' OR l.status = $2) ORDER BY l.created_at DESC, l.id DESC");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Lead>(&sql)
        .bind(format!("{within}%"))
        .bind(status.unwrap_or(""))
        .fetch_all(p)
        .await?))
}

/// What a volunteer living at `path` reads: open, unexpired leads of his own
/// region, the regions above it (the town's and the county's leads reach every
/// village) and below it.
pub async fn board_for(pool: &Pool, path: &str, today: NaiveDate) -> Result<Vec<Lead>> {
    let sql = format!(
        "{SELECT} WHERE ($1 LIKE g.path || '%' OR g.path LIKE $1 || '%') AND l.status = 'open'
            AND (l.expires_on IS NULL OR l.expires_on >= $2)
          ORDER BY l.created_at DESC, l.id DESC"
    );
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Lead>(&sql).bind(path).bind(today).fetch_all(p).await?))
}

pub async fn create(pool: &Pool, d: &LeadDraft, by: i64) -> Result<i64> {
    Ok(on_db!(pool, |p| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO leads (kind, title, description, employer, contact, region_id, expires_on, status, posted_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
    )
    .bind(&d.kind)
    .bind(&d.title)
    .bind(&d.description)
    .bind(&d.employer)
    .bind(&d.contact)
    .bind(d.region_id)
    .bind(d.expires_on)
    .bind(&d.status)
    .bind(by)
    .bind(Utc::now())
    .fetch_one(p)
    .await?
    }))
}

pub async fn update(pool: &Pool, id: i64, d: &LeadDraft) -> Result<()> {
    let done = on_db!(pool, |p| sqlx::query(
        "UPDATE leads SET kind = $1, title = $2, description = $3, employer = $4, contact = $5, region_id = $6,
             expires_on = $7, status = $8 WHERE id = $9"
    )
    .bind(&d.kind)
    .bind(&d.title)
    .bind(&d.description)
    .bind(&d.employer)
    .bind(&d.contact)
    .bind(d.region_id)
    .bind(d.expires_on)
    .bind(&d.status)
    .bind(id)
    .execute(p)
    .await?
    .rows_affected());
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
