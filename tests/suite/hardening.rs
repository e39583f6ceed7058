//! Holes found in review, kept closed.

use crate::both;
use crate::common::{hours_from_now, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

both!(a_leader_cannot_credit_people_outside_their_village, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let lead = app.volunteer(&staff, "村队长", app.town.village_a, 951, &[]).await;
    let outsider = app.volunteer(&staff, "外村人", app.town.village_b, 953, &[]).await;
    app.patch(&staff, &format!("/api/v1/teams/{}", app.town.team_a), json!({"leader_id": lead["id"]})).await;
    app.exec(&format!("UPDATE users SET volunteer_id = {} WHERE username = 'leader_a'", lead["id"])).await;
    let leader = app.token("leader_a").await;
    let a = app.activity(&staff, "本村活动", &hours_from_now(-4), &hours_from_now(-1), 5, "other").await;
    let (s, _) = app
        .post(
            &leader,
            &format!("/api/v1/activities/{}/attendance", a["id"]),
            json!({"volunteer_id": outsider["id"], "check_in": hours_from_now(-4), "check_out": hours_from_now(-1)}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM service_records").await, 0);
});

both!(recorded_service_changes_only_through_corrections, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "记录人", app.town.village_a, 955, &[]).await;
    let a = app.activity(&staff, "已记录", &hours_from_now(-5), &hours_from_now(-2), 5, "other").await;
    let path = format!("/api/v1/activities/{}/attendance", a["id"]);
    app.post(
        &staff,
        &path,
        json!({"volunteer_id": v["id"], "check_in": hours_from_now(-5), "check_out": hours_from_now(-2)}),
    )
    .await;
    let (s, e) = app
        .post(
            &staff,
            &path,
            json!({"volunteer_id": v["id"], "check_in": hours_from_now(-5), "check_out": hours_from_now(-1)}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "record_exists");
    let (s, e) = app
        .post(
            &staff,
            &path,
            json!({"volunteer_id": v["id"], "check_in": hours_from_now(-200), "check_out": hours_from_now(-199)}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "far outside the activity: {e}");
    app.post(&staff, &format!("/api/v1/activities/{}/close", a["id"]), json!({})).await;
    let (s, _) = app.post(&staff, &path, json!({"volunteer_id": v["id"], "check_in": hours_from_now(-5)})).await;
    assert_eq!(s, StatusCode::CONFLICT, "no attendance after closing");
    let (s, _) =
        app.call(&staff, Method::DELETE, &format!("/api/v1/activities/{}/signups/{}", a["id"], v["id"]), None).await;
    assert!(s == StatusCode::CONFLICT || s == StatusCode::NOT_FOUND, "no changes to a closed activity's sign-ups: {s}");
});

both!(a_correction_after_spending_never_leaves_a_negative_balance, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "花光", app.town.village_a, 957, &[]).await;
    let a = app.activity(&staff, "三小时", &hours_from_now(-50), &hours_from_now(-47), 5, "other").await;
    app.post(
        &staff,
        &format!("/api/v1/activities/{}/attendance", a["id"]),
        json!({"volunteer_id": v["id"], "check_in": hours_from_now(-50), "check_out": hours_from_now(-47)}),
    )
    .await;
    let (_, reward) = app
        .post(&staff, "/api/v1/rewards", json!({"name": "毛巾", "points": 30, "stock": 5, "region_id": app.town.town}))
        .await;
    let (s, _) = app
        .post(&staff, "/api/v1/redemptions", json!({"volunteer_id": v["id"], "reward_id": reward["id"], "quantity": 1}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, recs) = app.get(&staff, &format!("/api/v1/volunteers/{}/service-records", v["id"])).await;
    let (s, _) = app
        .post(
            &staff,
            &format!("/api/v1/service-records/{}/corrections", recs[0]["id"]),
            json!({"started_at": hours_from_now(-50), "ended_at": hours_from_now(-49), "reason": "实际只服务一小时"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, p) = app.get(&staff, &format!("/api/v1/volunteers/{}/points", v["id"])).await;
    assert_eq!(p["balance"], 0, "spent points are not clawed back below zero");
    let sum: i64 = p["entries"].as_array().expect("entries").iter().filter_map(|e| e["points"].as_i64()).sum();
    assert_eq!(sum, 0);
    let (_, vol) = app.get(&staff, &format!("/api/v1/volunteers/{}", v["id"])).await;
    assert_eq!(vol["service_hours"], 1.0, "the hours are corrected in full");
});

both!(masked_roles_cannot_look_people_up_by_phone, |app: TestApp| async move {
    let staff = app.token("staff").await;
    app.volunteer(&staff, "隐私", app.town.village_a, 959, &[]).await;
    let leader = app.token("leader_a").await;
    let (_, found) = app.get(&leader, "/api/v1/volunteers?q=13800000959").await;
    assert_eq!(found.as_array().map(Vec::len), Some(0), "a full phone number finds nobody for a masked role");
    let (_, found) = app.get(&staff, "/api/v1/volunteers?q=13800000959").await;
    assert_eq!(found.as_array().map(Vec::len), Some(1));
});

both!(framework_errors_speak_the_contracts_shape, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let (s, e) = app.get(&staff, "/api/v1/volunteers/abc").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["error"]["code"], "bad_request");
    let (s, e) = app.call(&staff, Method::DELETE, "/api/v1/regions", None).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(e["error"]["code"], "method_not_allowed");
    let (s, e) = app.get(&staff, "/api/v1/no-such-thing").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(e["error"]["code"], "not_found");
});

both!(no_redirect_leaves_the_site, |app: TestApp| async move {
    for next in ["/%09/evil.example", "//evil.example", "/%5Cevil.example", "https://evil.example"] {
        let r = app.client.get(app.url(&format!("/lang/en?next={next}"))).send().await.expect("send");
        assert_eq!(r.headers()["location"], "/", "{next}");
    }
});
