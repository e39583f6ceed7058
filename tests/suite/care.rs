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
    let other = app.token("other_staff").await;
    assert_eq!(app.get(&other, &format!("/api/v1/care-recipients/{}", a["id"])).await.0, StatusCode::FORBIDDEN);
    let (_, theirs) = app.get(&other, "/api/v1/care-recipients").await;
    assert_eq!(theirs.as_array().map(Vec::len), Some(0));
});
