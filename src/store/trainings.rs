//! Training records, kept apart from service records as the rules ask.

use super::audit::{AuditTx, Record};
use super::{BeginWrite, Pool, Result};
use crate::on_db;
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Training {
    pub id: i64,
    pub volunteer_id: i64,
    pub title: String,
    pub organiser: Option<String>,
    pub held_on: NaiveDate,
    pub hours: Option<f64>,
}

pub async fn of_volunteer(pool: &Pool, volunteer_id: i64) -> Result<Vec<Training>> {
    Ok(on_db!(pool, |p| {
        sqlx::query_as::<_, Training>(
        "SELECT id, volunteer_id, title, organiser, held_on, hours FROM trainings WHERE volunteer_id = $1 ORDER BY held_on DESC, id DESC"
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
    organiser: Option<&str>,
    held_on: NaiveDate,
    hours: Option<f64>,
    record: &Record,
) -> Result<i64> {
    Ok(on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO trainings (volunteer_id, title, organiser, held_on, hours, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(volunteer_id)
    .bind(title)
    .bind(organiser)
    .bind(held_on)
    .bind(hours)
    .bind(Utc::now())
    .fetch_one(&mut *tx)
    .await?;
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        id
    }))
}
