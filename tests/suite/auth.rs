//! Signing in, tokens, lockout and the error shape.

use crate::both;
use crate::common::{TestApp, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn login(app: &TestApp, username: &str, password: &str) -> (StatusCode, Value) {
    let r = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("send");
    crate::common::split(r).await
}

both!(token_works_and_wrong_credentials_are_401, |app: TestApp| async move {
    let (s, body) = login(&app, "staff", PASSWORD).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body["token"].as_str().is_some_and(|t| t.len() > 30));
    assert!(body["expires_at"].as_str().is_some_and(|t| t.contains('T')), "RFC 3339: {body}");

    let (s, body) = login(&app, "staff", "Wrong#Pass2026").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "invalid_credentials");
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("密码")));

    let (s, body) = login(&app, "nobody", PASSWORD).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "invalid_credentials", "an unknown user looks like a wrong password");
});

both!(calls_without_a_valid_token_are_401, |app: TestApp| async move {
    let r = app.client.get(app.url("/api/v1/volunteers")).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (s, body) = app.get("not-a-token", "/api/v1/volunteers").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorized");
    assert!(body["error"]["fields"].is_object());
});

both!(revoked_and_expired_tokens_stop_working, |app: TestApp| async move {
    let t = app.token("staff").await;
    assert_eq!(app.get(&t, "/api/v1/me").await.0, StatusCode::OK);
    let (s, _) = app.call(&t, reqwest::Method::DELETE, "/api/v1/auth/token", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&t, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);

    let t = app.token("staff").await;
    app.exec("UPDATE sessions SET expires_at = created_at").await;
    app.sync_sessions().await;
    assert_eq!(app.get(&t, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "an expired token is refused");
});

both!(five_failures_lock_the_account, |app: TestApp| async move {
    for _ in 0..4 {
        assert_eq!(login(&app, "staff", "Wrong#Pass2026").await.0, StatusCode::UNAUTHORIZED);
    }
    // the fifth failure locks; then even the right password is refused
    let (_, body) = login(&app, "staff", "Wrong#Pass2026").await;
    assert_eq!(body["error"]["code"], "account_locked");
    let (s, body) = login(&app, "staff", PASSWORD).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "account_locked");
    // other accounts are not affected
    assert_eq!(login(&app, "admin", PASSWORD).await.0, StatusCode::OK);
    // once the 15 minutes have passed the right password works again
    app.exec("UPDATE users SET locked_until = NULL WHERE username = 'staff'").await;
    assert_eq!(login(&app, "staff", PASSWORD).await.0, StatusCode::OK);
});

both!(parallel_guessing_cannot_slip_past_the_lockout, |app: TestApp| async move {
    let mut tasks = Vec::new();
    for i in 0..12 {
        let client = app.client.clone();
        let url = app.url("/api/v1/auth/token");
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .json(&json!({"username": "staff", "password": format!("Guess#{i}xx")}))
                .send()
                .await
                .map(|r| r.status())
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("join").expect("send"), StatusCode::UNAUTHORIZED);
    }
    let (_, body) = login(&app, "staff", PASSWORD).await;
    assert_eq!(body["error"]["code"], "account_locked", "12 parallel failures must lock the account");
});

both!(errors_follow_the_requests_language, |app: TestApp| async move {
    let r = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .header("accept-language", "en-US,en;q=0.9")
        .json(&json!({"username": "staff", "password": "nope"}))
        .send()
        .await
        .expect("send");
    let (_, body) = crate::common::split(r).await;
    assert_eq!(body["error"]["message"], "Wrong user name or password");
    let (s, body) = login(&app, "", "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let why = body["error"]["fields"]["username"].as_str().expect("username named");
    assert!(why.contains("用户名") && why.contains("User name"), "both languages: {why}");
});

both!(bad_json_is_a_clear_400, |app: TestApp| async move {
    let t = app.token("staff").await;
    let r = app
        .client
        .post(app.url("/api/v1/volunteers"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    let (s, body) = crate::common::split(r).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_json");
});

both!(healthz_answers_when_the_database_does, |app: TestApp| async move {
    let r = app.client.get(app.url("/healthz")).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
});

both!(the_audit_chain_shows_tampering, |app: TestApp| async move {
    let t = app.token("staff").await;
    app.volunteer(&t, "张三", app.town.village_a, 11, &[]).await;
    assert_eq!(laobing::store::audit::verify(&app.db.pool).await.expect("verify"), None, "an untouched log verifies");
    app.exec("UPDATE audit_log SET detail = 'edited' WHERE id = (SELECT MIN(id) FROM audit_log)").await;
    assert!(
        laobing::store::audit::verify(&app.db.pool).await.expect("verify").is_some(),
        "an edited entry breaks the chain"
    );
});
