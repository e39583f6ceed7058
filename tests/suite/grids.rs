//! Grid governance: volunteers attached to grids and what each grid filed.

use crate::both;
use crate::common::{hours_from_now, id_number, phone, TestApp};
use laobing::domain::region::RegionKind;
use laobing::store::regions;
use reqwest::StatusCode;
use serde_json::json;

both!(volunteers_join_a_grid_of_their_own_village_only, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let body = |seq: u32, region: i64, grid: serde_json::Value| json!({"name": "网格老兵", "id_number": id_number("19750101", seq), "phone": phone(seq), "region_id": region, "grid_id": grid});
    let (s, v) = app.post(&staff, "/api/v1/volunteers", body(3001, app.town.village_a, json!(app.town.grid_a))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["grid_id"], app.town.grid_a);
    let (s, e) = app.post(&staff, "/api/v1/volunteers", body(3003, app.town.village_b, json!(app.town.grid_a))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "another village's grid");
    assert!(e["error"]["fields"]["grid_id"].as_str().is_some_and(|m| m.contains("网格") && m.contains("grid")), "{e}");
    let (s, e) =
        app.post(&staff, "/api/v1/volunteers", body(3005, app.town.village_a, json!(app.town.village_a))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a village is not a grid");
    assert!(e["error"]["fields"]["grid_id"].is_string());
    let (s, e) = app.post(&staff, "/api/v1/volunteers", body(3007, app.town.village_a, json!("一号"))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["grid_id"].is_string());
    let url = format!("/api/v1/volunteers/{}", v["id"]);
    let (s, _) = app.patch(&staff, &url, json!({"grid_id": app.town.village_b})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, still) = app.get(&staff, &url).await;
    assert_eq!(still["grid_id"], app.town.grid_a, "a refused change leaves the grid");
    let (s, moved) = app.patch(&staff, &url, json!({"region_id": app.town.village_b})).await;
    assert_eq!(s, StatusCode::OK, "{moved}");
    assert!(moved["grid_id"].is_null(), "moving away leaves the old village's grid");
    let (s, back) = app.patch(&staff, &url, json!({"region_id": app.town.village_a, "grid_id": app.town.grid_a})).await;
    assert_eq!(s, StatusCode::OK, "{back}");
    assert_eq!(back["grid_id"], app.town.grid_a);
    let (s, off) = app.patch(&staff, &url, json!({"grid_id": null})).await;
    assert_eq!(s, StatusCode::OK);
    assert!(off["grid_id"].is_null());
});

