//! Notifications: the in-app inbox and the outbox the senders work through.

use super::{BeginWrite, Pool, Result};
use crate::on_db;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    /// offer, reminder, escalation or mobilization
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Where to act on it, inside the app.
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// Who receives a notification.
#[derive(Debug, Clone, Copy)]
pub enum To {
    Volunteer(i64),
    User(i64),
}

/// The channels every notification goes out on besides the inbox, from
/// `LAOBING_NOTIFY` (`log`, `webhook`; default `log`).
pub fn channels() -> Vec<String> {
    std::env::var("LAOBING_NOTIFY")
        .unwrap_or_else(|_| "log".into())
        .split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| c == "log" || c == "webhook")
        .collect()
}

pub async fn notify(pool: &Pool, to: &[To], kind: &str, title: &str, body: &str, link: &str) -> Result<()> {
    let now = Utc::now();
    let chans = channels();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        for t in to {
            let (user, volunteer) = match t {
                To::User(u) => (Some(*u), None),
                To::Volunteer(v) => (None, Some(*v)),
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO notifications (user_id, volunteer_id, kind, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(user)
            .bind(volunteer)
            .bind(kind)
            .bind(title)
            .bind(body)
            .bind(link)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            for c in &chans {
                sqlx::query("INSERT INTO outbox (notification_id, channel, created_at) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(c)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    })
}

/// A caller's inbox: addressed to their account or to their volunteer.
pub async fn inbox(pool: &Pool, user_id: i64, volunteer_id: Option<i64>) -> Result<Vec<Notification>> {
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Notification>(
        "SELECT id, kind, title, body, link, created_at, read_at FROM notifications
          WHERE user_id = $1 OR (volunteer_id IS NOT NULL AND volunteer_id = $2) ORDER BY id DESC LIMIT 100"
    )
    .bind(user_id)
    .bind(volunteer_id.unwrap_or(-1))
    .fetch_all(p)
    .await?))
}

pub async fn mark_read(pool: &Pool, id: i64, user_id: i64, volunteer_id: Option<i64>) -> Result<bool> {
    let n = on_db!(pool, |p| {
        sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE id = $2 AND read_at IS NULL AND (user_id = $3 OR (volunteer_id IS NOT NULL AND volunteer_id = $4))"
    )
    .bind(Utc::now())
    .bind(id)
    .bind(user_id)
    .bind(volunteer_id.unwrap_or(-1))
    .execute(p)
    .await?
    .rows_affected()
    });
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Pending {
    pub id: i64,
    pub channel: String,
    pub attempts: i64,
    pub notification_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub volunteer_id: Option<i64>,
    pub user_id: Option<i64>,
}

/// Claims up to `n` pending deliveries on the channels this server can send.
/// The status is checked again by the update itself, so two servers never
/// claim the same row; a channel no server here sends is left for one that does.
pub async fn claim(pool: &Pool, n: i64, channels: &[&str]) -> Result<Vec<Pending>> {
    if channels.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "UPDATE outbox SET status = 'sending', claimed_at = $2
          WHERE (status = 'pending' OR (status = 'sending' AND claimed_at < $3))
            AND id IN (SELECT id FROM outbox WHERE (status = 'pending' OR (status = 'sending' AND claimed_at < $3))
                         AND channel IN ({}) ORDER BY id LIMIT $1) RETURNING id",
        super::placeholders(4, channels.len())
    );
    let now = chrono::Utc::now();
    // a claim older than this belongs to a server that stopped before finishing
    let stale = now - chrono::Duration::minutes(5);
    let ids: Vec<i64> = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let mut q = sqlx::query_scalar(&sql).bind(n).bind(now).bind(stale);
        for c in channels {
            q = q.bind(*c);
        }
        let ids: Vec<i64> = q.fetch_all(&mut *tx).await?;
        tx.commit().await?;
        ids
    });
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT o.id, o.channel, o.attempts, n.id AS notification_id, n.kind, n.title, n.body, n.link, n.volunteer_id, n.user_id
           FROM outbox o JOIN notifications n ON n.id = o.notification_id WHERE o.id IN ({}) ORDER BY o.id",
        super::placeholders(1, ids.len())
    );
    Ok(on_db!(pool, |p| {
        let mut q = sqlx::query_as::<_, Pending>(&sql);
        for id in &ids {
            q = q.bind(id);
        }
        q.fetch_all(p).await?
    }))
}

