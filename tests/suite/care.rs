//! Care recipients and visits (走访慰问).

use crate::both;
use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::json;

both!(the_unvisited_filter_names_who_is_still_missing, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let (s, a) = app
        .post(&staff, "/api/v1/care-recipients", json!({"name": "烈属王大娘", "category": "martyr_family", "categories": ["veteran_in_difficulty"], "region_id": app.town.village_a, "phone": "13900003333", "living_alone": true, "honour_plaque": true}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["categories"], json!(["martyr_family", "veteran_in_difficulty"]));
    assert_eq!(a["phone"], "139****3333");
    let (_, b) = app
        .post(
            &staff,
            "/api/v1/care-recipients",
            json!({"name": "困难老兵李叔", "category": "veteran_in_difficulty", "region_id": app.town.village_b}),
        )
        .await;
    let (s, e) = app
        .post(
            &staff,
            "/api/v1/care-recipients",
            json!({"name": "", "category": "rich", "region_id": app.town.village_a}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["name"].is_string() && e["error"]["fields"]["category"].is_string());
    let v = app.volunteer(&staff, "走访员", app.town.village_a, 2001, &[]).await;
    let (s, d) = app.post(&staff, &format!("/api/v1/care-recipients/{}/visits", a["id"]), json!({"visited_on": "2026-08-01", "volunteer_ids": [v["id"]], "notes": "八一慰问", "help_given": "米面油"})).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["visits"][0]["volunteer_ids"], json!([v["id"]]));
    assert_eq!(d["last_visited_on"], "2026-08-01");
    let names = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().expect("array").iter().map(|r| r["name"].as_str().unwrap_or("").to_string()).collect()
    };
    let (_, missing) =
        app.get(&staff, "/api/v1/care-recipients?unvisited_from=2026-07-25&unvisited_to=2026-08-05").await;
    assert_eq!(names(&missing), vec!["困难老兵李叔"], "Army Day: only Li is still unvisited");
    let (_, missing) =
        app.get(&staff, "/api/v1/care-recipients?unvisited_from=2026-01-20&unvisited_to=2026-02-10").await;
    assert_eq!(names(&missing).len(), 2, "Spring Festival: nobody visited yet");
    let (s, _) = app.get(&staff, "/api/v1/care-recipients?unvisited_from=2026-07-25").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "the period needs both ends");
    let (s, _) = app
        .post(&staff, &format!("/api/v1/care-recipients/{}/visits", b["id"]), json!({"visited_on": "2099-01-01"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // the village team's leader visits too; a grid worker does not log visits
    let leader = app.token("leader_a").await;
    let (s, d) = app
        .post(&leader, &format!("/api/v1/care-recipients/{}/visits", a["id"]), json!({"visited_on": "2026-08-02"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let grid = app.token("grid_a").await;
    let (s, _) = app
        .post(&grid, &format!("/api/v1/care-recipients/{}/visits", a["id"]), json!({"visited_on": "2026-08-03"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let other = app.token("other_staff").await;
    assert_eq!(app.get(&other, &format!("/api/v1/care-recipients/{}", a["id"])).await.0, StatusCode::FORBIDDEN);
    let (_, theirs) = app.get(&other, "/api/v1/care-recipients").await;
    assert_eq!(theirs.as_array().map(Vec::len), Some(0));
});

async fn visit(app: &TestApp, staff: &str, id: i64, on: &str) {
    let (s, v) = app.post(staff, &format!("/api/v1/care-recipients/{id}/visits"), json!({"visited_on": on})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

/// A recipient made by staff through the API; returns its id.
async fn recipient(app: &TestApp, staff: &str, name: &str, body: serde_json::Value) -> i64 {
    let mut b = body;
    b["name"] = json!(name);
    let (s, r) = app.post(staff, "/api/v1/care-recipients", b).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    r["id"].as_i64().expect("id")
}

both!(a_care_recipient_is_corrected_with_the_rules_of_a_new_one, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let id = recipient(
        &app,
        &staff,
        "伤残老兵赵伯",
        json!({"category": "disabled_veteran", "categories": ["veteran_in_difficulty"], "region_id": app.town.village_a, "phone": "13900004444"}),
    )
    .await;
    let (s, r) = app
        .patch(
            &staff,
            &format!("/api/v1/care-recipients/{id}"),
            json!({"region_id": app.town.village_b, "low_income": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!((r["region_id"].as_i64(), r["low_income"].as_bool()), (Some(app.town.village_b), Some(true)));
    assert_eq!(r["name"], "伤残老兵赵伯", "what is not sent stays");
    assert_eq!(r["phone"], "139****4444", "the phone stays, masked");
    assert_eq!(r["categories"], json!(["disabled_veteran", "veteran_in_difficulty"]));
    let (s, r) =
        app.patch(&staff, &format!("/api/v1/care-recipients/{id}"), json!({"category": "martyr_family"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["categories"], json!(["martyr_family", "veteran_in_difficulty"]), "the main category is replaced");
    let (s, e) = app
        .patch(
            &staff,
            &format!("/api/v1/care-recipients/{id}"),
            json!({"name": "", "category": "rich", "phone": "123"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["name", "category", "phone"] {
        let msg = e["error"]["fields"][f].as_str().unwrap_or_default();
        assert!(msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{f} has Chinese: {msg}");
        assert!(msg.chars().any(|c| c.is_ascii_alphabetic()), "{f} is bilingual: {msg}");
    }
    let (_, r) = app.get(&staff, &format!("/api/v1/care-recipients/{id}")).await;
    assert_eq!(r["category"], "martyr_family", "a refused change changes nothing");
    assert_eq!(
        app.patch(&staff, "/api/v1/care-recipients/999999", json!({"notes": "x"})).await.0,
        StatusCode::NOT_FOUND
    );
    let other = app.token("other_staff").await;
    let (s, _) = app.patch(&other, &format!("/api/v1/care-recipients/{id}"), json!({"notes": "x"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) =
        app.patch(&staff, &format!("/api/v1/care-recipients/{id}"), json!({"region_id": app.town.other_village})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "nor can staff move someone out of their town");
});

both!(campaign_coverage_counts_each_targeted_person_once_within_the_dates, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let (a, b, c) = (app.town.village_a, app.town.village_b, app.town.other_village);
    let wang = recipient(
        &app,
        &staff,
        "烈属王大娘",
        json!({"category": "martyr_family", "categories": ["veteran_in_difficulty"], "region_id": a}),
    )
    .await;
    let zhao =
        recipient(&app, &staff, "伤残老兵赵伯", json!({"category": "disabled_veteran", "region_id": app.town.grid_a}))
            .await;
    let li =
        recipient(&app, &staff, "困难老兵李叔", json!({"category": "veteran_in_difficulty", "region_id": b})).await;
    let other = recipient(&app, &staff, "普通老兵", json!({"category": "other", "region_id": b})).await;
    let admin = app.token("admin").await;
    recipient(&app, &admin, "丁河烈属", json!({"category": "martyr_family", "region_id": c})).await;
    let (s, camp) = app
        .post(&staff, "/api/v1/care-campaigns", json!({"kind": "army_day", "year": 2025, "region_id": app.town.town}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{camp}");
    assert_eq!(camp["name"], "2025年“八一”走访慰问");
    assert_eq!((camp["starts_on"].as_str(), camp["ends_on"].as_str()), (Some("2025-07-22"), Some("2025-08-05")));
    assert_eq!(camp["categories"], json!(["martyr_family", "veteran_in_difficulty", "disabled_veteran"]));
    visit(&app, &staff, wang, "2025-07-30").await;
    visit(&app, &staff, wang, "2025-08-01").await;
    visit(&app, &staff, zhao, "2025-06-01").await; // before the campaign: does not count
    visit(&app, &staff, other, "2025-08-01").await; // not a targeted category
    let url = format!("/api/v1/care-campaigns/{}/coverage", camp["id"]);
    let (s, cov) = app.get(&staff, &url).await;
    assert_eq!(s, StatusCode::OK, "{cov}");
    assert_eq!((cov["targeted"].as_i64(), cov["visited"].as_i64()), (Some(3), Some(1)));
    assert!((cov["coverage"].as_f64().unwrap_or(0.0) - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(
        cov["by_village"],
        json!([{"region_id": a, "name": "回车村", "targeted": 2, "visited": 1}, {"region_id": b, "name": "东坪村", "targeted": 1, "visited": 0}])
    );
    let unvisited: Vec<(i64, String)> = cov["unvisited"]
        .as_array()
        .expect("list")
        .iter()
        .map(|u| (u["id"].as_i64().unwrap_or(0), u["region_name"].as_str().unwrap_or("").to_string()))
        .collect();
    assert_eq!(unvisited, vec![(zhao, "第一网格".to_string()), (li, "东坪村".to_string())]);
    visit(&app, &staff, zhao, "2025-08-05").await; // the last day counts
    let (_, cov) = app.get(&staff, &url).await;
    assert_eq!(cov["visited"], 2);
    let leader = app.token("leader_a").await;
    let (s, mine) = app.get(&leader, &url).await;
    assert_eq!(s, StatusCode::OK, "a team leader sees their village's part of the town campaign");
    assert_eq!((mine["targeted"].as_i64(), mine["visited"].as_i64()), (Some(2), Some(2)));
    let other_staff = app.token("other_staff").await;
    assert_eq!(app.get(&other_staff, &url).await.0, StatusCode::FORBIDDEN);
    let (_, list) = app.get(&other_staff, "/api/v1/care-campaigns").await;
    assert_eq!(list.as_array().map(Vec::len), Some(0));
    let (s, e) = app
        .patch(
            &staff,
            &format!("/api/v1/care-campaigns/{}", camp["id"]),
            json!({"ends_on": "2025-07-01", "kind": "new_year"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["ends_on"].is_string() && e["error"]["fields"]["kind"].is_string(), "{e}");
    let (s, p) = app
        .patch(
            &staff,
            &format!("/api/v1/care-campaigns/{}", camp["id"]),
            json!({"categories": ["martyr_family"], "region_id": a}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let (_, cov) = app.get(&staff, &url).await;
    assert_eq!((cov["targeted"].as_i64(), cov["visited"].as_i64()), (Some(1), Some(1)), "only the martyr's family now");
    let (s, sf) = app
        .post(
            &staff,
            "/api/v1/care-campaigns",
            json!({"kind": "spring_festival", "year": 2026, "region_id": app.town.town}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{sf}");
    assert_eq!((sf["starts_on"].as_str(), sf["ends_on"].as_str()), (Some("2026-02-03"), Some("2026-03-03")));
    let (_, list) = app.get(&staff, &format!("/api/v1/care-campaigns?region_id={a}")).await;
    assert_eq!(list.as_array().map(Vec::len), Some(2), "the village list shows its own and the town's campaigns");
    let (s, _) = app
        .post(
            &other_staff,
            "/api/v1/care-campaigns",
            json!({"kind": "army_day", "year": 2025, "region_id": app.town.town}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, still) = app
        .get(
            &staff,
            &format!("/api/v1/care-recipients?region_id={b}&unvisited_from=2025-07-22&unvisited_to=2025-08-05"),
        )
        .await;
    assert_eq!(still.as_array().map(Vec::len), Some(1), "the contract's filter still works: {still}");
    assert_eq!(still[0]["id"], li);
});

both!(care_pages_show_the_registry_a_visit_log_and_a_campaign_to_print, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let wang = recipient(
        &app,
        &staff,
        "烈属王大娘",
        json!({"category": "martyr_family", "region_id": app.town.village_a, "hardship": true}),
    )
    .await;
    let li = recipient(
        &app,
        &staff,
        "困难老兵李叔",
        json!({"category": "veteran_in_difficulty", "region_id": app.town.village_b}),
    )
    .await;
    recipient(&app, &staff, "老党员孙伯", json!({"category": "other", "region_id": app.town.village_b})).await;
    let helper = app.volunteer(&staff, "走访员老张", app.town.village_a, 2101, &[]).await;
    let (_, camp) = app
        .post(&staff, "/api/v1/care-campaigns", json!({"kind": "army_day", "year": 2025, "region_id": app.town.town}))
        .await;
    visit(&app, &staff, wang, "2025-08-01").await;
    let csrf = crate::pages::sign_in(&app, "leader_a").await;
    let page = |path: String| {
        let app = &app;
        async move {
            let r = app.client.get(app.url(&path)).send().await.expect("send");
            (r.status(), r.text().await.expect("text"))
        }
    };
    let (s, html) = page("/care".into()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("烈属王大娘") && !html.contains("困难老兵李叔"), "a team leader sees their own village");
    assert!(html.contains("2025年“八一”走访慰问"));
    let (s, html) = page(format!("/care/campaigns/{}", camp["id"])).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"campaign-pct\">100%"), "the leader's village is done");
    let (s, html) = page(format!("/care/{wang}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("2025-08-01") && html.contains("visit-form") && html.contains("走访员老张"));
    let r = app
        .client
        .post(app.url(&format!("/care/{wang}")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("visited_on", "2025-09-10"),
            ("volunteer_ids", &helper["id"].to_string()),
            ("help_given", "米面油"),
            ("notes", "身体尚好"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(format!("/care/{wang}")).await;
    assert!(html.contains("2025-09-10") && html.contains("米面油"), "the visit is in the log");
    assert_eq!(page(format!("/care/{li}")).await.0, StatusCode::FORBIDDEN);
    crate::pages::sign_in(&app, "staff").await;
    let (_, html) = page(format!("/care/campaigns/{}", camp["id"])).await;
    assert!(
        html.contains("id=\"campaign-pct\">50%") && html.contains("困难老兵李叔"),
        "the town still has Li to visit"
    );
    let (_, html) = page(format!("/care?campaign={}", camp["id"])).await;
    assert!(html.contains("困难老兵李叔") && !html.contains("烈属王大娘"), "the unvisited filter");
    assert!(!html.contains("老党员孙伯"), "only those the campaign must reach");
    let (_, html) = page("/care?hardship=1".into()).await;
    assert!(html.contains("烈属王大娘") && !html.contains("困难老兵李叔"), "the hardship filter");
});

both!(staff_start_a_campaign_and_add_people_to_visit_from_the_page, |app: TestApp| async move {
    let csrf = crate::pages::sign_in(&app, "staff").await;
    let html = app.client.get(app.url("/care")).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("id=\"new-campaign\"") && html.contains("id=\"new-recipient\""), "both forms for staff");
    let town = app.town.town.to_string();
    let r = app
        .client
        .post(app.url("/care"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "campaign"),
            ("name", "2027年春节走访慰问"),
            ("kind", "spring_festival"),
            ("region_id", town.as_str()),
            ("year", "2027"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    let to = r.headers()["location"].to_str().expect("location").to_string();
    assert!(to.starts_with("/care/campaigns/"), "{to}");
    let village = app.town.village_a.to_string();
    let r = app
        .client
        .post(app.url("/care"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "recipient"),
            ("name", "烈属周大娘"),
            ("category", "martyr_family"),
            ("region_id", village.as_str()),
            ("living_alone", "on"),
            ("notes", "腿脚不便，\n上午在家。"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().expect("location").to_string();
    let html = app.client.get(app.url(&to)).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("烈属周大娘") && html.contains("腿脚不便，\n上午在家。"), "added, notes as typed");
    let r = app
        .client
        .post(app.url("/care"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "recipient"),
            ("category", "martyr_family"),
            ("region_id", village.as_str()),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("text").contains("id=\"care-error\""), "a missing name is said, in red");
});
