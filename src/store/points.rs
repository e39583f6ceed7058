//! The points ledger: append-only; the balance is the sum of its entries.

use super::{Pool, Result};
use crate::domain::points::LedgerSource;
use crate::on_db;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct PointsEntry {
    pub points: i64,
    #[sqlx(try_from = "String")]
    pub source: LedgerSource,
    pub source_id: String,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

pub async fn entries(pool: &Pool, volunteer_id: i64) -> Result<Vec<PointsEntry>> {
    Ok(on_db!(pool, |p| sqlx::query_as::<_, PointsEntry>(
        "SELECT points, source, source_id, reason, created_at FROM points_ledger WHERE volunteer_id = $1 ORDER BY id"
    )
    .bind(volunteer_id)
    .fetch_all(p)
    .await?))
}

pub async fn balance(pool: &Pool, volunteer_id: i64) -> Result<i64> {
    if let Some(reader) = super::reader_of(pool) {
        let sql = "SELECT CAST(SUM(points) AS BIGINT) FROM points_ledger WHERE volunteer_id = $1";
        return reader.scalar(sql, &[super::reader::Arg::Int(volunteer_id)]).await;
    }
    let b: Option<i64> = on_db!(pool, |p| sqlx::query_scalar(
        "SELECT CAST(SUM(points) AS BIGINT) FROM points_ledger WHERE volunteer_id = $1"
    )
    .bind(volunteer_id)
    .fetch_one(p)
    .await?);
    Ok(b.unwrap_or(0))
}
