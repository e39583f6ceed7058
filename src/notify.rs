//! Delivering notifications: a loop in every app server claims pending
//! deliveries from the outbox and hands them to a sender, and escalates needs
//! that have passed their deadline to the town's staff. Senders are pluggable:
//! the log and a webhook now, SMS gateways later.

use crate::store::notifications::{self, Pending, To};
use crate::store::Db;
use std::time::Duration;

pub trait Sender: Send + Sync {
    fn channel(&self) -> &'static str;
    fn send<'a>(
        &'a self,
        n: &'a Pending,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + 'a>>;
}

/// Writes a line per notification: kind, ids and title; never a phone or ID number.
pub struct LogSender;

impl Sender for LogSender {
    fn channel(&self) -> &'static str {
        "log"
    }
    fn send<'a>(
        &'a self,
        n: &'a Pending,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            tracing::info!(notification = n.notification_id, kind = %n.kind, volunteer = ?n.volunteer_id, user = ?n.user_id, title = %n.title, "notify");
            Ok(())
        })
    }
}

/// Posts each notification as JSON to `LAOBING_WEBHOOK_URL`, for an SMS or
/// messaging gateway on the station's network to pass on.
pub struct WebhookSender {
    pub url: String,
    pub client: reqwest::Client,
}

impl Sender for WebhookSender {
    fn channel(&self) -> &'static str {
        "webhook"
    }
    fn send<'a>(
        &'a self,
        n: &'a Pending,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            let body = serde_json::json!({
                "id": n.notification_id, "kind": n.kind, "title": n.title, "body": n.body, "link": n.link,
                "volunteer_id": n.volunteer_id, "user_id": n.user_id,
            });
            let r = self.client.post(&self.url).json(&body).send().await.map_err(|e| e.to_string())?;
            if r.status().is_success() {
                Ok(())
            } else {
                Err(format!("webhook answered {}", r.status()))
            }
        })
    }
}

pub fn senders() -> Vec<Box<dyn Sender>> {
    let mut out: Vec<Box<dyn Sender>> = vec![Box::new(LogSender)];
    if let Ok(url) = std::env::var("LAOBING_WEBHOOK_URL") {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
        out.push(Box::new(WebhookSender { url, client }));
    }
    out
}

/// One pass: deliver what is pending, escalate what is overdue.
pub async fn pass(db: &Db, senders: &[Box<dyn Sender>]) -> Result<usize, crate::store::StoreError> {
    for (id, title, path) in notifications::claim_overdue(&db.pool).await? {
        let staff: Vec<To> = notifications::staff_over(&db.pool, &path).await?.into_iter().map(To::User).collect();
        if !staff.is_empty() {
            notifications::notify(
                &db.pool,
                &staff,
                "escalation",
                &format!("需求超期未办结：{title}"),
                "请尽快派单或联系需求人",
                &format!("/needs/{id}"),
            )
            .await?;
        }
    }
    for (id, title, starts, volunteer) in notifications::claim_reminders(&db.pool).await? {
        let when = crate::domain::clock::local(starts).format("%m月%d日 %H:%M");
        notifications::notify(
            &db.pool,
            &[To::Volunteer(volunteer)],
            "reminder",
            &format!("活动提醒：{title}"),
            &format!("{when}开始，请准时到达"),
            &format!("/activities/{id}"),
        )
        .await?;
    }
    let channels: Vec<&str> = senders.iter().map(|s| s.channel()).collect();
    let pending = notifications::claim(&db.pool, 50, &channels).await?;
    let mut sent = 0;
    for p in &pending {
        let result = match senders.iter().find(|s| s.channel() == p.channel) {
            Some(s) => s.send(p).await,
            None => Err(format!("no sender for channel {}", p.channel)),
        };
        if result.is_ok() {
            sent += 1;
        }
        notifications::finish(&db.pool, p.id, result.err().as_deref()).await?;
    }
    Ok(sent)
}

/// Runs for the life of the server.
pub async fn run(db: Db) {
    let senders = senders();
    loop {
        if let Err(e) = pass(&db, &senders).await {
            tracing::warn!(error = %e, "notification pass failed");
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}
