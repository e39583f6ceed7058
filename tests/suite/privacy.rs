//! 个保法 rights: a person's copy of their data (who saw their ID number in
//! full included); the audit log searched by person and exported; and its
//! retention, whose pruning leaves the hash chain verifiable.

use crate::both;
use crate::common::TestApp;
use laobing::domain::account::Role;
use reqwest::StatusCode;

both!(a_volunteer_downloads_everything_held_about_them, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "李自查", app.town.village_a, 41, &["driving"]).await;
    let vid = v["id"].as_i64().expect("id");
    app.account_for("vol41", Role::Volunteer, app.town.village_a, vid).await;
    // staff look at the profile in full: that look is the volunteer's to know of
    let (s, full) = app.get(&staff, &format!("/api/v1/volunteers/{vid}")).await;
    assert_eq!(s, StatusCode::OK);
    let me = app.token("vol41").await;
    let r = app.client.get(app.url("/api/v1/me/data")).bearer_auth(&me).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().expect("header").contains("attachment"));
    let doc: serde_json::Value = r.json().await.expect("json");
    assert_eq!(doc["account"]["username"], "vol41");
    assert_eq!(doc["volunteer"]["name"], "李自查");
    assert_eq!(doc["volunteer"]["id_number"], full["id_number"], "their own number in full");
    assert!(!doc["volunteer"]["id_number"].as_str().expect("id").contains('*'));
    for part in
        ["service_records", "points", "trainings", "awards", "certificates", "evaluations", "signups", "sessions"]
    {
        assert!(doc[part].is_array(), "{part}: {doc}");
    }
    let views = doc["views_of_my_personal_data"].as_array().expect("views");
    assert!(views.iter().any(|w| w["by"] == "staff" && w["at"].is_string()), "{views:?}");
    // another's data is not in it, and the download is audited
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'personal_data_download'").await, 1);
    // an account without a volunteer gets its account part
    let (s, doc) = app.get(&staff, "/api/v1/me/data").await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc.get("volunteer").is_none(), "{doc}");
});

both!(the_audit_log_is_searched_by_person_and_exported, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "王审计", app.town.village_a, 43, &[]).await;
    let vid = v["id"].as_i64().expect("id");
    app.get(&staff, &format!("/api/v1/volunteers/{vid}")).await;
    app.get(&staff, "/api/v1/volunteers").await; // the list shows it too
    let admin = app.token("admin").await;
    let (s, found) = app.get(&admin, &format!("/api/v1/audit?volunteer_id={vid}")).await;
    assert_eq!(s, StatusCode::OK, "{found}");
    let found = found.as_array().expect("list").clone();
    assert!(found.iter().any(|e| e["action"] == "view_personal_data" && e["target_type"] == "volunteer"), "{found:?}");
    assert!(
        found.iter().any(|e| e["target_type"] == "volunteer_list"),
        "lists that showed the person count: {found:?}"
    );
    assert!(found.iter().all(|e| e["username"] == "staff"), "{found:?}");
    let (_, by_staff) = app.get(&admin, "/api/v1/audit?actor=staff").await;
    assert!(by_staff.as_array().expect("list").iter().all(|e| e["username"] == "staff"));
    assert!(by_staff.as_array().expect("list").iter().any(|e| e["action"] == "login"));
    let (_, none) = app.get(&admin, "/api/v1/audit?actor=staff&from=2000-01-01&to=2000-12-31").await;
    assert_eq!(none.as_array().map(Vec::len), Some(0));
    let (s, e) = app.get(&admin, "/api/v1/audit?from=2023-02-30").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(app.get(&staff, "/api/v1/audit").await.0, StatusCode::FORBIDDEN, "administrators only");
    let r = app
        .client
        .get(app.url(&format!("/api/v1/audit/export?volunteer_id={vid}")))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().expect("type").starts_with("text/csv"));
    let body = r.bytes().await.expect("body");
    assert!(body.starts_with(&[0xEF, 0xBB, 0xBF]), "a BOM for Excel");
    let text = String::from_utf8(body.to_vec()).expect("utf-8");
    assert!(text.contains("view_personal_data") && text.lines().count() >= 3, "{text}");
});

both!(pruning_the_audit_log_keeps_its_chain_verifiable, |app: TestApp| async move {
    for _ in 0..4 {
        app.token("staff").await;
    }
    let total = app.scalar("SELECT COUNT(*) FROM audit_log").await;
    assert!(total >= 4);
    // prune everything before the third entry
    let third: chrono::DateTime<chrono::Utc> =
        laobing::on_db!(&app.db.pool, |p| sqlx::query_scalar("SELECT at FROM audit_log ORDER BY id LIMIT 1 OFFSET 2")
            .fetch_one(p)
            .await
            .expect("at"));
    let by = laobing::store::audit::Record {
        username: "system".into(),
        action: "audit_pruned".into(),
        target_type: "audit_log".into(),
        ..Default::default()
    };
    let n = laobing::store::audit::prune_before(&app.db.pool, third, &by).await.expect("prune");
    assert_eq!(n, 2);
    assert_eq!(laobing::store::audit::verify(&app.db.pool).await.expect("verify"), None, "still verifies");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'audit_pruned'").await, 1);
    // life goes on, and the chain with it
    app.token("admin").await;
    assert_eq!(laobing::store::audit::verify(&app.db.pool).await.expect("verify"), None);
    // pruning everything is fine too
    let later = chrono::Utc::now() + chrono::Duration::seconds(1);
    assert!(laobing::store::audit::prune_before(&app.db.pool, later, &by).await.expect("prune") > 0);
    assert_eq!(laobing::store::audit::verify(&app.db.pool).await.expect("verify"), None);
    app.token("admin").await;
    assert_eq!(laobing::store::audit::verify(&app.db.pool).await.expect("verify"), None);
    // tampering after a prune still shows: the first entry left goes missing
    app.exec("DELETE FROM audit_log WHERE id = (SELECT MIN(id) FROM audit_log)").await;
    assert!(laobing::store::audit::verify(&app.db.pool).await.expect("verify").is_some());
});

#[test]
fn audit_prune_keeps_at_least_180_days_and_audit_verify_still_passes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("{}/a.db", dir.path().display());
    let run = |args: &[&str]| crate::cli::laobing(dir.path()).args(args).output().expect("run");
    assert!(run(&["migrate", "--database", &db]).status.success());
    let short = run(&["audit-prune", "--database", &db, "--keep-days", "30"]);
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("180"), "{short:?}");
    let ok = run(&["audit-prune", "--database", &db]);
    assert!(ok.status.success(), "{ok:?}");
    let v = run(&["audit-verify", "--database", &db]);
    assert!(v.status.success(), "{v:?}");
}
