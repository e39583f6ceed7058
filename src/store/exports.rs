//! What the staff's workbook exports read: service records and certificates
//! of the volunteers of a region subtree over a period.

use super::{Pool, Result};
use crate::on_db;
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecordLine {
    pub id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub village: String,
    pub title: String,
    pub category: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub minutes: i64,
    pub late: bool,
    pub corrects: Option<i64>,
    pub corrected_by: Option<i64>,
}

/// Records whose start falls in `[from, until)`, volunteers inside `within`.
pub async fn service_records(
    pool: &Pool,
    within: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<RecordLine>> {
    let prefix = within;
    Ok(on_db!(pool, |p| {
        sqlx::query_as::<_, RecordLine>(
            "SELECT s.id, v.volunteer_no, v.name, r.name AS village, s.title, s.category, s.started_at, s.ended_at,
                    s.minutes, s.late, s.corrects, s.corrected_by
               FROM service_records s
               JOIN volunteers v ON v.id = s.volunteer_id
               JOIN regions r ON r.id = v.region_id
              WHERE (r.path >= $1 AND r.path < $1 || '~') AND s.started_at >= $2 AND s.started_at < $3
              ORDER BY s.started_at, s.id",
        )
        .bind(prefix)
        .bind(from)
        .bind(until)
        .fetch_all(p)
        .await?
    }))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CertificateLine {
    pub code: String,
    pub volunteer_no: String,
    pub name: String,
    pub village: String,
    pub minutes: i64,
    pub records: i64,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub issued_by: String,
    pub issued_at: DateTime<Utc>,
}

/// Certificates issued in `[from, until)` to volunteers inside `within`.
pub async fn certificates(
    pool: &Pool,
    within: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<CertificateLine>> {
    let prefix = within;
    Ok(on_db!(pool, |p| {
        sqlx::query_as::<_, CertificateLine>(
            "SELECT c.code, v.volunteer_no, v.name, r.name AS village, c.minutes, c.records, c.period_from,
                    c.period_to, c.issued_by, c.issued_at
               FROM certificates c
               JOIN volunteers v ON v.id = c.volunteer_id
               JOIN regions r ON r.id = v.region_id
              WHERE (r.path >= $1 AND r.path < $1 || '~') AND c.issued_at >= $2 AND c.issued_at < $3
              ORDER BY c.issued_at, c.id",
        )
        .bind(prefix)
        .bind(from)
        .bind(until)
        .fetch_all(p)
        .await?
    }))
}
