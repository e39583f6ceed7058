//! Emergency mobilisation: call everyone able inside a radius, count answers.

use crate::both;
use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::json;

both!(a_flood_call_out_reaches_swimmers_inside_the_radius, |app: TestApp| async move {
    use laobing::domain::account::Role;
    let staff = app.token("staff").await;
    let near = app.volunteer(&staff, "近处会游泳", app.town.village_a, 1501, &["swimming"]).await;
    let far = app.volunteer(&staff, "远处会游泳", app.town.village_b, 1503, &["swimming"]).await;
    let dry = app.volunteer(&staff, "不会游泳", app.town.village_a, 1505, &["driving"]).await;
    let stopped = app.volunteer(&staff, "已停用", app.town.village_a, 1507, &["swimming"]).await;
    for (v, lat, lon) in
        [(&near, 33.371, 111.641), (&far, 33.10, 111.30), (&dry, 33.371, 111.641), (&stopped, 33.371, 111.641)]
    {
        app.patch(&staff, &format!("/api/v1/volunteers/{}", v["id"]), json!({"lat": lat, "lon": lon})).await;
    }
    app.patch(&staff, &format!("/api/v1/volunteers/{}", stopped["id"]), json!({"status": "inactive"})).await;
    let body = json!({"title": "河道决口转移群众", "category": "flood_relief", "lat": 33.37, "lon": 111.64, "radius_km": 5, "required_skills": ["swimming"], "headcount": 10});
    let (s, e) = app.post(&staff, "/api/v1/mobilizations", body.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "insurance first: {e}");
    assert!(e["error"]["fields"]["insurance"].is_string());
    let mut with = body.clone();
    with["insurance"] = json!(true);
    let (s, m) = app.post(&staff, "/api/v1/mobilizations", with).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let called: Vec<i64> =
        m["calls"].as_array().expect("calls").iter().filter_map(|c| c["volunteer_id"].as_i64()).collect();
    assert_eq!(called, vec![near["id"].as_i64().expect("id")], "only the active swimmer inside the radius");
    assert_eq!((m["called"].as_i64(), m["yes"].as_i64()), (Some(1), Some(0)));
    let id = m["id"].clone();
    app.account_for("swimmer", Role::Volunteer, app.town.village_a, near["id"].as_i64().expect("id")).await;
    let sw = app.token("swimmer").await;
    let (s, r) = app
        .post(
            &sw,
            &format!("/api/v1/mobilizations/{id}/responses"),
            json!({"volunteer_id": near["id"], "answer": "yes"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["yes"], 1);
    let (s, _) = app
        .post(
            &staff,
            &format!("/api/v1/mobilizations/{id}/responses"),
            json!({"volunteer_id": far["id"], "answer": "yes"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "not called");
    let (s, _) = app
        .post(
            &sw,
            &format!("/api/v1/mobilizations/{id}/responses"),
            json!({"volunteer_id": near["id"], "answer": "maybe"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, u) = app
        .patch(
            &staff,
            &format!("/api/v1/mobilizations/{id}"),
            json!({"households_relocated": 12, "persons_relocated": 37, "status": "closed"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (u["households_relocated"].as_i64(), u["persons_relocated"].as_i64(), u["status"].as_str()),
        (Some(12), Some(37), Some("closed"))
    );
    let (s, _) = app
        .post(
            &sw,
            &format!("/api/v1/mobilizations/{id}/responses"),
            json!({"volunteer_id": near["id"], "answer": "no"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "the call-out is over");
    let (_, shown) = app.get(&staff, &format!("/api/v1/mobilizations/{id}")).await;
    assert_eq!(shown["calls"][0]["answer"], "yes");
    let html = app.client.get(app.url(&format!("/mobilizations/{id}"))).send().await.expect("send");
    assert_eq!(html.status(), StatusCode::SEE_OTHER, "the board wants a session");
    crate::pages::sign_in(&app, "staff").await;
    let html = app
        .client
        .get(app.url(&format!("/mobilizations/{id}")))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert!(
        html.contains("id=\"count-yes\">1<") && html.contains("data-src"),
        "the board shows and refreshes the headcount"
    );
});
