//! The needs list: 点单 → 派单 → 接单 → 评单.

use crate::both;
use crate::common::{hours_from_now, TestApp};
use laobing::domain::account::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn need(app: &TestApp, token: &str, body: Value) -> Value {
    let (s, n) = app.post(token, "/api/v1/needs", body).await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    n
}

both!(a_need_goes_from_filing_to_rating, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let near = app.volunteer(&staff, "近的司机", app.town.village_a, 1001, &["driving"]).await;
    let far = app.volunteer(&staff, "远的司机", app.town.village_b, 1003, &["driving"]).await;
    app.patch(&staff, &format!("/api/v1/volunteers/{}", near["id"]), json!({"lat": 33.3701, "lon": 111.6401})).await;
    app.patch(&staff, &format!("/api/v1/volunteers/{}", far["id"]), json!({"lat": 33.30, "lon": 111.55})).await;
    app.volunteer(&staff, "不会开车", app.town.village_a, 1005, &["farming"]).await;
    let n = need(&app, &staff, json!({"title": "送孤寡老人就医", "category": "veteran_assistance", "region_id": app.town.village_a,
        "lat": 33.37, "lon": 111.64, "required_skills": ["driving"], "volunteers_needed": 1, "due_at": hours_from_now(48),
        "requester_name": "李大娘", "requester_phone": "13900001111"})).await;
    assert_eq!(n["status"], "submitted");
    assert_eq!(n["requester_phone"], "139****1111", "the list and the create answer mask the phone");
    let id = n["id"].clone();
    let (s, sugg) = app.get(&staff, &format!("/api/v1/needs/{id}/suggestions?limit=5")).await;
    assert_eq!(s, StatusCode::OK, "{sugg}");
    assert_eq!(sugg[0]["volunteer_id"], near["id"], "the nearest driver first");
    assert!(sugg[0]["distance_km"].as_f64().is_some_and(|d| d < 1.0));
    assert!(sugg[0]["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .any(|r| r.as_str().is_some_and(|r| r.contains("驾驶"))));
    let (s, _) = app.post(&staff, &format!("/api/v1/needs/{id}/rating"), json!({"stars": 5})).await;
    assert_eq!(s, StatusCode::CONFLICT, "rating a need that is not completed");
    let (s, d) = app
        .post(&staff, &format!("/api/v1/needs/{id}/dispatch"), json!({"volunteer_ids": [near["id"], far["id"]]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!((d["status"].as_str(), d["offered"].as_i64()), (Some("dispatched"), Some(2)));
    let (s, _) = app
        .post(&staff, &format!("/api/v1/needs/{id}/decline"), json!({"volunteer_id": far["id"], "reason": "外出打工"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, a) = app.post(&staff, &format!("/api/v1/needs/{id}/accept"), json!({"volunteer_id": near["id"]})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(a["status"], "accepted");
    let (s, _) = app.post(&staff, &format!("/api/v1/needs/{id}/accept"), json!({"volunteer_id": far["id"]})).await;
    assert_eq!(s, StatusCode::CONFLICT, "a full need takes no more");
    // who took it on may call the requester: the phone in full, audited, on the page as a call link
    app.account_for("near_driver", Role::Volunteer, app.town.village_a, near["id"].as_i64().expect("id")).await;
    app.account_for("far_driver", Role::Volunteer, app.town.village_b, far["id"].as_i64().expect("id")).await;
    let views = "SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal_data' AND detail = 'requester_phone'";
    let before = app.scalar(views).await;
    let (_, seen) = app.get(&app.token("near_driver").await, &format!("/api/v1/needs/{id}")).await;
    assert_eq!(seen["requester_phone"], "13900001111", "{seen}");
    assert_eq!(app.scalar(views).await, before + 1, "the unmasked view is audited");
    crate::pages::sign_in(&app, "near_driver").await;
    let html = app.client.get(app.url(&format!("/needs/{id}"))).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("href=\"tel:13900001111\""), "a tap-to-call link");
    let (_, declined) = app.get(&app.token("far_driver").await, &format!("/api/v1/needs/{id}")).await;
    assert_eq!(declined["requester_phone"], "139****1111", "who declined sees it masked");
    let (s, e) = app.post(&staff, &format!("/api/v1/needs/{id}/complete"), json!({"service": [{"volunteer_id": far["id"], "started_at": hours_from_now(-3), "ended_at": hours_from_now(-1)}]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "only who accepted served: {e}");
    let (s, c) = app
        .post(&staff, &format!("/api/v1/needs/{id}/complete"), json!({"service": [{"volunteer_id": near["id"], "started_at": hours_from_now(-3), "ended_at": hours_from_now(-1)}], "outcomes": {"beneficiaries": 1}}))
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["status"], "completed");
    assert!(c["completed_at"].is_string());
    let (_, done) = app.get(&app.token("near_driver").await, &format!("/api/v1/needs/{id}")).await;
    assert_eq!(done["requester_phone"], "139****1111", "once done, the phone is masked again");
    let (_, recs) = app.get(&staff, &format!("/api/v1/volunteers/{}/service-records", near["id"])).await;
    assert_eq!((recs[0]["source"].as_str(), recs[0]["hours"].as_f64()), (Some("need"), Some(2.0)));
    let (s, e) = app.post(&staff, &format!("/api/v1/needs/{id}/rating"), json!({"stars": 6})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["stars"].is_string());
    let (s, r) =
        app.post(&staff, &format!("/api/v1/needs/{id}/rating"), json!({"stars": 5, "comment": "准时周到"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((r["status"].as_str(), r["rating"].as_i64()), (Some("rated"), Some(5)));
    let (s, _) = app.post(&staff, &format!("/api/v1/needs/{id}/cancel"), json!({"reason": "x"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, full) = app.get(&staff, &format!("/api/v1/needs/{id}")).await;
    assert_eq!(full["requester_phone"], "13900001111", "staff in scope see it in full on the need's own GET");
});

both!(rejection_cancellation_and_bad_needs, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let (s, e) = app.post(&staff, "/api/v1/needs", json!({"title": "", "category": "karaoke", "region_id": app.town.village_a, "volunteers_needed": 0, "requester_phone": "123"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["title", "category", "volunteers_needed", "requester_phone"] {
        assert!(e["error"]["fields"][f].is_string(), "{f}: {e}");
    }
    let n = need(
        &app,
        &staff,
        json!({"title": "修路灯", "category": "social_governance", "region_id": app.town.village_a}),
    )
    .await;
    let (s, e) = app.post(&staff, &format!("/api/v1/needs/{}/reject", n["id"]), json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a rejection names its reason: {e}");
    let (s, r) =
        app.post(&staff, &format!("/api/v1/needs/{}/reject", n["id"]), json!({"reason": "属供电所职责"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((r["status"].as_str(), r["reason"].as_str()), (Some("rejected"), Some("属供电所职责")));
    let (s, _) = app.post(&staff, &format!("/api/v1/needs/{}/dispatch", n["id"]), json!({"volunteer_ids": [1]})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let flood = need(&app, &staff, json!({"title": "转移群众", "category": "flood_relief", "region_id": app.town.village_a, "volunteers_needed": 3})).await;
    let v = app.volunteer(&staff, "抢险", app.town.village_a, 1011, &["swimming"]).await;
    let (s, e) =
        app.post(&staff, &format!("/api/v1/needs/{}/dispatch", flood["id"]), json!({"volunteer_ids": [v["id"]]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "flood work needs insurance first: {e}");
    assert!(e["error"]["fields"]["insurance"].is_string());
    let (s, d) = app
        .post(
            &staff,
            &format!("/api/v1/needs/{}/dispatch", flood["id"]),
            json!({"volunteer_ids": [v["id"]], "insurance": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(d["insurance"], true);
    let (s, c) =
        app.post(&staff, &format!("/api/v1/needs/{}/cancel", flood["id"]), json!({"reason": "水位回落"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (c["status"].as_str(), c["offered"].as_i64()),
        (Some("cancelled"), Some(0)),
        "open offers are withdrawn"
    );
    let other = app.token("other_staff").await;
    assert_eq!(app.get(&other, &format!("/api/v1/needs/{}", n["id"])).await.0, StatusCode::FORBIDDEN);
});

both!(concurrent_acceptances_never_overfill_even_across_servers, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let n = need(&app, &staff, json!({"title": "搬运物资", "category": "emergency_rescue", "region_id": app.town.village_a, "volunteers_needed": 2})).await;
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(app.volunteer(&staff, &format!("搬运{i}"), app.town.village_a, 1100 + i, &[]).await["id"].clone());
    }
    let (s, _) = app
        .post(&staff, &format!("/api/v1/needs/{}/dispatch", n["id"]), json!({"volunteer_ids": ids, "insurance": true}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let second = app.second_server().await;
    let mut tasks = Vec::new();
    for (i, v) in ids.iter().enumerate() {
        let base = if i % 2 == 0 { app.base.clone() } else { second.clone() };
        let (client, token, v, nid) = (app.client.clone(), staff.clone(), v.clone(), n["id"].clone());
        tasks.push(tokio::spawn(async move {
            client
                .post(format!("{base}/api/v1/needs/{nid}/accept"))
                .bearer_auth(token)
                .json(&json!({"volunteer_id": v}))
                .send()
                .await
                .expect("send")
                .status()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.expect("join") {
            StatusCode::OK => ok += 1,
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, 2);
    let (_, offers) = app.get(&staff, &format!("/api/v1/needs/{}/offers", n["id"])).await;
    let offers = offers.as_array().expect("offers");
    assert_eq!(offers.iter().filter(|o| o["status"] == "accepted").count(), 2);
    assert_eq!(offers.iter().filter(|o| o["status"] == "offered").count(), 0, "the rest are withdrawn");
});

both!(volunteers_ask_for_help_and_answer_only_their_own_offers, |app: TestApp| async move {
    use laobing::domain::account::Role;
    let staff = app.token("staff").await;
    let me = app.volunteer(&staff, "求助老兵", app.town.village_a, 1201, &[]).await;
    let helper = app.volunteer(&staff, "帮手", app.town.village_a, 1203, &[]).await;
    app.account_for("asker", Role::Volunteer, app.town.village_a, me["id"].as_i64().expect("id")).await;
    app.account_for("helper", Role::Volunteer, app.town.village_a, helper["id"].as_i64().expect("id")).await;
    let asker = app.token("asker").await;
    let (s, n) =
        app.post(&asker, "/api/v1/needs", json!({"title": "屋顶漏雨需修补", "category": "veteran_assistance"})).await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    assert_eq!((n["source"].as_str(), n["requester_name"].as_str()), (Some("self"), Some("求助老兵")));
    assert_eq!(n["region_id"], app.town.village_a);
    app.post(&staff, &format!("/api/v1/needs/{}/dispatch", n["id"]), json!({"volunteer_ids": [helper["id"]]})).await;
    let h = app.token("helper").await;
    let (s, _) =
        app.post(&asker, &format!("/api/v1/needs/{}/accept", n["id"]), json!({"volunteer_id": helper["id"]})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "nobody answers for someone else");
    let (s, shown) = app.get(&h, &format!("/api/v1/needs/{}", n["id"])).await;
    assert_eq!(s, StatusCode::OK, "the offered volunteer sees the need");
    assert!(shown["requester_phone"].as_str().is_some_and(|p| p.contains('*')));
    let (s, a) =
        app.post(&h, &format!("/api/v1/needs/{}/accept", n["id"]), json!({"volunteer_id": helper["id"]})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(a["status"], "accepted");
    assert_eq!(app.get(&h, "/api/v1/needs").await.0, StatusCode::FORBIDDEN);
});

both!(requester_ratings_count_in_the_yearly_assessment, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "好评", app.town.village_a, 1301, &[]).await;
    let n = need(
        &app,
        &staff,
        json!({"title": "代购药品", "category": "veteran_assistance", "region_id": app.town.village_a}),
    )
    .await;
    let id = n["id"].clone();
    app.post(&staff, &format!("/api/v1/needs/{id}/dispatch"), json!({"volunteer_ids": [v["id"]]})).await;
    app.post(&staff, &format!("/api/v1/needs/{id}/accept"), json!({"volunteer_id": v["id"]})).await;
    app.post(&staff, &format!("/api/v1/needs/{id}/complete"), json!({"service": [{"volunteer_id": v["id"], "started_at": hours_from_now(-2), "ended_at": hours_from_now(-1)}]})).await;
    let (s, _) = app.post(&staff, &format!("/api/v1/needs/{id}/rating"), json!({"stars": 4})).await;
    assert_eq!(s, StatusCode::OK);
    let year = (chrono::Utc::now() + chrono::Duration::hours(8)).format("%Y").to_string();
    let (_, a) = app.get(&staff, &format!("/api/v1/assessments?year={year}")).await;
    let me = a["volunteers"]
        .as_array()
        .expect("array")
        .iter()
        .find(|x| x["volunteer_id"] == v["id"])
        .cloned()
        .expect("assessed");
    assert_eq!(me["average_rating"], 4.0);
    assert!(me["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .any(|r| r.as_str().is_some_and(|r| r.contains("群众评价平均4.0星"))));
});

both!(the_public_files_follows_and_rates_a_need_within_limits, |app: TestApp| async move {
    let anon = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let form = anon.get(app.url("/public/needs/new")).send().await.expect("send").text().await.expect("text");
    assert!(form.contains("回车村"), "villages to choose from");
    let marker = "name=\"csrf\" value=\"";
    let csrf = form[form.find(marker).expect("csrf") + marker.len()..].split('"').next().unwrap_or("").to_string();
    let village = app.town.village_a.to_string();
    let post = |title: &str, phone: &str| {
        anon.post(app.url("/public/needs")).form(&[
            ("csrf", csrf.as_str()),
            ("title", title),
            ("category", "veteran_assistance"),
            ("region_id", village.as_str()),
            ("requester_name", "张大爷"),
            ("requester_phone", phone),
        ])
    };
    let r = post("屋后排水沟堵了", "").send().await.expect("send");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a phone is required");
    let r = post("屋后排水沟堵了", "13700001234").send().await.expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let follow = r.headers()["location"].to_str().expect("location").to_string();
    assert!(follow.starts_with("/public/needs/"));
    let page = anon.get(app.url(&follow)).send().await.expect("send").text().await.expect("text");
    assert!(page.contains("待审核"));
    let staff = app.token("staff").await;
    let (_, list) = app.get(&staff, "/api/v1/needs?status=submitted").await;
    let n = list.as_array().expect("array").iter().find(|n| n["source"] == "public").cloned().expect("public need");
    assert_eq!(n["requester_phone"], "137****1234");
    let reference = format!("XQ{}{:06}", &n["filed_at"].as_str().expect("filed")[..4], n["id"].as_i64().expect("id"));
    assert!(page.contains(&reference), "the resident gets a number to quote: {reference}");
    let v = app.volunteer(&staff, "疏通", app.town.village_a, 1601, &[]).await;
    app.post(&staff, &format!("/api/v1/needs/{}/dispatch", n["id"]), json!({"volunteer_ids": [v["id"]]})).await;
    app.post(&staff, &format!("/api/v1/needs/{}/accept", n["id"]), json!({"volunteer_id": v["id"]})).await;
    let (s, _) = app
        .post(&staff, &format!("/api/v1/needs/{}/complete", n["id"]), json!({"service": [{"volunteer_id": v["id"], "started_at": hours_from_now(-2), "ended_at": hours_from_now(-1)}]}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = anon.get(app.url(&follow)).send().await.expect("send").text().await.expect("text");
    let csrf2 = page[page.find(marker).expect("csrf") + marker.len()..].split('"').next().unwrap_or("").to_string();
    let r = anon
        .post(app.url(&format!("{follow}/rating")))
        .form(&[("csrf", csrf2.as_str()), ("stars", "5"), ("comment", "很及时")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.expect("text").contains("感谢您的评价"));
    let (_, rated) = app.get(&staff, &format!("/api/v1/needs/{}", n["id"])).await;
    assert_eq!((rated["status"].as_str(), rated["rating"].as_i64()), (Some("rated"), Some(5)));
    // the same phone may file three in an hour
    for i in 0..2 {
        assert_eq!(
            post(&format!("第{i}件事"), "13700001234").send().await.expect("send").status(),
            StatusCode::SEE_OTHER
        );
    }
    assert_eq!(post("第四件事", "13700001234").send().await.expect("send").status(), StatusCode::TOO_MANY_REQUESTS);
    let forged =
        anon.post(app.url("/public/needs")).form(&[("csrf", "forged"), ("title", "x")]).send().await.expect("send");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&staff, "/api/v1/needs").await.1.as_array().map(Vec::len), Some(3));
});

both!(deadlines_follow_the_town_and_overdue_needs_are_escalated, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let n = need(
        &app,
        &staff,
        json!({"title": "代办证件", "category": "veteran_assistance", "region_id": app.town.village_a}),
    )
    .await;
    let filed = chrono::DateTime::parse_from_rfc3339(n["filed_at"].as_str().expect("filed")).expect("time");
    let due = chrono::DateTime::parse_from_rfc3339(n["due_at"].as_str().expect("due")).expect("time");
    let days = (due - filed).num_hours();
    assert!((48..=96).contains(&days), "three days' time, to the end of the day: {days}h");
    let flood =
        need(&app, &staff, json!({"title": "排涝", "category": "flood_relief", "region_id": app.town.village_a})).await;
    let due = chrono::DateTime::parse_from_rfc3339(flood["due_at"].as_str().expect("due")).expect("time");
    assert!(due.to_utc() - chrono::Utc::now() <= chrono::Duration::hours(24), "emergencies are due the same day");
    need(&app, &staff, json!({"title": "旧需求", "category": "other", "region_id": app.town.village_a, "filed_at": hours_from_now(-24 * 20), "due_at": hours_from_now(-24 * 5)})).await;
    crate::pages::sign_in(&app, "staff").await;
    let html = app.client.get(app.url("/")).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("超期未办结的需求: 1"), "the dashboard escalates it");
    let mut rules = app.get(&staff, &format!("/api/v1/regions/{}/rules", app.town.town)).await.1;
    rules["need_deadline_days"]["other"] = json!(30);
    assert_eq!(
        app.call(&staff, reqwest::Method::PUT, &format!("/api/v1/regions/{}/rules", app.town.town), Some(rules))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "at most 15 days"
    );
});

both!(a_batch_of_needs_is_dispatched_at_once, |app: TestApp| async move {
    let staff = app.token("staff").await;
    // two needs on a line and two volunteers: whichever need comes first, each gets the helper that minimises the total
    let a = need(
        &app,
        &staff,
        json!({"title": "甲", "category": "other", "region_id": app.town.village_a, "lat": 33.0, "lon": 111.00}),
    )
    .await;
    let b = need(
        &app,
        &staff,
        json!({"title": "乙", "category": "other", "region_id": app.town.village_a, "lat": 33.0, "lon": 111.01}),
    )
    .await;
    let flood = need(
        &app,
        &staff,
        json!({"title": "丙", "category": "flood_relief", "region_id": app.town.village_a, "lat": 33.0, "lon": 111.0}),
    )
    .await;
    let v1 = app.volunteer(&staff, "右", app.town.village_a, 1701, &[]).await;
    let v2 = app.volunteer(&staff, "左", app.town.village_a, 1703, &[]).await;
    app.patch(&staff, &format!("/api/v1/volunteers/{}", v1["id"]), json!({"lat": 33.0, "lon": 111.006})).await;
    app.patch(&staff, &format!("/api/v1/volunteers/{}", v2["id"]), json!({"lat": 33.0, "lon": 110.993})).await;
    let (s, r) = app.post(&staff, "/api/v1/needs/batch-dispatch", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let sent = |id: &Value| {
        r["dispatched"]
            .as_array()
            .expect("array")
            .iter()
            .find(|l| l["need_id"] == *id)
            .map(|l| l["volunteer_ids"].clone())
    };
    assert_eq!(sent(&a["id"]), Some(json!([v2["id"]])));
    assert_eq!(sent(&b["id"]), Some(json!([v1["id"]])));
    assert!(r["total_cost"].as_i64() <= r["greedy_cost"].as_i64(), "never worse than greedy: {r}");
    assert!(r["skipped"].as_array().expect("skipped").iter().any(|s| s[0] == flood["id"]), "no insurance, no dispatch");
    let (_, after) = app.get(&staff, &format!("/api/v1/needs/{}", a["id"])).await;
    assert_eq!(after["status"], "dispatched");
});

both!(a_need_is_changed_until_someone_takes_it_on, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let n = need(&app, &staff, json!({"title": "修门", "category": "veteran_assistance", "region_id": app.town.village_a, "requester_phone": "13900002222"})).await;
    let path = format!("/api/v1/needs/{}", n["id"]);
    let (s, p) = app
        .patch(&staff, &path, json!({"title": "修门窗", "volunteers_needed": 2, "required_skills": ["construction"]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!((p["title"].as_str(), p["volunteers_needed"].as_i64()), (Some("修门窗"), Some(2)));
    assert_eq!(p["required_skills"], json!(["construction"]));
    assert_eq!(p["requester_phone"], "139****2222", "what a PATCH leaves out stays");
    // null clears an optional field; a required one cleared is named as missing
    let (s, p) = app.patch(&staff, &path, json!({"requester_phone": null, "place": "村东头"})).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert!(p["requester_phone"].is_null(), "null clears: {p}");
    assert_eq!(p["place"], "村东头");
    let (s, e) = app.patch(&staff, &path, json!({"title": null})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["title"].is_string(), "{e}");
    let (s, e) = app.patch(&staff, &path, json!({"volunteers_needed": 0})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["volunteers_needed"].is_string());
    let v = app.volunteer(&staff, "木匠", app.town.village_a, 1901, &["construction"]).await;
    app.post(&staff, &format!("/api/v1/needs/{}/dispatch", n["id"]), json!({"volunteer_ids": [v["id"]]})).await;
    app.post(&staff, &format!("/api/v1/needs/{}/accept", n["id"]), json!({"volunteer_id": v["id"]})).await;
    let (s, _) = app.patch(&staff, &path, json!({"title": "别的事"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "taken on: no more changes");
});

both!(a_town_without_a_county_above_it_draws_on_all_its_villages, |app: TestApp| async move {
    let admin = app.token("admin").await;
    let (_, town) = app.post(&admin, "/api/v1/regions", json!({"name": "独立镇", "kind": "town"})).await;
    let (_, v1) =
        app.post(&admin, "/api/v1/regions", json!({"name": "东村", "kind": "village", "parent_id": town["id"]})).await;
    let (_, v2) =
        app.post(&admin, "/api/v1/regions", json!({"name": "西村", "kind": "village", "parent_id": town["id"]})).await;
    let helper = app.volunteer(&admin, "邻村帮手", v2["id"].as_i64().expect("id"), 2101, &[]).await;
    let n = need(&app, &admin, json!({"title": "搬家", "category": "other", "region_id": v1["id"]})).await;
    let (_, sugg) = app.get(&admin, &format!("/api/v1/needs/{}/suggestions", n["id"])).await;
    assert!(
        sugg.as_array().expect("array").iter().any(|s| s["volunteer_id"] == helper["id"]),
        "the whole town is asked, not one village: {sugg}"
    );
    app.post(&admin, &format!("/api/v1/needs/{}/dispatch", n["id"]), json!({"volunteer_ids": [helper["id"]]})).await;
    app.post(&admin, &format!("/api/v1/needs/{}/accept", n["id"]), json!({"volunteer_id": helper["id"]})).await;
    app.post(&admin, &format!("/api/v1/needs/{}/complete", n["id"]), json!({"service": [{"volunteer_id": helper["id"], "started_at": hours_from_now(-2), "ended_at": hours_from_now(-1)}]})).await;
    let (_, recs) = app.get(&admin, &format!("/api/v1/volunteers/{}/service-records", helper["id"])).await;
    assert_eq!(recs[0]["organiser"], "独立镇退役军人服务站");
});

both!(staff_file_a_whole_need_on_the_page_and_send_anyone_they_find, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let driver = app.volunteer(&staff, "会开车的老兵", app.town.village_b, 1301, &["driving"]).await;
    let far = app.volunteer(&staff, "山那边的赵", app.town.village_b, 1303, &["farming"]).await;
    let csrf = crate::pages::sign_in(&app, "staff").await;
    let page = app.client.get(app.url("/needs")).send().await.expect("send").text().await.expect("text");
    assert!(
        page.contains("name=\"required_skills\"") && page.contains("id=\"need-region\""),
        "the form has every field"
    );
    let village_b = app.town.village_b.to_string();
    let r = app
        .client
        .post(app.url("/needs"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "送老人去卫生院"),
            ("category", "veteran_assistance"),
            ("region_id", village_b.as_str()),
            ("required_skills", "driving"),
            ("volunteers_needed", "1"),
            ("due_in_days", "3"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().expect("location").to_string();
    let id = to.rsplit('/').next().unwrap_or("").to_string();
    let (_, n) = app.get(&staff, &format!("/api/v1/needs/{id}")).await;
    assert_eq!(n["region_id"], app.town.village_b);
    assert_eq!(n["required_skills"], json!(["driving"]));
    assert!(n["lat"].is_number(), "the village's place stands for the need's: {n}");
    let due = chrono::DateTime::parse_from_rfc3339(n["due_at"].as_str().expect("due")).expect("time");
    let days = (due.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours();
    assert!((70..=72).contains(&days), "the three-day preset: {days} hours");
    let (_, sugg) = app.get(&staff, &format!("/api/v1/needs/{id}/suggestions")).await;
    assert_eq!(sugg[0]["volunteer_id"], driver["id"], "the driver ranks first: {sugg}");
    // anyone named can be sent too, found by a search beside the ranked list
    let html =
        app.client.get(app.url(&format!("{to}?find=山那边"))).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("id=\"found\"") && html.contains("山那边的赵"), "the search finds him");
    let far_id = far["id"].to_string();
    let r = app
        .client
        .post(app.url(&to))
        .form(&[("csrf", csrf.as_str()), ("action", "dispatch"), ("volunteer", far_id.as_str())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let (_, offers) = app.get(&staff, &format!("/api/v1/needs/{id}/offers")).await;
    assert!(offers.as_array().expect("offers").iter().any(|o| o["volunteer_id"] == far["id"]), "{offers}");
});

both!(the_needs_page_pages_and_searches, |app: TestApp| async move {
    let staff = app.token("staff").await;
    for i in 0..31 {
        need(
            &app,
            &staff,
            json!({"title": format!("清理河道第{i}段"), "category": "other", "region_id": app.town.village_a}),
        )
        .await;
    }
    need(
        &app,
        &staff,
        json!({"title": "修路灯", "category": "other", "region_id": app.town.village_a, "place": "东坪桥头"}),
    )
    .await;
    crate::pages::sign_in(&app, "staff").await;
    let app = &app;
    let get = |path: &'static str| async move {
        app.client.get(app.url(path)).send().await.expect("send").text().await.expect("text")
    };
    let items = |html: &str| {
        let list = html.split("id=\"need-list\"").nth(1).and_then(|l| l.split("</ul>").next()).unwrap_or("");
        list.matches("<a href=\"/needs/").count()
    };
    let first = get("/needs").await;
    assert_eq!(items(&first), 30, "thirty to a page");
    assert!(first.contains("rel=\"next\""));
    assert!(first.len() < 100_000, "light enough for a rural phone: {} bytes", first.len());
    assert_eq!(items(&get("/needs?page=2").await), 2);
    let found = get("/needs?q=%E6%A1%A5%E5%A4%B4").await; // 桥头, a word of the place
    assert_eq!(items(&found), 1, "searched by place");
    assert!(found.contains("修路灯"));
});
