//! Notifications: the inbox, the outbox worked by senders, escalation of overdue needs.

use crate::both;
use crate::common::{hours_from_now, TestApp};
use reqwest::StatusCode;
use serde_json::json;

both!(offers_reach_the_inbox_and_the_log_sender, |app: TestApp| async move {
    use laobing::domain::account::Role;
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "收消息", app.town.village_a, 1801, &[]).await;
    app.account_for("listener", Role::Volunteer, app.town.village_a, v["id"].as_i64().expect("id")).await;
    let (_, n) = app
        .post(
            &staff,
            "/api/v1/needs",
            json!({"title": "送菜", "category": "veteran_assistance", "region_id": app.town.village_a}),
        )
        .await;
    app.post(&staff, &format!("/api/v1/needs/{}/dispatch", n["id"]), json!({"volunteer_ids": [v["id"]]})).await;
    let me = app.token("listener").await;
    let (s, inbox) = app.get(&me, "/api/v1/notifications").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(inbox[0]["kind"], "offer");
    assert_eq!(inbox[0]["link"], format!("/needs/{}", n["id"]));
    let other = app.token("staff").await;
    let (_, theirs) = app.get(&other, "/api/v1/notifications").await;
    assert!(
        theirs.as_array().expect("array").iter().all(|x| x["kind"] != "offer"),
        "an offer is only for its volunteer"
    );
    // the sender loop delivers it within a few seconds
    let mut sent = 0;
    for _ in 0..40 {
        sent = app.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'sent'").await;
        if sent > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(sent, 1);
    let (s, _) =
        app.call(&me, reqwest::Method::POST, &format!("/api/v1/notifications/{}/read", inbox[0]["id"]), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) =
        app.call(&me, reqwest::Method::POST, &format!("/api/v1/notifications/{}/read", inbox[0]["id"]), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "already read");
});

both!(overdue_needs_are_escalated_to_staff_once, |app: TestApp| async move {
    let staff = app.token("staff").await;
    app.post(&staff, "/api/v1/needs", json!({"title": "超期", "category": "other", "region_id": app.town.village_a, "filed_at": hours_from_now(-24 * 10), "due_at": hours_from_now(-24)})).await;
    let senders = laobing::notify::senders();
    laobing::notify::pass(&app.db, &senders).await.expect("pass");
    laobing::notify::pass(&app.db, &senders).await.expect("pass");
    let (_, inbox) = app.get(&staff, "/api/v1/notifications").await;
    let escalations = inbox.as_array().expect("array").iter().filter(|n| n["kind"] == "escalation").count();
    assert_eq!(escalations, 1, "escalated once, to the town's staff");
    let other = app.token("other_staff").await;
    assert_eq!(app.get(&other, "/api/v1/notifications").await.1.as_array().map(Vec::len), Some(0));
});

both!(the_webhook_sender_posts_and_retries, |app: TestApp| async move {
    use axum::routing::post;
    let got = std::sync::Arc::new(tokio::sync::Mutex::new(Vec::<serde_json::Value>::new()));
    let sink = got.clone();
    let fail_first = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let router = axum::Router::new().route(
        "/hook",
        post(move |axum::Json(v): axum::Json<serde_json::Value>| {
            let sink = sink.clone();
            let fail_first = fail_first.clone();
            async move {
                if fail_first.swap(false, std::sync::atomic::Ordering::SeqCst) {
                    return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                }
                sink.lock().await.push(v);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    laobing::store::notifications::notify(
        &app.db.pool,
        &[laobing::store::notifications::To::User(1)],
        "reminder",
        "明天活动",
        "请准时到达",
        "/activities",
    )
    .await
    .expect("notify");
    // a webhook delivery of its own, which the server's log sender never touches
    app.exec("DELETE FROM outbox").await;
    app.exec(
        "INSERT INTO outbox (notification_id, channel, created_at) SELECT id, 'webhook', created_at FROM notifications",
    )
    .await;
    let senders: Vec<Box<dyn laobing::notify::Sender>> =
        vec![Box::new(laobing::notify::WebhookSender { url, client: reqwest::Client::new() })];
    laobing::notify::pass(&app.db, &senders).await.expect("pass");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND attempts = 1").await,
        1,
        "a failed delivery waits for another try"
    );
    laobing::notify::pass(&app.db, &senders).await.expect("pass");
    assert_eq!(got.lock().await.len(), 1);
    assert_eq!(got.lock().await[0]["title"], "明天活动");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'sent'").await, 1);
});

both!(a_delivery_left_half_sent_is_picked_up_again, |app: TestApp| async move {
    laobing::store::notifications::notify(
        &app.db.pool,
        &[laobing::store::notifications::To::User(1)],
        "reminder",
        "提醒",
        "内容",
        "/",
    )
    .await
    .expect("notify");
    // on the webhook channel, which this test server's own sender never takes
    app.exec("DELETE FROM outbox").await;
    app.exec("INSERT INTO outbox (notification_id, channel, status, created_at, claimed_at) SELECT id, 'webhook', 'sending', created_at, created_at FROM notifications").await;
    // claimed "now" by a server that then stopped: not yet stale
    let fresh = laobing::store::notifications::claim(&app.db.pool, 10, &["webhook"]).await.expect("claim");
    assert!(fresh.is_empty(), "a claim in progress is left alone");
    match app.db.pool {
        laobing::store::Pool::Sqlite(_) => {
            app.exec("UPDATE outbox SET claimed_at = datetime('now', '-10 minutes') || '+00:00'").await
        }
        laobing::store::Pool::Postgres(_) => {
            app.exec("UPDATE outbox SET claimed_at = now() - interval '10 minutes'").await
        }
    }
    let again = laobing::store::notifications::claim(&app.db.pool, 10, &["webhook"]).await.expect("claim");
    assert_eq!(again.len(), 1, "a stale claim is taken over");
});

both!(volunteers_are_reminded_once_of_tomorrows_activity, |app: TestApp| async move {
    use laobing::domain::account::Role;
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "明天来", app.town.village_a, 1851, &[]).await;
    app.account_for("tomorrow", Role::Volunteer, app.town.village_a, v["id"].as_i64().expect("id")).await;
    let soon = app.activity(&staff, "明早巡河", &hours_from_now(10), &hours_from_now(12), 5, "safety_patrol").await;
    let later =
        app.activity(&staff, "下周宣讲", &hours_from_now(24 * 6), &hours_from_now(24 * 6 + 2), 5, "lecture").await;
    for a in [&soon, &later] {
        app.post(&staff, &format!("/api/v1/activities/{}/signups", a["id"]), json!({"volunteer_id": v["id"]})).await;
    }
    let senders = laobing::notify::senders();
    laobing::notify::pass(&app.db, &senders).await.expect("pass");
    laobing::notify::pass(&app.db, &senders).await.expect("pass");
    let me = app.token("tomorrow").await;
    let (_, inbox) = app.get(&me, "/api/v1/notifications").await;
    let reminders: Vec<_> = inbox.as_array().expect("array").iter().filter(|n| n["kind"] == "reminder").collect();
    assert_eq!(reminders.len(), 1, "only the activity within a day, only once");
    assert_eq!(reminders[0]["link"], format!("/activities/{}", soon["id"]));
});
