//! Evaluations of volunteers by team leaders and staff, no-shows, and the
//! yearly figures the assessment and the leaderboards are made from.

use super::audit::{AuditTx, Record};
use super::{BeginWrite, Pool, Result};
use crate::on_db;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Evaluation {
    pub id: i64,
    pub volunteer_id: i64,
    pub period: String,
    pub score: i64,
    pub comment: Option<String>,
    pub evaluator: String,
    pub created_at: DateTime<Utc>,
}

/// Files an evaluation; `record` is written in the same transaction (the demo
/// town's history has none).
#[allow(clippy::too_many_arguments)]
pub async fn add(
    pool: &Pool,
    volunteer_id: i64,
    period: &str,
    score: i64,
    comment: Option<&str>,
    by_id: i64,
    by: &str,
    record: Option<&Record>,
) -> Result<i64> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO evaluations (volunteer_id, period, score, comment, evaluator_id, evaluator, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(volunteer_id)
        .bind(period)
        .bind(score)
        .bind(comment)
        .bind(by_id)
        .bind(by)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await?;
        if let Some(r) = record {
            tx.audit(&r.entry()).await?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

pub async fn of_volunteer(pool: &Pool, volunteer_id: i64) -> Result<Vec<Evaluation>> {
    Ok(on_db!(pool, |p| {
        sqlx::query_as::<_, Evaluation>(
        "SELECT id, volunteer_id, period, score, comment, evaluator, created_at FROM evaluations WHERE volunteer_id = $1 ORDER BY id DESC"
    )
    .bind(volunteer_id)
    .fetch_all(p)
    .await?
    }))
}

/// Sign-ups with a place at activities that are over and closed, with no
/// attendance: the volunteer did not come. Counted since `since`.
pub async fn no_shows(pool: &Pool, volunteer_id: i64, since: DateTime<Utc>) -> Result<(i64, Option<DateTime<Utc>>)> {
    let row: (i64, Option<DateTime<Utc>>) = on_db!(pool, |p| {
        sqlx::query_as(
        "SELECT COUNT(*), MAX(a.ends_at) FROM activity_signups s JOIN activities a ON a.id = s.activity_id
          WHERE s.volunteer_id = $1 AND s.status = 'signed_up' AND a.status = 'closed' AND a.ends_at >= $2
            AND NOT EXISTS (SELECT 1 FROM attendance t WHERE t.activity_id = s.activity_id AND t.volunteer_id = s.volunteer_id)"
    )
    .bind(volunteer_id)
    .bind(since)
    .fetch_one(p)
    .await?
    });
    Ok(row)
}

/// One volunteer's year, for the assessment and the leaderboards.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct YearRow {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub region_id: i64,
    pub region_name: String,
    pub minutes: i64,
    pub points: i64,
    pub evaluation: Option<f64>,
    /// Requesters' mean stars for the needs this volunteer served in the period.
    pub rating: Option<f64>,
    pub no_shows: i64,
}

/// Every active volunteer of a subtree with their figures for a period.
pub async fn year_rows(
    pool: &Pool,
    within: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    period: &str,
) -> Result<Vec<YearRow>> {
    Ok(on_db!(pool, |p| {
        sqlx::query_as::<_, YearRow>(
        "SELECT v.id AS volunteer_id, v.volunteer_no, v.name, v.region_id, r.name AS region_name,
                COALESCE((SELECT CAST(SUM(sr.minutes) AS BIGINT) FROM service_records sr
                           WHERE sr.volunteer_id = v.id AND sr.corrected_by IS NULL AND sr.started_at >= $2 AND sr.started_at < $3), 0) AS minutes,
                COALESCE((SELECT CAST(SUM(l.points) AS BIGINT) FROM points_ledger l
                           WHERE l.volunteer_id = v.id AND l.source = 'service_record' AND l.created_at >= $2 AND l.created_at < $3), 0) AS points,
                (SELECT AVG(CAST(e.score AS DOUBLE PRECISION)) FROM evaluations e WHERE e.volunteer_id = v.id AND e.period LIKE $4) AS evaluation,
                (SELECT AVG(CAST(n.rating AS DOUBLE PRECISION)) FROM needs n JOIN service_records sr ON sr.source = 'need' AND sr.source_id = n.id
                  WHERE sr.volunteer_id = v.id AND sr.corrected_by IS NULL AND n.rating IS NOT NULL
                    AND sr.started_at >= $2 AND sr.started_at < $3) AS rating,
                (SELECT COUNT(*) FROM activity_signups s JOIN activities a ON a.id = s.activity_id
                  WHERE s.volunteer_id = v.id AND s.status = 'signed_up' AND a.status = 'closed' AND a.ends_at >= $2 AND a.ends_at < $3
                    AND NOT EXISTS (SELECT 1 FROM attendance t WHERE t.activity_id = s.activity_id AND t.volunteer_id = v.id)) AS no_shows
           FROM volunteers v JOIN regions r ON r.id = v.region_id
          WHERE (r.path >= $1 AND r.path < $1 || '~') AND v.status = 'active'
          ORDER BY v.id"
    )
    .bind(within)
    .bind(from)
    .bind(to)
    .bind(format!("{period}%"))
    .fetch_all(p)
    .await?
    }))
}

/// (team id, team name, member ids) of a subtree, for team rankings.
pub async fn team_members(pool: &Pool, within: &str) -> Result<Vec<(i64, String, i64)>> {
    Ok(on_db!(pool, |p| {
        sqlx::query_as::<_, (i64, String, i64)>(
        "SELECT t.id, t.name, m.volunteer_id FROM teams t JOIN regions r ON r.id = t.region_id JOIN team_members m ON m.team_id = t.id
          WHERE (r.path >= $1 AND r.path < $1 || '~') ORDER BY t.id"
    )
    .bind(within)
    .fetch_all(p)
    .await?
    }))
}
