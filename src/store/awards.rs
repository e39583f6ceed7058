//! Awards and honours given to a volunteer, with date and awarding body.

use super::audit::{AuditTx, Record};
use super::{BeginWrite, Pool, Result};
use crate::on_db;
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Award {
    pub id: i64,
    pub volunteer_id: i64,
    pub title: String,
    pub awarded_by: String,
    pub awarded_on: NaiveDate,
}

pub async fn of_volunteer(pool: &Pool, volunteer_id: i64) -> Result<Vec<Award>> {
    Ok(on_db!(pool, |p| {
        sqlx::query_as::<_, Award>(
        "SELECT id, volunteer_id, title, awarded_by, awarded_on FROM awards WHERE volunteer_id = $1 ORDER BY awarded_on DESC, id DESC"
    )
    .bind(volunteer_id)
    .fetch_all(p)
    .await?
    }))
}

pub async fn add(
    pool: &Pool,
    volunteer_id: i64,
    title: &str,
    awarded_by: &str,
    awarded_on: NaiveDate,
    record: &Record,
) -> Result<i64> {
    Ok(on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO awards (volunteer_id, title, awarded_by, awarded_on, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(volunteer_id)
    .bind(title)
    .bind(awarded_by)
    .bind(awarded_on)
    .bind(Utc::now())
    .fetch_one(&mut *tx)
    .await?;
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        id
    }))
}
