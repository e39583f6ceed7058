//! Who sees what: region scopes, masking and the audit of every unmasked view.

use crate::both;
use crate::common::{id_number, TestApp};
use reqwest::StatusCode;
use serde_json::json;

both!(a_team_leader_sees_own_village_masked_and_nothing_else, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let own = app.volunteer(&staff, "本村人", app.town.village_a, 51, &[]).await;
    let other = app.volunteer(&staff, "外村人", app.town.village_b, 53, &[]).await;
    let leader = app.token("leader_a").await;

    let (s, v) = app.get(&leader, &format!("/api/v1/volunteers/{}", own["id"])).await;
    assert_eq!(s, StatusCode::OK);
    let id = v["id_number"].as_str().expect("id");
    assert_eq!(id, format!("411***********{}", &id_number("19800101", 51)[14..]));
    assert_eq!(v["phone"], "138****0051");
    let (s, body) = app.get(&leader, &format!("/api/v1/volunteers/{}", other["id"])).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "forbidden");

    let (s, list) = app.get(&leader, "/api/v1/volunteers").await;
    assert_eq!(s, StatusCode::OK);
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 1);
    assert!(list[0]["id_number"].as_str().is_some_and(|s| s.contains('*')));
    assert_eq!(
        app.get(&leader, &format!("/api/v1/volunteers?region_id={}", app.town.village_b)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.post(&leader, "/api/v1/volunteers", json!({"name": "x"})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.patch(&leader, &format!("/api/v1/volunteers/{}", own["id"]), json!({"name": "x"})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal_data' AND username = 'leader_a'")
            .await,
        0,
        "masked views are not personal-data views"
    );
});

both!(staff_see_in_full_and_every_look_is_audited, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "被查看人", app.town.village_a, 55, &[]).await;
    let before = app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal_data'").await;
    let (_, full) = app.get(&staff, &format!("/api/v1/volunteers/{}", v["id"])).await;
    assert_eq!(full["id_number"], id_number("19800101", 55));
    let after = app.scalar(&format!(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal_data' AND username = 'staff' AND target_id = '{}'",
        v["id"]
    ))
    .await;
    assert!(
        after >= 1
            && app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal_data'").await == before + 1
    );
    let (_, list) = app.get(&staff, "/api/v1/volunteers").await;
    assert_eq!(list[0]["phone"], "13800000055");
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'view_personal_data' AND target_type = 'volunteer_list'"
        )
        .await,
        1
    );
    let (_, masked) = app.get(&staff, "/api/v1/volunteers?masked=true").await;
    assert_eq!(masked[0]["phone"], "138****0055");

    // staff of another town neither see nor change this town's people
    let other = app.token("other_staff").await;
    assert_eq!(app.get(&other, &format!("/api/v1/volunteers/{}", v["id"])).await.0, StatusCode::FORBIDDEN);
    let (_, list) = app.get(&other, "/api/v1/volunteers").await;
    assert_eq!(list.as_array().map(Vec::len), Some(0));
    let (s, _) = app
        .post(&other, "/api/v1/volunteers", json!({"name": "越权", "id_number": id_number("19800101", 57), "phone": "13800000057", "region_id": app.town.village_a}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
});

both!(a_volunteer_sees_only_themselves, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let me = app.volunteer(&staff, "我自己", app.town.village_a, 61, &[]).await;
    let neighbour = app.volunteer(&staff, "邻居", app.town.village_a, 63, &[]).await;
    let hash: String = laobing::on_db!(&app.db.pool, |p| sqlx::query_scalar(
        "SELECT password_hash FROM users WHERE username = 'staff'"
    )
    .fetch_one(p)
    .await
    .expect("hash"));
    laobing::store::accounts::create(
        &app.db.pool,
        &laobing::store::accounts::NewUser {
            username: "me",
            password_hash: &hash,
            role: laobing::domain::account::Role::Volunteer,
            region_id: Some(app.town.village_a),
            volunteer_id: me["id"].as_i64(),
        },
    )
    .await
    .expect("user");
    let t = app.token("me").await;
    let (s, own) = app.get(&t, &format!("/api/v1/volunteers/{}", me["id"])).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(own["phone"], "13800000061", "one's own number in full");
    assert_eq!(app.get(&t, &format!("/api/v1/volunteers/{}", neighbour["id"])).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&t, "/api/v1/volunteers").await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&t, "/api/v1/me").await.1["volunteer_id"], me["id"]);
});
