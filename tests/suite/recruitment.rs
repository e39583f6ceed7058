//! Recruitment (招募): applications from staff and from the public form, the
//! reviewers' checklist, the priority score, approval onto a team and rejection.

use crate::both;
use crate::common::{id_number, phone, TestApp};
use crate::mentoring::value_of;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn days_ago(n: i64) -> String {
    ((chrono::Utc::now() + chrono::Duration::hours(8)).date_naive() - chrono::Duration::days(n)).to_string()
}

fn applicant(name: &str, seq: u32, region: i64) -> Value {
    json!({"name": name, "id_number": id_number("19980101", seq), "phone": phone(seq), "region_id": region,
           "enlisted_on": "2017-09-01", "discharged_on": days_ago(365), "honors": ["最美退役军人"], "skills": ["medical"]})
}

async fn apply(app: &TestApp, token: &str, body: Value) -> Value {
    let (s, a) = app.post(token, "/api/v1/applications", body).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    a
}

fn field<'a>(e: &'a Value, f: &str) -> Option<&'a str> {
    e["error"]["fields"][f].as_str()
}

both!(an_application_is_scored_checked_and_approved_onto_a_team, |app: TestApp| async move {
    let staff = app.token("staff").await;
    // the village already has a driver, but nobody with medical skills
    app.volunteer(&staff, "老司机", app.town.village_a, 4001, &["driving"]).await;
    let mut body = applicant("王新兵", 4101, app.town.village_a);
    body["skills"] = json!(["medical", "driving"]);
    let a = apply(&app, &staff, body).await;
    assert_eq!((a["status"].as_str(), a["source"].as_str()), (Some("pending"), Some("staff")));
    assert_eq!(a["priority_score"], 30 + 20 + 10, "{a}");
    let reasons: Vec<&str> = a["reasons"].as_array().expect("reasons").iter().filter_map(Value::as_str).collect();
    assert!(reasons.contains(&"退役不满3年 +30"), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("医疗救护") && r.ends_with("+10")));
    assert!(!reasons.iter().any(|r| r.contains("驾驶")), "the village has a driver");
    assert_eq!(a["phone"], phone(4101), "staff see the phone in full");
    let plain = apply(
        &app,
        &staff,
        json!({"name": "赵普通", "id_number": id_number("19700101", 4102), "phone": phone(4102), "region_id": app.town.village_b}),
    )
    .await;
    assert_eq!(plain["priority_score"], 0);
    assert_eq!(plain["reasons"], json!([]));
    let (_, list) = app.get(&staff, "/api/v1/applications").await;
    let names: Vec<&str> = list.as_array().expect("list").iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(names, vec!["王新兵", "赵普通"], "highest priority first");
    let (_, in_b) = app.get(&staff, &format!("/api/v1/applications?region_id={}", app.town.village_b)).await;
    assert_eq!(in_b.as_array().map(Vec::len), Some(1));
    assert_eq!(in_b[0]["name"], "赵普通");

    // changing the application recomputes the score
    let path = format!("/api/v1/applications/{}", a["id"]);
    let (s, cadre) = app.patch(&staff, &path, json!({"cadre_role": "村委委员"})).await;
    assert_eq!(s, StatusCode::OK, "{cadre}");
    assert_eq!(cadre["priority_score"], 75);

    // the checklist must be all yes before approval
    let approve = format!("{path}/approve");
    let (s, e) = app.post(&staff, &approve, json!({"team_id": app.town.team_a})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["political_record", "conduct", "public_spirit"] {
        assert!(field(&e, f).is_some(), "{f} unchecked: {e}");
    }
    let (s, c) =
        app.patch(&staff, &path, json!({"political_record": true, "conduct": true, "public_spirit": false})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((c["political_record"].as_bool(), c["public_spirit"].as_bool()), (Some(true), Some(false)));
    let (s, e) = app.post(&staff, &approve, json!({"team_id": app.town.team_a})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&e, "public_spirit").is_some_and(|m| m.contains("热心公益")));
    assert!(field(&e, "conduct").is_none());
    // an answer sent as null is not yet known again; a wrong type is named
    let (s, c) = app.patch(&staff, &path, json!({"conduct": null})).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert!(c["conduct"].is_null() && c["political_record"] == true, "{c}");
    let (s, e) = app.patch(&staff, &path, json!({"conduct": "maybe"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&e, "conduct").is_some(), "{e}");
    app.patch(&staff, &path, json!({"conduct": true, "public_spirit": true})).await;
    let (s, e) = app.post(&staff, &approve, json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&e, "team_id").is_some());
    let admin = app.token("admin").await;
    let (s, far) = app
        .post(
            &admin,
            "/api/v1/teams",
            json!({"name": "丁河村服务小队", "kind": "village_team", "region_id": app.town.other_village}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{far}");
    assert_eq!(app.post(&staff, &approve, json!({"team_id": far["id"]})).await.0, StatusCode::FORBIDDEN);

    let (s, done) = app.post(&staff, &approve, json!({"team_id": app.town.team_a})).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!((done["status"].as_str(), done["team_id"].as_i64()), (Some("approved"), Some(app.town.team_a)));
    let vid = done["volunteer_id"].as_i64().expect("a volunteer was made");
    let (_, v) = app.get(&staff, &format!("/api/v1/volunteers/{vid}")).await;
    assert_eq!((v["status"].as_str(), v["name"].as_str()), (Some("active"), Some("王新兵")));
    assert!(v["volunteer_no"].as_str().is_some_and(|n| n.starts_with("LB")));
    assert_eq!(v["id_number"], id_number("19980101", 4101));
    assert_eq!(v["cadre_role"], "村委委员");
    assert_eq!(v["honors"], json!(["最美退役军人"]));
    assert_eq!(v["skills"], json!(["driving", "medical"]));
    assert!(v["teams"].as_array().expect("teams").iter().any(|t| t["id"].as_i64() == Some(app.town.team_a)));

    // decided is decided
    assert_eq!(app.post(&staff, &approve, json!({"team_id": app.town.team_a})).await.0, StatusCode::CONFLICT);
    let (s, e) = app.post(&staff, &format!("{path}/reject"), json!({"reason": "改主意了"})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("application_decided")));
    assert_eq!(app.patch(&staff, &path, json!({"conduct": false})).await.0, StatusCode::CONFLICT);
    // and the same person cannot apply again
    let (s, e) = app.post(&staff, "/api/v1/applications", applicant("王新兵", 4101, app.town.village_a)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&e, "id_number").is_some_and(|m| m.contains("在册")));

    // rejection needs a reason, and a rejected application cannot be approved
    let reject = format!("/api/v1/applications/{}/reject", plain["id"]);
    let (s, e) = app.post(&staff, &reject, json!({"reason": "  "})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&e, "reason").is_some());
    let (s, r) = app.post(&staff, &reject, json!({"reason": "不在本镇居住"})).await;
    assert_eq!(
        (s, r["status"].as_str(), r["reject_reason"].as_str()),
        (StatusCode::OK, Some("rejected"), Some("不在本镇居住"))
    );
    let (s, _) = app
        .post(&staff, &format!("/api/v1/applications/{}/approve", plain["id"]), json!({"team_id": app.town.team_b}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM volunteers WHERE name = '赵普通'").await, 0);
});

both!(applications_are_scoped_and_masked_like_volunteers, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let (s, e) = app
        .post(&staff, "/api/v1/applications", json!({"name": "", "id_number": "123", "region_id": app.town.village_a}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["name", "id_number", "phone"] {
        assert!(field(&e, f).is_some(), "{f}: {e}");
    }
    let a = apply(&app, &staff, applicant("李申请", 4201, app.town.village_a)).await;
    let (s, _) = app.post(&staff, "/api/v1/applications", applicant("李申请", 4201, app.town.village_a)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "one waiting application per person");
    let other = app.token("other_staff").await;
    let path = format!("/api/v1/applications/{}", a["id"]);
    assert_eq!(app.get(&other, &path).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&other, "/api/v1/applications").await.1.as_array().map(Vec::len), Some(0));
    assert_eq!(app.post(&other, &format!("{path}/reject"), json!({"reason": "x"})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.post(&other, "/api/v1/applications", applicant("跨镇", 4202, app.town.village_a)).await.0,
        StatusCode::FORBIDDEN
    );

    let masked_id = &id_number("19980101", 4201);
    let masked_id = format!("{}***********{}", &masked_id[..3], &masked_id[14..]);
    let leader = app.token("leader_a").await;
    let (s, seen) = app.get(&leader, "/api/v1/applications").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (seen[0]["id_number"].as_str(), seen[0]["phone"].as_str()),
        (Some(masked_id.as_str()), Some("138****4201"))
    );
    assert_eq!(app.get(&leader, &path).await.1["phone"], "138****4201");
    assert_eq!(
        app.post(&leader, &format!("{path}/approve"), json!({"team_id": app.town.team_a})).await.0,
        StatusCode::FORBIDDEN
    );
    let (_, quiet) = app.get(&staff, "/api/v1/applications?masked=true").await;
    assert_eq!(quiet[0]["phone"], "138****4201");
    let before =
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal_data' AND username = 'staff'").await;
    let (_, full) = app.get(&staff, "/api/v1/applications").await;
    assert_eq!(full[0]["phone"], phone(4201));
    let after =
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal_data' AND username = 'staff'").await;
    assert_eq!(after, before + 1, "every unmasked view is audited");
    let grid = app.token("grid_a").await;
    assert_eq!(
        app.get(&grid, "/api/v1/applications").await.1.as_array().map(Vec::len),
        Some(0),
        "nobody in the grid applied"
    );

    // the reviewers' page shows masked numbers, the reasons and the checklist
    crate::pages::sign_in(&app, "staff").await;
    let html = app.client.get(app.url("/applications")).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("李申请") && html.contains("退役不满3年 +30") && html.contains("138****4201"));
    assert!(!html.contains(&phone(4201)));
    let csrf = value_of(&html, "csrf");
    let id = a["id"].to_string();
    let r = app
        .client
        .post(app.url("/applications"))
        .form(&[("csrf", csrf.as_str()), ("action", "approve"), ("id", &id), ("team_id", &app.town.team_a.to_string())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("text").contains("未确认"));
    let r = app
        .client
        .post(app.url("/applications"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "check"),
            ("id", &id),
            ("political_record", "true"),
            ("conduct", "true"),
            ("public_spirit", "true"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .client
        .post(app.url("/applications"))
        .form(&[("csrf", csrf.as_str()), ("action", "approve"), ("id", &id), ("team_id", &app.town.team_a.to_string())])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get(&staff, &path).await.1["status"], "approved");
});

both!(six_reviewers_approving_at_once_make_one_volunteer, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let mut body = applicant("抢着批", 4301, app.town.village_a);
    body["political_record"] = json!(true);
    body["conduct"] = json!(true);
    body["public_spirit"] = json!(true);
    let a = apply(&app, &staff, body).await;
    let url = app.url(&format!("/api/v1/applications/{}/approve", a["id"]));
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (client, url, token, team) = (app.client.clone(), url.clone(), staff.clone(), app.town.team_a);
        tasks.push(tokio::spawn(async move {
            client.post(url).bearer_auth(token).json(&json!({"team_id": team})).send().await.expect("send").status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("join"));
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 5, "{statuses:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM volunteers WHERE name = '抢着批'").await, 1);
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM team_members m JOIN volunteers v ON v.id = m.volunteer_id WHERE v.name = '抢着批'"
        )
        .await,
        1
    );
});

