//! The second factor (TOTP, RFC 6238) with recovery codes, roles that must
//! use it, passwords staff hand out that must be changed, one's own sessions,
//! and sign-in attempts limited per client address across app servers. The
//! codes are computed here the way an authenticator app does.

use crate::both;
use crate::common::{TestApp, PASSWORD};
use hmac::{Hmac, Mac};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

/// The six digits an authenticator app shows for `secret` (base32) at a Unix
/// time: HOTP of the 30-second step, dynamically truncated (RFC 4226 §5.3).
fn app_code(secret_b32: &str, unix: i64) -> String {
    let key = laobing::domain::totp::from_base32(secret_b32).expect("base32 secret");
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&key).expect("key");
    mac.update(&((unix / 30) as u64).to_be_bytes());
    let h = mac.finalize().into_bytes();
    let o = (h[19] & 0xf) as usize;
    let bin = u32::from_be_bytes([h[o] & 0x7f, h[o + 1], h[o + 2], h[o + 3]]);
    format!("{:06}", bin % 1_000_000)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn token_with(
    app: &TestApp,
    base: &str,
    username: &str,
    password: &str,
    totp: Option<&str>,
) -> (StatusCode, Value) {
    let mut body = json!({"username": username, "password": password});
    if let Some(t) = totp {
        body["totp"] = json!(t);
    }
    let r = app.client.post(format!("{base}/api/v1/auth/token")).json(&body).send().await.expect("send");
    crate::common::split(r).await
}