both!(grid_stats_count_the_cases_each_grid_filed_and_closed, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let grid_b = regions::create(
        &app.db.pool,
        &regions::NewRegion {
            name: "东坪第一网格".into(),
            kind: RegionKind::Grid,
            parent_id: Some(app.town.village_b),
            position: None,
        },
    )
    .await
    .expect("grid")
    .id;
    let helper = app.volunteer(&staff, "网格志愿者", app.town.village_a, 3101, &[]).await;
    app.patch(&staff, &format!("/api/v1/volunteers/{}", helper["id"]), json!({"grid_id": app.town.grid_a})).await;
    let grid = app.token("grid_a").await;
    let file = |title: &'static str, category: &'static str, filed_at: Option<String>| {
        let mut b = json!({"title": title, "category": category, "region_id": app.town.grid_a});
        if let Some(f) = filed_at {
            b["filed_at"] = json!(f);
        }
        b
    };
    let (s, mediation) = app.post(&grid, "/api/v1/needs", file("邻里纠纷调解", "social_governance", None)).await;
    assert_eq!(s, StatusCode::CREATED, "{mediation}");
    let (s, _) = app.post(&grid, "/api/v1/needs", file("清理河道垃圾", "social_governance", None)).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app.post(&grid, "/api/v1/needs", file("帮老人买药", "veteran_assistance", None)).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, old) = app
        .post(&grid, "/api/v1/needs", file("去年的隐患", "social_governance", Some(hours_from_now(-24 * 400))))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{old}");
    // a need of the village itself is not a grid case
    app.post(
        &staff,
        "/api/v1/needs",
        json!({"title": "村里的事", "category": "other", "region_id": app.town.village_a}),
    )
    .await;
    let id = &mediation["id"];
    app.post(&staff, &format!("/api/v1/needs/{id}/dispatch"), json!({"volunteer_ids": [helper["id"]]})).await;
    app.post(&staff, &format!("/api/v1/needs/{id}/accept"), json!({"volunteer_id": helper["id"]})).await;
    let (s, done) = app.post(&staff, &format!("/api/v1/needs/{id}/complete"), json!({"service": [{"volunteer_id": helper["id"], "started_at": hours_from_now(-2), "ended_at": hours_from_now(-1)}]})).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let from = today - chrono::Duration::days(30);
    let url = format!("/api/v1/grids/stats?region_id={}&from={from}&to={today}", app.town.town);
    let (s, stats) = app.get(&staff, &url).await;
    assert_eq!(s, StatusCode::OK, "{stats}");
    assert_eq!(
        stats,
        json!([
            {"region_id": app.town.grid_a, "name": "第一网格", "village": "回车村", "volunteers": 1, "cases_filed": 3,
             "cases_completed": 1, "by_category": {"social_governance": 2, "veteran_assistance": 1}},
            {"region_id": grid_b, "name": "东坪第一网格", "village": "东坪村", "volunteers": 0, "cases_filed": 0,
             "cases_completed": 0, "by_category": {}}
        ])
    );
    let (s, mine) = app.get(&grid, &format!("/api/v1/grids/stats?from={from}&to={today}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "a grid worker sees their own grid: {mine}");
    let (s, _) =
        app.get(&grid, &format!("/api/v1/grids/stats?region_id={}&from={from}&to={today}", app.town.town)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = app.get(&staff, "/api/v1/grids/stats?from=2026-05-01").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["to"].is_string());
});

both!(the_grid_page_shows_the_table_and_the_incidents, |app: TestApp| async move {
    let grid = app.token("grid_a").await;
    let (s, n) = app
        .post(
            &grid,
            "/api/v1/needs",
            json!({"title": "排查路灯隐患", "category": "social_governance", "region_id": app.town.grid_a}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    for who in ["grid_a", "staff"] {
        crate::pages::sign_in(&app, who).await;
        let r = app.client.get(app.url("/grids")).send().await.expect("send");
        assert_eq!(r.status(), StatusCode::OK, "{who}");
        let html = r.text().await.expect("text");
        assert!(html.contains("第一网格") && html.contains("排查路灯隐患"), "{who} sees the grid and its incident");
    }
});

both!(a_grid_worker_lands_on_the_grid_and_files_a_case_there, |app: TestApp| async move {
    let csrf = crate::pages::sign_in(&app, "grid_a").await;
    let r = app.client.get(app.url("/")).send().await.expect("send");
    assert_eq!(r.headers()["location"], "/grids", "the grid worker's home is the grid");
    let html = app.client.get(app.url("/grids")).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("id=\"case-form\""), "the case form is on the grid page");
    let grid = app.town.grid_a.to_string();
    let r = app
        .client
        .post(app.url("/needs"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("category", "social_governance"),
            ("title", "两户因排水沟起纠纷"),
            ("region_id", grid.as_str()),
            ("description", "东邻说：水沟堵了，\n西邻不认。"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let staff = app.token("staff").await;
    let (_, list) = app.get(&staff, "/api/v1/needs").await;
    let n =
        list.as_array().and_then(|l| l.iter().find(|n| n["title"] == "两户因排水沟起纠纷")).cloned().expect("filed");
    assert_eq!((n["source"].as_str(), n["region_id"].as_i64()), (Some("grid"), Some(app.town.grid_a)));
    assert_eq!(n["description"], "东邻说：水沟堵了，\n西邻不认。", "the details kept as typed");
});
