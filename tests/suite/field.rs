//! Field actions through the API: a queued check-in sent twice counts once,
//! at its original time; times outside the activity and stale codes are refused.

use crate::both;
use crate::common::{hours_from_now, TestApp};
use laobing::domain::account::Role;
use reqwest::StatusCode;
use serde_json::json;

both!(a_queued_check_in_counts_once_at_its_own_time, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "赵红军", app.town.village_a, 71, &[]).await;
    let vid = v["id"].as_i64().expect("id");
    app.account_for("zhao", Role::Volunteer, app.town.village_a, vid).await;
    let a = app.activity(&staff, "护林巡查", &hours_from_now(-2), &hours_from_now(2), 10, "safety_patrol").await;
    let id = a["id"].as_i64().expect("id");
    app.post(&staff, &format!("/api/v1/activities/{id}/signups"), json!({"volunteer_id": vid})).await;
    let act = app.scalar(&format!("SELECT id FROM activities WHERE id = {id}")).await;
    let activity = laobing::store::activities::get(&app.db.pool, act).await.expect("get").expect("activity");
    let state = laobing::app::App::new(app.db.clone(), "test");
    let (token, _) = laobing::app::field::make_token(&state, &activity);
    let zhao = app.token("zhao").await;
    let pressed = chrono::Utc::now() - chrono::Duration::minutes(40);
    let body = json!({"key": "k-offline-0001-abcdef", "kind": "check_in", "at": pressed.to_rfc3339(), "token": token,
                      "lat": 33.3702, "lon": 111.6401});
    let path = format!("/api/v1/activities/{id}/field-actions");
    let (s, first) = app.post(&zhao, &path, body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["result"], "checked_in");
    assert_eq!(first["replayed"], false);
    assert!(first["distance_m"].as_i64().is_some_and(|d| d < 100), "{first}");
    let (s, again) = app.post(&zhao, &path, body.clone()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["replayed"], true, "the same key answers the same");
    assert_eq!(again["recorded_at"], first["recorded_at"]);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM attendance WHERE activity_id = {id}")).await, 1);
    let (_, sheet) = app.get(&staff, &format!("/api/v1/activities/{id}/attendance")).await;
    let line = sheet.as_array().and_then(|a| a.iter().find(|l| l["volunteer_id"] == vid)).cloned().expect("line");
    let recorded = chrono::DateTime::parse_from_rfc3339(line["check_in"].as_str().expect("time")).expect("rfc3339");
    assert!((recorded.timestamp() - pressed.timestamp()).abs() <= 1, "the time it was pressed, not when it arrived");
    // another person cannot reuse a key
    let (s, _) = app
        .post(
            &staff,
            &path,
            json!({"key": "k-offline-0001-abcdef", "kind": "sheet", "at": pressed.to_rfc3339(), "marks": []}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // a time before the activity, and a stale code from the leader's screen
    let early = (chrono::Utc::now() - chrono::Duration::hours(6)).to_rfc3339();
    let (s, e) = app
        .post(&zhao, &path, json!({"key": "k-offline-0002-abcdef", "kind": "check_out", "at": early, "token": token}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["error"]["fields"]["at"].as_str().unwrap_or("").contains("不在活动时间内"), "{e}");
    let (s, e) = app
        .post(&zhao, &path, json!({"key": "k-offline-0003-abcdef", "kind": "check_out", "at": chrono::Utc::now().to_rfc3339(), "token": token, "code": "123456"}))
        .await;
    assert!(s == StatusCode::NOT_FOUND && e["error"]["code"] == "checkin_expired", "{s} {e}");
    // two sends of one check-out at once: one record
    let out = json!({"key": "k-offline-0004-abcdef", "kind": "check_out", "at": chrono::Utc::now().to_rfc3339(), "token": token});
    let (r1, r2) = tokio::join!(app.post(&zhao, &path, out.clone()), app.post(&zhao, &path, out.clone()));
    assert!([r1.0, r2.0].contains(&StatusCode::OK), "{r1:?} {r2:?}");
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM service_records WHERE source_id = {id}")).await, 1);
});

both!(a_far_check_in_is_refused_with_the_distance, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "钱卫国", app.town.village_a, 72, &[]).await;
    let vid = v["id"].as_i64().expect("id");
    app.account_for("qian", Role::Volunteer, app.town.village_a, vid).await;
    let a = app.activity(&staff, "防汛值守", &hours_from_now(-1), &hours_from_now(3), 10, "flood_relief").await;
    let id = a["id"].as_i64().expect("id");
    app.post(&staff, &format!("/api/v1/activities/{id}/signups"), json!({"volunteer_id": vid})).await;
    let activity = laobing::store::activities::get(&app.db.pool, id).await.expect("get").expect("activity");
    let state = laobing::app::App::new(app.db.clone(), "test");
    let (token, _) = laobing::app::field::make_token(&state, &activity);
    let qian = app.token("qian").await;
    let path = format!("/api/v1/activities/{id}/field-actions");
    let (s, e) = app
        .post(&qian, &path, json!({"key": "k-far-000000000001", "kind": "check_in", "at": chrono::Utc::now().to_rfc3339(), "token": token, "lat": 33.3845, "lon": 111.64}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(e["error"]["code"], "too_far_away");
    assert!(e["error"]["message"].as_str().unwrap_or("").contains("1.6 公里"), "{e}");
    // without a position: accepted, for the leader to confirm
    let (s, o) = app
        .post(&qian, &path, json!({"key": "k-far-000000000002", "kind": "check_in", "at": chrono::Utc::now().to_rfc3339(), "token": token}))
        .await;
    assert_eq!(s, StatusCode::OK, "{o}");
    assert_eq!(o["to_confirm"], true);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM attendance WHERE activity_id = {id} AND to_confirm")).await,
        1
    );
    // positions are never stored: only the distance column exists
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM attendance WHERE activity_id = {id} AND distance_m IS NULL")).await,
        1
    );
});