/// Enrols the account behind `token`; returns the secret, the recovery codes
/// and the time whose code confirmed it (that step is used up).
async fn enrol(app: &TestApp, token: &str) -> (String, Vec<String>, i64) {
    let (s, e) = app.post(token, "/api/v1/me/totp", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let secret = e["secret"].as_str().expect("secret").to_string();
    assert!(e["uri"].as_str().expect("uri").starts_with("otpauth://totp/"), "{e}");
    let t0 = now();
    let (s, body) = app.post(token, "/api/v1/me/totp/confirm", json!({"totp": app_code(&secret, t0)})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let codes: Vec<String> = body["recovery_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_string())
        .collect();
    (secret, codes, t0)
}

both!(totp_guards_sign_in_with_codes_good_once_and_recovery_codes, |app: TestApp| async move {
    let t = app.token("staff").await;
    // a wrong first code does not turn it on
    let (s, e) = app.post(&t, "/api/v1/me/totp", json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let secret = e["secret"].as_str().expect("secret").to_string();
    let wrong = if app_code(&secret, now()) == "000000" { "111111" } else { "000000" };
    let (s, body) = app.post(&t, "/api/v1/me/totp/confirm", json!({"totp": wrong})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["totp"].is_string(), "{body}");
    assert_eq!(app.get(&t, "/api/v1/me/totp").await.1["enabled"], false);

    let (secret, codes, t0) = enrol(&app, &t).await;
    assert_eq!(codes.len(), 10);
    let (_, st) = app.get(&t, "/api/v1/me/totp").await;
    assert_eq!(st["enabled"], true, "{st}");
    assert_eq!(st["recovery_codes_left"], 10);
    // enrolling again is refused while it is on
    assert_eq!(app.post(&t, "/api/v1/me/totp", json!({})).await.0, StatusCode::CONFLICT);

    // the password alone is not enough, and the error says what is missing
    let (s, body) = token_with(&app, &app.base, "staff", PASSWORD, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "totp_required");
    assert!(body["error"]["message"].as_str().expect("message").contains("totp"), "{body}");
    // a wrong code is a failed sign-in
    let (s, body) = token_with(&app, &app.base, "staff", PASSWORD, Some(wrong)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "invalid_credentials");
    assert_eq!(app.scalar("SELECT failed_logins FROM users WHERE username = 'staff'").await, 1);
    // the code that confirmed the enrolment was used up; the next step's is good once
    let used = app_code(&secret, t0);
    let (s, _) = token_with(&app, &app.base, "staff", PASSWORD, Some(&used)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a code is good once");
    let next = app_code(&secret, t0 + 30);
    let (s, body) = token_with(&app, &app.base, "staff", PASSWORD, Some(&next)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(token_with(&app, &app.base, "staff", PASSWORD, Some(&next)).await.0, StatusCode::UNAUTHORIZED);
    // a recovery code works once, typed loosely
    let loose = codes[0].to_uppercase().replace('-', " ");
    let (s, body) = token_with(&app, &app.base, "staff", PASSWORD, Some(&loose)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(token_with(&app, &app.base, "staff", PASSWORD, Some(&codes[0])).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(&t, "/api/v1/me/totp").await.1["recovery_codes_left"], 9);
    // a right code with a wrong password is still a wrong password
    let (s, _) = token_with(&app, &app.base, "staff", "Wrong#Pass2026", Some(&codes[1])).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // turning it off takes the password
    let (s, body) = app.post(&t, "/api/v1/me/totp/disable", json!({"password": "nope"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, _) = app.post(&t, "/api/v1/me/totp/disable", json!({"password": PASSWORD})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(token_with(&app, &app.base, "staff", PASSWORD, None).await.0, StatusCode::OK);
    let n = app
        .scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('totp_enabled', 'totp_disabled', 'recovery_code_used')",
        )
        .await;
    assert_eq!(n, 3, "enrolment, recovery and turning off are audited");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM recovery_codes").await, 0);
    // the secret is stored sealed, never as the base32 the app was given
    let plain = app
        .scalar(&format!("SELECT COUNT(*) FROM users WHERE totp_secret = '{secret}' OR totp_pending = '{secret}'"))
        .await;
    assert_eq!(plain, 0);
});

fn value_of(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).map(|i| i + marker.len()).expect("field present");
    html[start..].split('"').next().unwrap_or("").to_string()
}

fn text_of(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = html.find(&marker).map(|i| i + marker.len()).unwrap_or_else(|| panic!("#{id} in {html}"));
    html[start..].split('<').next().unwrap_or("").to_string()
}

fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// Signs in on the login page; returns where it redirects (or the status's page).
async fn page_sign_in(app: &TestApp, c: &Client, username: &str, password: &str, totp: &str) -> (StatusCode, String) {
    let html = c.get(app.url("/login")).send().await.expect("send").text().await.expect("text");
    let csrf = value_of(&html, "csrf");
    let r = c
        .post(app.url("/login"))
        .form(&[("username", username), ("password", password), ("totp", totp), ("csrf", &csrf), ("next", "/")])
        .send()
        .await
        .expect("send");
    let s = r.status();
    let to = r.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_string);
    (s, to.unwrap_or_default())
}

async fn location(c: &Client, url: String) -> (StatusCode, String) {
    let r = c.get(url).send().await.expect("send");
    let s = r.status();
    (s, r.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_string())
}

both!(a_role_can_be_required_to_use_the_second_factor, |app: TestApp| async move {
    let admin = app.token("admin").await;
    let staff = app.token("staff").await;
    // off by default; only an administrator turns it on
    assert_eq!(app.get(&admin, "/api/v1/settings/totp-roles").await.1["roles"], json!([]));
    let (s, _) =
        app.call(&staff, Method::PUT, "/api/v1/settings/totp-roles", Some(json!({"roles": ["town_staff"]}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = app
        .call(&admin, Method::PUT, "/api/v1/settings/totp-roles", Some(json!({"roles": ["admin", "town_staff"]})))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // the API says what to do
    let (s, body) = token_with(&app, &app.base, "staff", PASSWORD, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "totp_required");
    // other roles go on as before
    assert_eq!(token_with(&app, &app.base, "leader_a", PASSWORD, None).await.0, StatusCode::OK);

    // in the browser the session opens only the enrolment page
    let c = browser();
    let (s, to) = page_sign_in(&app, &c, "staff", PASSWORD, "").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    assert_eq!(location(&c, app.url("/")).await, (StatusCode::SEE_OTHER, "/account/totp".into()));
    assert_eq!(location(&c, app.url("/volunteers")).await.1, "/account/totp");
    let r = c.get(app.url("/api/v1/me")).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "such a session calls no API");
    let html = c.get(app.url("/account/totp")).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("<svg"), "the QR code is drawn as SVG");
    let secret = text_of(&html, "totp-secret");
    let csrf = value_of(&html, "csrf");
    let t0 = now();
    let r = c
        .post(app.url("/account/totp"))
        .form(&[("csrf", csrf.as_str()), ("action", "confirm"), ("totp", &app_code(&secret, t0))])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("text");
    assert!(html.contains("id=\"recovery-codes\""), "{html}");
    // now the whole site opens
    let r = c.get(app.url("/")).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(c.get(app.url("/api/v1/me")).send().await.expect("send").status(), StatusCode::OK);
    // and it cannot be turned off while the role requires it
    let t = token_with(&app, &app.base, "staff", PASSWORD, Some(&app_code(&secret, t0 + 30))).await.1["token"]
        .as_str()
        .expect("token")
        .to_string();
    let (s, _) = app.post(&t, "/api/v1/me/totp/disable", json!({"password": PASSWORD})).await;
    assert_eq!(s, StatusCode::CONFLICT);
});

both!(staff_hand_out_temporary_passwords_that_must_be_changed, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let (s, body) = app
        .post(&staff, "/api/v1/accounts", json!({"username": "clerk1", "role": "team_leader", "region_id": app.town.village_a, "display_name": "王文书"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let temp = body["temporary_password"].as_str().expect("temporary").to_string();
    // town staff cannot make administrators, nor accounts outside their town
    let (s, _) = app.post(&staff, "/api/v1/accounts", json!({"username": "boss", "role": "admin"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = app
        .post(
            &staff,
            "/api/v1/accounts",
            json!({"username": "far", "role": "volunteer", "region_id": app.town.other_village}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // the API refuses the temporary password until it is changed in the browser
    let (s, body) = token_with(&app, &app.base, "clerk1", &temp, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "password_change_required");
    let c = browser();
    assert_eq!(page_sign_in(&app, &c, "clerk1", &temp, "").await.0, StatusCode::SEE_OTHER);
    assert_eq!(location(&c, app.url("/activities")).await.1, "/account/password");
    let html = c.get(app.url("/account/password")).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("id=\"forced\""));
    let csrf = value_of(&html, "csrf");
    // the same password again, or a weak one, is refused
    for weak in [temp.as_str(), "password"] {
        let r = c
            .post(app.url("/account/password"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("current_password", &temp),
                ("new_password", weak),
                ("confirm_password", weak),
            ])
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{weak}");
    }
    let r = c
        .post(app.url("/account/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", &temp),
            ("new_password", "Clerk#Own2026"),
            ("confirm_password", "Clerk#Own2026"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(c.get(app.url("/activities")).send().await.expect("send").status(), StatusCode::OK);
    assert_eq!(token_with(&app, &app.base, "clerk1", "Clerk#Own2026", None).await.0, StatusCode::OK);
    assert_eq!(token_with(&app, &app.base, "clerk1", &temp, None).await.0, StatusCode::UNAUTHORIZED);

    // a reset ends the account's sessions and forces a change again
    let leader = app.token("leader_a").await;
    let leader_id = app.scalar("SELECT id FROM users WHERE username = 'leader_a'").await;
    let (s, body) = app.post(&staff, &format!("/api/v1/accounts/{leader_id}/password-reset"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(app.get(&leader, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let temp = body["temporary_password"].as_str().expect("temporary");
    assert_eq!(
        token_with(&app, &app.base, "leader_a", temp, None).await.1["error"]["code"],
        "password_change_required"
    );
    // only within scope: another town's staff do not see the account, town staff cannot touch an admin
    let other = app.token("other_staff").await;
    assert_eq!(
        app.post(&other, &format!("/api/v1/accounts/{leader_id}/password-reset"), json!({})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(&other, Method::DELETE, &format!("/api/v1/accounts/{leader_id}/sessions"), None).await.0,
        StatusCode::NOT_FOUND
    );
    let admin_id = app.scalar("SELECT id FROM users WHERE username = 'admin'").await;
    let (s, _) = app.post(&staff, &format!("/api/v1/accounts/{admin_id}/password-reset"), json!({})).await;
    assert!(s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND, "{s}");
    let (_, list) = app.get(&other, "/api/v1/accounts").await;
    assert!(list.as_array().expect("list").iter().all(|a| a["username"] != "leader_a"), "{list}");
    let volunteer_side = app.token("grid_a").await;
    assert_eq!(app.get(&volunteer_side, "/api/v1/accounts").await.0, StatusCode::FORBIDDEN);
    // staff end another account's sessions
    let clerk =
        token_with(&app, &app.base, "clerk1", "Clerk#Own2026", None).await.1["token"].as_str().expect("t").to_string();
    let clerk_id = app.scalar("SELECT id FROM users WHERE username = 'clerk1'").await;
    let (s, body) = app.call(&staff, Method::DELETE, &format!("/api/v1/accounts/{clerk_id}/sessions"), None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body["ended"].as_i64().expect("ended") >= 1);
    assert_eq!(app.get(&clerk, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    for action in ["account_created", "password_reset", "password_changed", "sessions_ended"] {
        let n = app.scalar(&format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'")).await;
        assert!(n >= 1, "{action} is audited");
    }
});

both!(one_sees_and_ends_ones_own_sessions_and_changes_the_password, |app: TestApp| async move {
    let second = app.second_server().await;
    let a = app.token("staff").await;
    let b = app.token("staff").await;
    let (s, list) = app.get(&a, "/api/v1/me/sessions").await;
    assert_eq!(s, StatusCode::OK);
    let list = list.as_array().expect("list").clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    let other = list.iter().find(|s| s["current"] == false).expect("the other")["id"].as_str().expect("id").to_string();
    // the other server knows b
    let r = app.client.get(format!("{second}/api/v1/me")).bearer_auth(&b).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.call(&a, Method::DELETE, &format!("/api/v1/me/sessions/{other}"), None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get(&b, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.call(&a, Method::DELETE, "/api/v1/me/sessions/0000000000000000", None).await.0,
        StatusCode::NOT_FOUND
    );
    // someone else's session is not one's own to end
    let admin = app.token("admin").await;
    let (_, mine) = app.get(&admin, "/api/v1/me/sessions").await;
    let admin_session = mine[0]["id"].as_str().expect("id").to_string();
    assert_eq!(
        app.call(&a, Method::DELETE, &format!("/api/v1/me/sessions/{admin_session}"), None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&admin, "/api/v1/me").await.0, StatusCode::OK);

    // a password change ends every session and hands back a new token
    let c = app.token("staff").await;
    let (s, body) = app
        .call(
            &a,
            Method::PUT,
            "/api/v1/me/password",
            Some(json!({"current_password": "nope", "new_password": "Zhang#New2026"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["current_password"].is_string());
    let (s, body) = app
        .call(
            &a,
            Method::PUT,
            "/api/v1/me/password",
            Some(json!({"current_password": PASSWORD, "new_password": "Zhang#New2026"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let fresh = body["token"].as_str().expect("token").to_string();
    assert_eq!(app.get(&a, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(&c, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(&fresh, "/api/v1/me").await.0, StatusCode::OK);
    assert_eq!(token_with(&app, &app.base, "staff", "Zhang#New2026", None).await.0, StatusCode::OK);
});

both!(sign_in_is_limited_per_client_address_across_servers, |app: TestApp| async move {
    let second = app.second_server().await;
    // twenty guesses at names that do not exist (no account locks), spread over two servers
    for i in 0..20 {
        let base = if i % 2 == 0 { &app.base } else { &second };
        let (s, body) = token_with(&app, base, &format!("nobody{i}"), "Guess#2026xx", None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{i}: {body}");
    }
    // now even the right password of another account is refused from this address, on both servers
    for base in [&app.base, &second] {
        let (s, body) = token_with(&app, base, "admin", PASSWORD, None).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(body["error"]["code"], "too_many_attempts");
    }
    let html = app.client.get(app.url("/login")).send().await.expect("send").text().await.expect("text");
    let csrf = value_of(&html, "csrf");
    let r = app
        .client
        .post(app.url("/login"))
        .form(&[("username", "admin"), ("password", PASSWORD), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "the login page too");
    // the address is kept only as a keyed hash
    assert_eq!(app.scalar("SELECT COUNT(*) FROM login_failures WHERE client_hash LIKE '%127.0.0.1%'").await, 0);
    // after the window the address may try again
    app.exec("UPDATE login_failures SET at = '2000-01-01T00:00:00+00:00'").await;
    assert_eq!(token_with(&app, &app.base, "admin", PASSWORD, None).await.0, StatusCode::OK);
});

both!(the_accounts_list_pages_and_searches_at_county_scale, |app: TestApp| async move {
    // seventy volunteers' accounts in one village: more than a page, and the
    // list used to stop silently at its first 500
    let hash = crate::common::password_hash();
    for n in 1..=70 {
        app.exec(&format!(
            "INSERT INTO users (username, password_hash, role, region_id, display_name, created_at)
             VALUES ('vol{n:03}', '{hash}', 'volunteer', {}, '村民{n:03}', '2026-01-01T00:00:00Z')",
            app.town.village_a
        ))
        .await;
    }
    let staff = app.token("staff").await;
    let r = app.client.get(app.url("/api/v1/accounts?q=vol&limit=20&offset=60")).bearer_auth(&staff).send().await;
    let r = r.expect("send");
    assert_eq!(r.headers().get("x-total-count").and_then(|v| v.to_str().ok()), Some("70"));
    let page: Value = r.json().await.expect("json");
    let names: Vec<&str> = page.as_array().expect("list").iter().filter_map(|a| a["username"].as_str()).collect();
    assert_eq!(names, (61..=70).map(|n| format!("vol{n:03}")).collect::<Vec<_>>());
    // by the person's name, and by role
    let (_, found) = app.get(&staff, "/api/v1/accounts?q=%E6%9D%91%E6%B0%91007").await;
    assert_eq!(found.as_array().expect("list").len(), 1, "{found}");
    assert_eq!(found[0]["display_name"], "村民007");
    let (_, leaders) = app.get(&staff, "/api/v1/accounts?role=team_leader").await;
    assert!(!leaders.as_array().expect("list").is_empty());
    assert!(leaders.as_array().expect("list").iter().all(|a| a["role"] == "team_leader"), "{leaders}");
    let (s, body) = app.get(&staff, "/api/v1/accounts?role=mayor").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["role"].is_string(), "{body}");
    // another town's staff see none of them
    let other = app.token("other_staff").await;
    let (_, theirs) = app.get(&other, "/api/v1/accounts?q=vol").await;
    assert_eq!(theirs, json!([]));

    // the page: thirty a page, a next link, the search kept in it
    crate::pages::sign_in(&app, "staff").await;
    let first = app.page("/accounts?q=vol").await;
    assert_eq!(first.matches("<b>村民0").count(), 30, "a page holds thirty");
    assert!(first.contains("共 70 个账号，第 1 页"), "{first}");
    assert!(first.contains("role=&#38;page=2\" rel=\"next\""), "{first}");
    let last = app.page("/accounts?q=vol&role=volunteer&page=3").await;
    assert_eq!(last.matches("<b>村民0").count(), 10);
    assert!(last.contains("村民070") && !last.contains("rel=\"next\""), "{last}");
    let none = app.page("/accounts?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E4%BA%BA").await;
    assert!(none.contains("没有符合条件的账号"), "{none}");
});