both!(the_public_applies_through_the_join_form_within_limits, |app: TestApp| async move {
    let anon = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let form = anon.get(app.url("/join")).send().await.expect("send").text().await.expect("text");
    assert!(form.contains("回车村") && form.contains("医疗救护"));
    let csrf = value_of(&form, "csrf");
    let village = app.town.village_a.to_string();
    let send = |seq: u32, id: String, trap: &'static str| {
        let (csrf, village) = (csrf.clone(), village.clone());
        let anon = anon.clone();
        let url = app.url("/join");
        async move {
            anon.post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("website", trap),
                    ("name", "网上报名"),
                    ("id_number", id.as_str()),
                    ("phone", phone(seq).as_str()),
                    ("region_id", village.as_str()),
                    ("discharged_on", days_ago(100).as_str()),
                    ("skills", "rescue"),
                    ("skills", "farming"),
                ])
                .send()
                .await
                .expect("send")
        }
    };
    let r = send(4401, "110105194912310021".into(), "").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a wrong check digit");
    assert!(r.text().await.expect("text").contains("身份证号"));
    let r = send(4401, id_number("19990101", 4401), "").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/join/sent");
    let next = anon.get(app.url("/join/sent")).send().await.expect("send").text().await.expect("text");
    assert!(next.contains("接下来") && next.contains("5个工作日"), "says what happens next");
    let staff = app.token("staff").await;
    let (_, list) = app.get(&staff, "/api/v1/applications?masked=true").await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!((list[0]["source"].as_str(), list[0]["phone"].as_str()), (Some("public"), Some("138****4401")));
    assert_eq!(list[0]["skills"], json!(["farming", "rescue"]));
    assert!(list[0]["priority_score"].as_i64().is_some_and(|s| s >= 30 + 20));

    // a robot filling the hidden field is thanked and ignored
    let r = send(4402, id_number("19990101", 4402), "http://spam.example").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let forged = anon.post(app.url("/join")).form(&[("csrf", "forged"), ("name", "x")]).send().await.expect("send");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM applications").await, 1);

    // five in ten minutes from one device, then the form asks to wait
    for seq in 4403..4407 {
        assert_eq!(send(seq, id_number("19990101", seq), "").await.status(), StatusCode::SEE_OTHER, "{seq}");
    }
    let r = send(4407, id_number("19990101", 4407), "").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM applications").await, 5);
    // the public needs form keeps its own count
    let needs_form = anon.get(app.url("/public/needs/new")).send().await.expect("send");
    assert_eq!(needs_form.status(), StatusCode::OK);
});
