//! What the activity ledger (活动台账) prints: who came and when, and which
//! activities fall in a period.

use super::{Pool, Result};
use crate::domain::activity::AttendanceMethod;
use crate::on_db;
use chrono::{DateTime, Utc};

/// One person on an activity's record of attendance.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttendedLine {
    pub name: String,
    pub volunteer_no: String,
    pub village: String,
    pub check_in: DateTime<Utc>,
    pub check_out: Option<DateTime<Utc>>,
    pub method: AttendanceMethod,
    /// How far from the activity the phone said it was at check-in.
    pub distance_m: Option<i64>,
    /// Checked in without a position: the leader confirms.
    pub to_confirm: bool,
    pub auto_closed: bool,
}

pub async fn attended(pool: &Pool, activity_id: i64) -> Result<Vec<AttendedLine>> {
    Ok(on_db!(pool, |p| sqlx::query_as::<_, AttendedLine>(
        "SELECT v.name, v.volunteer_no, r.name AS village, t.check_in, t.check_out, t.method, t.distance_m,
                t.to_confirm, t.auto_closed
           FROM attendance t JOIN volunteers v ON v.id = t.volunteer_id JOIN regions r ON r.id = v.region_id
          WHERE t.activity_id = $1
          ORDER BY t.check_in, v.id"
    )
    .bind(activity_id)
    .fetch_all(p)
    .await?))
}

/// Activities of a subtree that start in `[from, to)`, not cancelled, in order.
pub async fn activity_ids(pool: &Pool, within: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<i64>> {
    let pattern = format!("{within}%");
    Ok(on_db!(pool, |p| sqlx::query_scalar::<_, i64>(
        "SELECT a.id FROM activities a JOIN regions r ON r.id = a.region_id
          WHERE r.path LIKE $1 AND a.starts_at >= $2 AND a.starts_at < $3 AND a.status <> 'cancelled'
          ORDER BY a.starts_at, a.id"
    )
    .bind(pattern)
    .bind(from)
    .bind(to)
    .fetch_all(p)
    .await?))
}
