//! Pages over HTTP: language, sign-in, CSRF, field errors in place and weight.

use crate::both;
use crate::common::{id_number, TestApp, PASSWORD};
use reqwest::StatusCode;

/// Signs in through the login form like a browser; returns the session's CSRF token.
pub async fn sign_in(app: &TestApp, username: &str) -> String {
    let html = app.client.get(app.url("/login")).send().await.expect("send").text().await.expect("text");
    let csrf = value_of(&html, "csrf");
    let r = app
        .client
        .post(app.url("/login"))
        .form(&[("username", username), ("password", PASSWORD), ("csrf", &csrf), ("next", "/")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login redirects");
    // volunteers land on their own page
    let r = app.client.get(app.url("/")).send().await.expect("send");
    let r = match r.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_string) {
        Some(to) => app.client.get(app.url(&to)).send().await.expect("send"),
        None => r,
    };
    value_of(&r.text().await.expect("text"), "csrf")
}

fn value_of(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).map(|i| i + marker.len()).expect("field present");
    html[start..].split('"').next().unwrap_or("").to_string()
}

both!(pages_need_a_session_and_speak_chinese_first, |app: TestApp| async move {
    let r = app.client.get(app.url("/volunteers")).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?next=/volunteers");
    let html = app.client.get(app.url("/login")).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("lang=\"zh-CN\"") && html.contains("用户名"));
    let html = app
        .client
        .get(app.url("/login"))
        .header("accept-language", "en-US")
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert!(html.contains("User name"));
    sign_in(&app, "staff").await;
    let r = app.client.get(app.url("/lang/en?next=/volunteers")).send().await.expect("send");
    assert_eq!(r.headers()["location"], "/volunteers");
    let html = app.client.get(app.url("/volunteers")).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("Volunteer roster"), "the English switch sticks");
    let r = app.client.get(app.url("/lang/zh?next=//evil.example")).send().await.expect("send");
    assert_eq!(r.headers()["location"], "/", "no open redirect");
});

both!(a_wrong_password_on_the_form_says_so, |app: TestApp| async move {
    let html = app.client.get(app.url("/login")).send().await.expect("send").text().await.expect("text");
    let csrf = value_of(&html, "csrf");
    let r = app
        .client
        .post(app.url("/login"))
        .form(&[("username", "staff"), ("password", "nope"), ("csrf", &csrf)])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.expect("text").contains("用户名或密码错误"));
    let r = app
        .client
        .post(app.url("/login"))
        .form(&[("username", "staff"), ("password", PASSWORD), ("csrf", "forged")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "login CSRF");
});

