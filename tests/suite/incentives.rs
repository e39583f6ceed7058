//! Points, the rewards shop, evaluations, assessments, leaderboards, no-shows.

use crate::both;
use crate::common::{hours_from_now, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn points_of(app: &TestApp, token: &str, id: &Value) -> Value {
    app.get(token, &format!("/api/v1/volunteers/{id}/points")).await.1
}

fn ledger_sum(p: &Value) -> i64 {
    p["entries"].as_array().expect("entries").iter().filter_map(|e| e["points"].as_i64()).sum()
}

both!(eight_redemptions_against_stock_three_give_three, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "兑换人", app.town.village_a, 901, &[]).await;
    let (s, _) = app
        .post(
            &staff,
            "/api/v1/points/adjustments",
            json!({"volunteer_id": v["id"], "points": 1000, "reason": "年度表彰"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, reward) = app
        .post(
            &staff,
            "/api/v1/rewards",
            json!({"name": "食用油一桶", "points": 50, "stock": 3, "region_id": app.town.town}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{reward}");
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (client, url, token) = (app.client.clone(), app.url("/api/v1/redemptions"), staff.clone());
        let body = json!({"volunteer_id": v["id"], "reward_id": reward["id"], "quantity": 1});
        tasks.push(tokio::spawn(async move {
            client.post(url).bearer_auth(token).json(&body).send().await.expect("send").status()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.expect("join") {
            StatusCode::CREATED => ok += 1,
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, 3);
    let (_, r) = app.get(&staff, &format!("/api/v1/rewards/{}", reward["id"])).await;
    assert_eq!(r["stock"], 0);
    let p = points_of(&app, &staff, &v["id"]).await;
    assert_eq!(p["balance"], 850);
    assert_eq!(ledger_sum(&p), 850, "the balance equals the ledger's sum");
    let (_, rec) = app.get(&staff, &format!("/api/v1/rewards/{}/reconciliation", reward["id"])).await;
    assert_eq!(
        (rec["stocked"].as_i64(), rec["redeemed"].as_i64(), rec["balanced"].as_bool()),
        (Some(3), Some(3), Some(true))
    );
    let (s, e) = app
        .post(&staff, "/api/v1/redemptions", json!({"volunteer_id": v["id"], "reward_id": reward["id"], "quantity": 1}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "out_of_stock");
});

both!(parallel_redemptions_never_overspend_points, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "少积分", app.town.village_a, 903, &[]).await;
    app.post(&staff, "/api/v1/points/adjustments", json!({"volunteer_id": v["id"], "points": 120, "reason": "表彰"}))
        .await;
    let (_, reward) = app
        .post(
            &staff,
            "/api/v1/rewards",
            json!({"name": "大米十斤", "points": 50, "stock": 100, "region_id": app.town.town}),
        )
        .await;
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (client, url, token) = (app.client.clone(), app.url("/api/v1/redemptions"), staff.clone());
        let body = json!({"volunteer_id": v["id"], "reward_id": reward["id"], "quantity": 1});
        tasks.push(tokio::spawn(async move {
            client.post(url).bearer_auth(token).json(&body).send().await.expect("send").status()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.expect("join") == StatusCode::CREATED {
            ok += 1;
        }
    }
    assert_eq!(ok, 2, "120 points buy two at 50");
    let p = points_of(&app, &staff, &v["id"]).await;
    assert_eq!(p["balance"], 20);
    assert_eq!(ledger_sum(&p), 20);
    let (_, r) = app.get(&staff, &format!("/api/v1/rewards/{}", reward["id"])).await;
    assert_eq!(r["stock"], 98);
});

both!(adjustments_are_audited_and_checked, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "调整", app.town.village_a, 905, &[]).await;
    let (s, e) = app
        .post(&staff, "/api/v1/points/adjustments", json!({"volunteer_id": v["id"], "points": -5, "reason": "扣减"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "never below zero: {e}");
    let (s, e) = app.post(&staff, "/api/v1/points/adjustments", json!({"volunteer_id": v["id"], "points": 0})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["reason"].is_string() && e["error"]["fields"]["points"].is_string());
    let (s, a) = app
        .post(
            &staff,
            "/api/v1/points/adjustments",
            json!({"volunteer_id": v["id"], "points": 30, "reason": "抗洪表彰"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(a["balance"], 30);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'adjust_points'").await, 1);
    let leader = app.token("leader_a").await;
    assert_eq!(
        app.post(&leader, "/api/v1/points/adjustments", json!({"volunteer_id": v["id"], "points": 30, "reason": "x"}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (_, hrs) = app.get(&staff, &format!("/api/v1/volunteers/{}", v["id"])).await;
    assert_eq!(hrs["service_hours"], 0.0, "points are not hours");
});

both!(a_rule_change_applies_from_its_date_and_rewrites_nothing, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "规则", app.town.village_a, 907, &[]).await;
    let old =
        app.activity(&staff, "旧规则活动", &hours_from_now(-24 * 5), &hours_from_now(-24 * 5 + 2), 5, "other").await;
    app.post(
        &staff,
        &format!("/api/v1/activities/{}/attendance", old["id"]),
        json!({"volunteer_id": v["id"], "check_in": hours_from_now(-24 * 5), "check_out": hours_from_now(-24 * 5 + 2)}),
    )
    .await;
    assert_eq!(points_of(&app, &staff, &v["id"]).await["balance"], 20, "10 a hour by default");
    let mut rules = app.get(&staff, &format!("/api/v1/regions/{}/rules", app.town.town)).await.1;
    rules["earning"]["per_hour"] = json!(30.0);
    rules["effective_from"] = json!((chrono::Utc::now() + chrono::Duration::hours(8) - chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string());
    let (s, _) = app.call(&staff, Method::PUT, &format!("/api/v1/regions/{}/rules", app.town.town), Some(rules)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(points_of(&app, &staff, &v["id"]).await["balance"], 20, "points already earned stay as they were");
    let new = app.activity(&staff, "新规则活动", &hours_from_now(-24), &hours_from_now(-22), 5, "other").await;
    app.post(
        &staff,
        &format!("/api/v1/activities/{}/attendance", new["id"]),
        json!({"volunteer_id": v["id"], "check_in": hours_from_now(-24), "check_out": hours_from_now(-22)}),
    )
    .await;
    assert_eq!(points_of(&app, &staff, &v["id"]).await["balance"], 80, "the new rule from its date: +60");
    // a service from before the change, entered now, still earns under the old rule
    let older =
        app.activity(&staff, "补录旧活动", &hours_from_now(-24 * 4), &hours_from_now(-24 * 4 + 1), 5, "other").await;
    app.post(
        &staff,
        &format!("/api/v1/activities/{}/attendance", older["id"]),
        json!({"volunteer_id": v["id"], "check_in": hours_from_now(-24 * 4), "check_out": hours_from_now(-24 * 4 + 1)}),
    )
    .await;
    assert_eq!(points_of(&app, &staff, &v["id"]).await["balance"], 90);
});

both!(evaluations_feed_the_assessment_and_rankings, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let busy = app.volunteer(&staff, "勤快", app.town.village_a, 911, &[]).await;
    let idle = app.volunteer(&staff, "偷懒", app.town.village_b, 913, &[]).await;
    app.post(&staff, &format!("/api/v1/teams/{}/members", app.town.team_a), json!({"volunteer_id": busy["id"]})).await;
    app.post(&staff, &format!("/api/v1/teams/{}/members", app.town.team_b), json!({"volunteer_id": idle["id"]})).await;
    // one record per volunteer per activity: two activities make two records
    for (from, to) in [(-30, -18), (-17, -6)] {
        let a =
            app.activity(&staff, "长时服务", &hours_from_now(from), &hours_from_now(to), 5, "emergency_rescue").await;
        let (s, r) = app
            .post(
                &staff,
                &format!("/api/v1/activities/{}/attendance", a["id"]),
                json!({"volunteer_id": busy["id"], "check_in": hours_from_now(from), "check_out": hours_from_now(to)}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
    }
    let year = (chrono::Utc::now() + chrono::Duration::hours(8)).format("%Y").to_string();
    let (s, e) = app
        .post(
            &staff,
            &format!("/api/v1/volunteers/{}/evaluations", busy["id"]),
            json!({"period": year, "score": 5, "comment": "抢险表现突出"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let (s, e) = app
        .post(&staff, &format!("/api/v1/volunteers/{}/evaluations", idle["id"]), json!({"period": year, "score": 9}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["score"].is_string());
    app.post(&staff, &format!("/api/v1/volunteers/{}/evaluations", idle["id"]), json!({"period": year, "score": 2}))
        .await;
    let (s, a) = app.get(&staff, &format!("/api/v1/assessments?year={year}")).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let find = |id: &Value| {
        a["volunteers"].as_array().expect("array").iter().find(|x| x["volunteer_id"] == *id).cloned().expect("assessed")
    };
    let (b, i) = (find(&busy["id"]), find(&idle["id"]));
    assert_eq!(b["hours"], 23.0);
    assert!(b["score"].as_f64() > i["score"].as_f64());
    assert_eq!(i["grade"], "fail");
    assert!(i["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .any(|r| r.as_str().is_some_and(|r| r.contains("服务时长0.0小时"))));
    assert_eq!(a["villages"][0]["name"], "回车村", "the busier village ranks first");
    assert_eq!(a["teams"][0]["name"], "回车村服务小队");
    let (_, boards) = app.get(&staff, &format!("/api/v1/leaderboards?year={year}")).await;
    assert_eq!(boards["volunteers_by_hours"][0]["name"], "勤快");
    assert!(boards["volunteers_by_points"][0]["points"].as_i64().unwrap_or(0) > 230, "emergency hours earn the bonus");
    let (s, _) = app.get(&staff, "/api/v1/assessments?year=19").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
});

both!(repeated_no_shows_pause_sign_ups, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "爽约", app.town.village_a, 921, &[]).await;
    for i in 0..3 {
        let a =
            app.activity(&staff, &format!("未到{i}"), &hours_from_now(1 + i), &hours_from_now(2 + i), 5, "other").await;
        let (s, _) = app
            .post(&staff, &format!("/api/v1/activities/{}/signups", a["id"]), json!({"volunteer_id": v["id"]}))
            .await;
        assert_eq!(s, StatusCode::CREATED);
        // the activity happened without them and was closed
        app.exec(&format!("UPDATE activities SET status = 'closed' WHERE id = {}", a["id"])).await;
    }
    let next = app.activity(&staff, "下一次", &hours_from_now(30), &hours_from_now(31), 5, "other").await;
    let (s, e) =
        app.post(&staff, &format!("/api/v1/activities/{}/signups", next["id"]), json!({"volunteer_id": v["id"]})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["code"], "blocked_for_no_shows");
    let year = (chrono::Utc::now() + chrono::Duration::hours(8)).format("%Y").to_string();
    let (_, a) = app.get(&staff, &format!("/api/v1/assessments?year={year}")).await;
    let me = a["volunteers"]
        .as_array()
        .expect("array")
        .iter()
        .find(|x| x["volunteer_id"] == v["id"])
        .cloned()
        .expect("assessed");
    assert_eq!(me["no_shows"], 3);
});

both!(a_period_cut_inside_a_character_is_refused_not_dropped, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "考评期", app.town.village_a, 907, &[]).await;
    for period in ["20年", "2026年"] {
        let (s, e) = app
            .post(&staff, &format!("/api/v1/volunteers/{}/evaluations", v["id"]), json!({"period": period, "score": 4}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{period}: {e}");
        assert!(e["error"]["fields"]["period"].is_string(), "{e}");
    }
});
