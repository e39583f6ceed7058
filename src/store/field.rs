//! Field check-in: the attendance a phone's own check-in writes (with the
//! distance it was from the activity, never its position), the leader's
//! confirmation, and the keys that make a phone's queued actions count once.

use super::audit::{AuditTx, Record};
use super::{BeginWrite, Pool, Result};
use crate::on_db;
use chrono::{DateTime, Duration, Utc};

/// A volunteer's own check-in: written once (a second is a no-op), with the
/// distance or the mark for the leader to confirm. Returns whether it was written.
#[allow(clippy::too_many_arguments)]
pub async fn check_in(
    pool: &Pool,
    activity_id: i64,
    volunteer_id: i64,
    at: DateTime<Utc>,
    distance_m: Option<i64>,
    to_confirm: bool,
    by: i64,
    record: &Record,
) -> Result<bool> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query(
            "INSERT INTO attendance (activity_id, volunteer_id, check_in, check_out, method, auto_closed, recorded_by, updated_at, distance_m, to_confirm)
             VALUES ($1, $2, $3, NULL, 'qr', FALSE, $4, $5, $6, $7)
             ON CONFLICT (activity_id, volunteer_id) DO NOTHING",
        )
        .bind(activity_id)
        .bind(volunteer_id)
        .bind(at)
        .bind(by)
        .bind(Utc::now())
        .bind(distance_m)
        .bind(to_confirm)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            tx.audit(&record.entry()).await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    })
}

/// The leader saw them there: the check-in no longer waits for confirmation.
pub async fn confirm(pool: &Pool, activity_id: i64, volunteer_id: i64, record: &Record) -> Result<bool> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query(
            "UPDATE attendance SET to_confirm = FALSE, updated_at = $3 WHERE activity_id = $1 AND volunteer_id = $2 AND to_confirm",
        )
        .bind(activity_id)
        .bind(volunteer_id)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            tx.audit(&record.entry()).await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    })
}

/// Per volunteer of an activity: the distance at check-in and whether it waits for the leader.
pub async fn presence(pool: &Pool, activity_id: i64) -> Result<Vec<(i64, Option<i64>, bool)>> {
    Ok(on_db!(pool, |p| sqlx::query_as::<_, (i64, Option<i64>, bool)>(
        "SELECT volunteer_id, distance_m, to_confirm FROM attendance WHERE activity_id = $1"
    )
    .bind(activity_id)
    .fetch_all(p)
    .await?))
}

/// What a key already stands for.
pub enum Claim {
    /// Nobody sent it before: this request does the work.
    New,
    /// Done before: the stored answer, and who sent it.
    Done { user_id: i64, outcome: String },
    /// Another request with this key is at work right now.
    Busy,
}

const PENDING: &str = "pending";
/// A claim left pending this long (a server stopped mid-way) may be taken again.
const STALE_SECONDS: i64 = 60;

/// Claims a key before the work is done, so two sends of one queued action
/// (the page and the service worker both retrying) do the work once.
pub async fn claim(
    pool: &Pool,
    key: &str,
    user_id: i64,
    activity_id: i64,
    kind: &str,
    happened_at: DateTime<Utc>,
) -> Result<Claim> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let found: Option<(i64, String, DateTime<Utc>)> =
            sqlx::query_as("SELECT user_id, outcome, received_at FROM field_actions WHERE idem_key = $1")
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?;
        let claim = match found {
            Some((user_id, outcome, received)) if outcome == PENDING => {
                if received < now - Duration::seconds(STALE_SECONDS) {
                    sqlx::query("UPDATE field_actions SET received_at = $2 WHERE idem_key = $1")
                        .bind(key)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    let _ = user_id;
                    Claim::New
                } else {
                    Claim::Busy
                }
            }
            Some((user_id, outcome, _)) => Claim::Done { user_id, outcome },
            None => {
                // ON CONFLICT: a claim racing ours between the read and here
                let n = sqlx::query(
                    "INSERT INTO field_actions (idem_key, user_id, activity_id, kind, happened_at, outcome, received_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idem_key) DO NOTHING",
                )
                .bind(key)
                .bind(user_id)
                .bind(activity_id)
                .bind(kind)
                .bind(happened_at)
                .bind(PENDING)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 0 {
                    Claim::Busy
                } else {
                    Claim::New
                }
            }
        };
        tx.commit().await?;
        Ok(claim)
    })
}

/// The answer given for a key, kept for its repeats.
pub async fn finish(pool: &Pool, key: &str, outcome: &str) -> Result<()> {
    on_db!(pool, |p| {
        sqlx::query("UPDATE field_actions SET outcome = $2 WHERE idem_key = $1")
            .bind(key)
            .bind(outcome)
            .execute(p)
            .await?;
        Ok(())
    })
}

/// Lets a key be sent again after the server failed at it.
pub async fn release(pool: &Pool, key: &str) -> Result<()> {
    on_db!(pool, |p| {
        sqlx::query("DELETE FROM field_actions WHERE idem_key = $1 AND outcome = $2")
            .bind(key)
            .bind(PENDING)
            .execute(p)
            .await?;
        Ok(())
    })
}