both!(forms_refuse_a_missing_csrf_token, |app: TestApp| async move {
    sign_in(&app, "staff").await;
    let r = app
        .client
        .post(app.url("/volunteers/new"))
        .form(&[("name", "张三"), ("id_number", &id_number("19800101", 71)), ("phone", "13800000071")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM volunteers").await, 0);
    // the API with the session cookie also wants the token, in a header
    let r = app
        .client
        .post(app.url("/api/v1/volunteers"))
        .json(&serde_json::json!({"name": "x"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
});

both!(the_volunteer_form_shows_errors_in_place_and_keeps_input, |app: TestApp| async move {
    let csrf = sign_in(&app, "staff").await;
    let village = app.town.village_a.to_string();
    let mut wrong = id_number("19800101", 71);
    let last = wrong.pop().expect("check char");
    wrong.push(if last == '3' { '4' } else { '3' });
    let r = app
        .client
        .post(app.url("/volunteers/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "张三"),
            ("id_number", &wrong),
            ("phone", "13800000071"),
            ("region_id", &village),
            ("skills", "driving"),
            ("skills", "medical"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("text");
    assert!(html.contains("身份证号校验位不正确"), "the error sits by the field");
    assert!(html.contains("value=\"张三\""), "typed values are kept");
    assert!(html.contains("value=\"driving\" checked") && html.contains("value=\"medical\" checked"));
    let r = app
        .client
        .post(app.url("/volunteers/new"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "张三"),
            ("id_number", &id_number("19800101", 71)),
            ("phone", "13800000071"),
            ("region_id", &village),
            ("skills", "driving"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().expect("location").to_string();
    let html = app.client.get(app.url(&location)).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("张三") && html.contains(&id_number("19800101", 71)), "staff see the full profile");
});

both!(every_page_stays_under_100_kb, |app: TestApp| async move {
    let staff = app.token("staff").await;
    for i in 0..25 {
        app.volunteer(&staff, &format!("志愿者{i}"), app.town.village_a, 200 + i, &["driving", "medical", "farming"])
            .await;
    }
    sign_in(&app, "staff").await;
    let css = app.client.get(app.url("/static/app.css")).send().await.expect("send").bytes().await.expect("b").len();
    let js = app.client.get(app.url("/static/app.js")).send().await.expect("send").bytes().await.expect("b").len();
    for path in [
        "/",
        "/volunteers",
        "/volunteers/new",
        "/volunteers/1",
        "/volunteers/1/edit",
        "/teams",
        &format!("/teams/{}", app.town.team_a),
        "/regions",
        "/coverage",
    ] {
        let r = app.client.get(app.url(path)).send().await.expect("send");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let html = r.bytes().await.expect("b").len();
        assert!(html + css + js <= 100 * 1024, "{path}: {html} + {css} + {js} bytes");
    }
});

both!(an_idle_browser_is_signed_out, |app: TestApp| async move {
    sign_in(&app, "staff").await;
    assert_eq!(app.client.get(app.url("/volunteers")).send().await.expect("send").status(), StatusCode::OK);
    // half an hour without a request ends a browser session
    let idle = match app.db.pool {
        laobing::store::Pool::Sqlite(_) => {
            "UPDATE sessions SET last_seen_at = datetime('now', '-31 minutes') || '+00:00'"
        }
        laobing::store::Pool::Postgres(_) => "UPDATE sessions SET last_seen_at = now() - interval '31 minutes'",
    };
    app.exec(idle).await;
    app.sync_sessions().await;
    let r = app.client.get(app.url("/volunteers")).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()["location"].to_str().expect("location").starts_with("/login"));
});

both!(staff_edit_a_profile_through_the_form, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "改资料", app.town.village_a, 81, &["farming"]).await;
    let csrf = sign_in(&app, "staff").await;
    let edit = format!("/volunteers/{}/edit", v["id"]);
    let html = app.client.get(app.url(&edit)).send().await.expect("send").text().await.expect("text");
    assert!(html.contains(v["id_number"].as_str().expect("id")), "the form holds the full ID number");
    let village = app.town.village_b.to_string();
    let r = app
        .client
        .post(app.url(&edit))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "改资料"),
            ("id_number", v["id_number"].as_str().expect("id")),
            ("phone", "13911110081"),
            ("region_id", &village),
            ("skills", "electrician"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, after) = app.get(&staff, &format!("/api/v1/volunteers/{}", v["id"])).await;
    assert_eq!(after["phone"], "13911110081");
    assert_eq!(after["region_id"], app.town.village_b);
    assert_eq!(after["skills"], serde_json::json!(["electrician"]));
    assert_eq!(after["volunteer_no"], v["volunteer_no"]);
});

both!(the_shop_and_rules_work_from_the_pages, |app: TestApp| async move {
    use laobing::domain::account::Role;
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "逛超市", app.town.village_a, 991, &[]).await;
    app.post(
        &staff,
        "/api/v1/points/adjustments",
        serde_json::json!({"volunteer_id": v["id"], "points": 100, "reason": "表彰"}),
    )
    .await;
    let (_, reward) = app
        .post(
            &staff,
            "/api/v1/rewards",
            serde_json::json!({"name": "洗衣粉", "points": 40, "stock": 3, "region_id": app.town.town}),
        )
        .await;
    app.account_for("shopper", Role::Volunteer, app.town.village_a, v["id"].as_i64().expect("id")).await;
    let csrf = sign_in(&app, "shopper").await;
    let rid = reward["id"].to_string();
    let r = app
        .client
        .post(app.url("/shop"))
        .form(&[("csrf", csrf.as_str()), ("action", "redeem"), ("reward_id", rid.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("text");
    assert!(html.contains("兑换成功") && html.contains(">60<"), "balance shown after redeeming");
    assert!(html.contains("请凭兑换单号 DH") && html.contains("class=\"alert ok\""), "where to collect it, in green");
    let r = app
        .client
        .post(app.url("/shop"))
        .form(&[("csrf", csrf.as_str()), ("action", "redeem"), ("reward_id", rid.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .client
        .post(app.url("/shop"))
        .form(&[("csrf", csrf.as_str()), ("action", "redeem"), ("reward_id", rid.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.expect("text");
    assert!(html.contains("积分不足"), "20 points left cannot buy a 40-point reward");
    assert!(
        html.contains("<p class=\"alert\" role=\"alert\" id=\"shop-message\">"),
        "a refusal is shown as an error, not in the success style"
    );

    let csrf = sign_in(&app, "staff").await;
    let town = app.town.town.to_string();
    let mut form = vec![
        ("csrf", csrf.clone()),
        ("region_id", town.clone()),
        ("star1", "100".into()),
        ("star2", "50".into()),
        ("star3", "600".into()),
        ("star4", "1000".into()),
        ("star5", "1500".into()),
    ];
    for (k, v) in [
        ("per_hour", "10"),
        ("bonus", "5"),
        ("cap", "0"),
        ("no_show_limit", "3"),
        ("no_show_window", "90"),
        ("no_show_block", "30"),
        ("full_hours", "60"),
        ("hours_weight", "0.5"),
        ("rating_weight", "0.25"),
        ("evaluation_weight", "0.25"),
        ("no_show_penalty", "0.1"),
        ("excellent_at", "0.85"),
        ("pass_at", "0.6"),
    ] {
        form.push((k, v.to_string()));
    }
    let r = app.client.post(app.url("/rules")).form(&form).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("text").contains("星级时长应为递增的正数"));
    form[3] = ("star2", "300".into());
    let r = app.client.post(app.url("/rules")).form(&form).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM rule_versions").await, 1);

    // the page shows, and saving keeps, the need deadlines and the check-in distance
    let html = app.page("/rules").await;
    assert!(html.contains("走访慰问 = 3") && html.contains("其余类别 = 7"), "the deadlines are shown by category name");
    assert!(html.contains("name=\"checkin_radius_m\" value=\"500\""), "the check-in distance is shown");
    form.push(("need_deadlines", "走访慰问 = 2\n其余类别 = 5\n应急救援 = 0".into()));
    form.push(("checkin_radius_m", "20".into()));
    let r = app.client.post(app.url("/rules")).form(&form).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("text").contains("扫码签到距离应为50到5000米"), "a distance too small is named");
    let last = form.len() - 1;
    form[last] = ("checkin_radius_m", "800".into());
    let r = app.client.post(app.url("/rules")).form(&form).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("text");
    assert!(html.contains("走访慰问 = 2") && html.contains("其余类别 = 5"), "the changed deadlines are kept");
    assert!(html.contains("name=\"checkin_radius_m\" value=\"800\""), "the changed distance is kept");
});

both!(the_volunteer_form_puts_a_veteran_in_a_grid_of_their_village, |app: TestApp| async move {
    let csrf = sign_in(&app, "staff").await;
    let (village_a, village_b, grid) =
        (app.town.village_a.to_string(), app.town.village_b.to_string(), app.town.grid_a.to_string());
    let html = app.page("/volunteers/new").await;
    assert!(html.contains("name=\"grid_id\"") && html.contains(&format!("value=\"{grid}\"")), "the grids are offered");
    let post = |seq: u32, village: String| {
        let (client, url, csrf, grid) = (app.client.clone(), app.url("/volunteers/new"), csrf.clone(), grid.clone());
        async move {
            client
                .post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("name", "网格老兵"),
                    ("id_number", &id_number("19750101", seq)),
                    ("phone", &format!("138000{seq:05}")),
                    ("region_id", &village),
                    ("grid_id", &grid),
                ])
                .send()
                .await
                .expect("send")
        }
    };
    let r = post(91, village_b).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "another village's grid");
    let html = r.text().await.expect("text");
    assert!(html.contains("应为该志愿者所在村(社区)下的网格"), "the error sits by the field");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM volunteers").await, 0, "nothing stored");
    let r = post(92, village_a).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id: i64 =
        r.headers()["location"].to_str().expect("location").trim_start_matches("/volunteers/").parse().expect("id");
    assert_eq!(app.scalar(&format!("SELECT grid_id FROM volunteers WHERE id = {id}")).await, app.town.grid_a);
    let html = app.page(&format!("/volunteers/{id}/edit")).await;
    assert!(html.contains(&format!("value=\"{grid}\" selected")), "the edit form shows the grid");
});