/// Marks a delivery done, or puts it back for another try (failed after five).
pub async fn finish(pool: &Pool, id: i64, error: Option<&str>) -> Result<()> {
    let now = Utc::now();
    on_db!(pool, |p| {
        match error {
            None => {
                sqlx::query("UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1 WHERE id = $2 AND status = 'sending'")
                    .bind(now)
                    .bind(id)
                    .execute(p)
                    .await?
                    .rows_affected()
            }
            Some(e) => sqlx::query(
                "UPDATE outbox SET status = CASE WHEN attempts + 1 >= 5 THEN 'failed' ELSE 'pending' END,
                     attempts = attempts + 1, last_error = $1 WHERE id = $2 AND status = 'sending'",
            )
            .bind(e)
            .bind(id)
            .execute(p)
            .await?
            .rows_affected(),
        }
    });
    Ok(())
}

/// Overdue needs not yet escalated: (need id, title, region path). Each is
/// claimed so that only one server escalates it.
pub async fn claim_overdue(pool: &Pool) -> Result<Vec<(i64, String, String)>> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT n.id, n.title, r.path FROM needs n JOIN regions r ON r.id = n.region_id
              WHERE n.status IN ('submitted', 'dispatched', 'accepted') AND n.due_at < $1 AND n.escalated_at IS NULL",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        let mut claimed = Vec::new();
        for r in rows {
            let n = sqlx::query("UPDATE needs SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL")
                .bind(now)
                .bind(r.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 1 {
                claimed.push(r);
            }
        }
        tx.commit().await?;
        Ok(claimed)
    })
}

/// Accounts of town staff whose scope covers a region path.
pub async fn staff_over(pool: &Pool, region_path: &str) -> Result<Vec<i64>> {
    let rows: Vec<(i64, Option<String>)> = on_db!(pool, |p| sqlx::query_as(
        "SELECT u.id, r.path FROM users u LEFT JOIN regions r ON r.id = u.region_id WHERE u.role = 'town_staff'"
    )
    .fetch_all(p)
    .await?);
    Ok(rows
        .into_iter()
        .filter(|(_, p)| p.as_deref().is_some_and(|p| region_path.starts_with(p)))
        .map(|(id, _)| id)
        .collect())
}

/// Sign-ups with a place at activities starting within a day, not yet
/// reminded: (activity id, title, starts at, volunteer id). Each is claimed so
/// that only one server reminds.
pub async fn claim_reminders(pool: &Pool) -> Result<Vec<(i64, String, DateTime<Utc>, i64)>> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let rows: Vec<(i64, String, DateTime<Utc>, i64)> = sqlx::query_as(
            "SELECT a.id, a.title, a.starts_at, s.volunteer_id FROM activity_signups s JOIN activities a ON a.id = s.activity_id
              WHERE s.status = 'signed_up' AND s.reminded_at IS NULL AND a.status = 'open' AND a.starts_at > $1 AND a.starts_at <= $2",
        )
        .bind(now)
        .bind(now + chrono::Duration::hours(24))
        .fetch_all(&mut *tx)
        .await?;
        let mut claimed = Vec::new();
        for r in rows {
            let n = sqlx::query("UPDATE activity_signups SET reminded_at = $1 WHERE activity_id = $2 AND volunteer_id = $3 AND reminded_at IS NULL")
                .bind(now)
                .bind(r.0)
                .bind(r.3)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 1 {
                claimed.push(r);
            }
        }
        tx.commit().await?;
        Ok(claimed)
    })
}
