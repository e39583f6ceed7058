//! Erasing a person who left (个保法, the right to deletion): personal data
//! removed, service statistics kept, audited, refused while work is open,
//! only by staff in scope, and never half-written when it races an edit.

use crate::both;
use crate::common::{hours_from_now, id_number, phone, TestApp, PASSWORD};
use laobing::domain::account::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The summary report of the town for the last month, without the moment it was made.
async fn summary(app: &TestApp, token: &str) -> Value {
    let from = (chrono::Utc::now() - chrono::Duration::days(30)).format("%Y-%m-%d");
    let to = (chrono::Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%d");
    let (s, mut r) =
        app.get(token, &format!("/api/v1/reports/summary?region_id={}&from={from}&to={to}", app.town.town)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    if let Some(m) = r.as_object_mut() {
        m.retain(|k, _| !k.contains("generated"));
    }
    r
}

/// A volunteer with an address, skills, an account and two hours of service
/// in a closed activity, who has left (inactive): returns their id.
async fn leaver(app: &TestApp, staff: &str, name: &str, seq: u32, username: &str) -> i64 {
    let v = app.volunteer(staff, name, app.town.village_a, seq, &["driving", "medical"]).await;
    let id = v["id"].as_i64().expect("id");
    let (s, e) = app
        .patch(
            staff,
            &format!("/api/v1/volunteers/{id}"),
            json!({"address": "回车村三组12号", "lat": 33.37, "lon": 111.64}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let a = app.activity(staff, "河道清扫", &hours_from_now(-50), &hours_from_now(-48), 20, "civilization").await;
    let (s, r) = app
        .post(
            staff,
            &format!("/api/v1/activities/{}/attendance", a["id"]),
            json!({"volunteer_id": id, "check_in": hours_from_now(-50), "check_out": hours_from_now(-48)}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, r) = app.post(staff, &format!("/api/v1/activities/{}/close", a["id"]), json!({})).await;
    assert!(s.is_success(), "{r}");
    app.account_for(username, Role::Volunteer, app.town.village_a, id).await;
    // the person leaves: staff mark them inactive, as they do today
    let (s, e) = app.patch(staff, &format!("/api/v1/volunteers/{id}"), json!({"status": "inactive"})).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    id
}

both!(erasing_removes_the_person_and_keeps_every_total, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let id = leaver(&app, &staff, "赵离队", 801, "zhao801").await;
    let own = app.token("zhao801").await;
    let path = format!("/api/v1/volunteers/{id}");
    let (_, before) = app.get(&staff, &path).await;
    assert_eq!(before["service_hours"], 2.0, "{before}");
    let (_, points_before) = app.get(&staff, &format!("{path}/points")).await;
    let report_before = summary(&app, &staff).await;
    let records_before = app.scalar(&format!("SELECT COUNT(*) FROM service_records WHERE volunteer_id = {id}")).await;
    assert_eq!(records_before, 1);

    // the name typed back must be the person's
    let (s, e) = app.post(&staff, &format!("{path}/erase"), json!({"confirm_name": "赵离"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["error"]["fields"]["confirm_name"].as_str().is_some_and(|m| m.contains("姓名")), "{e}");
    let (s, e) = app.post(&staff, &format!("{path}/erase"), json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(app.get(&staff, &path).await.1["name"], "赵离队", "nothing changed");

    let (s, e) = app.post(&staff, &format!("{path}/erase"), json!({"confirm_name": " 赵离队 "})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");

    // the API shows a placeholder and nothing personal
    let (s, after) = app.get(&staff, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(after["name"], format!("已注销人员#{id}"));
    assert_eq!((after["id_number"].as_str(), after["phone"].as_str()), (Some(""), Some("")), "{after}");
    for field in ["address", "lat", "lon", "branch", "enlisted_on", "discharged_on", "cadre_role", "availability"] {
        assert!(after[field].is_null(), "{field}: {after}");
    }
    assert_eq!(after["skills"], json!([]));
    assert_eq!(after["status"], "inactive");
    assert!(after["erased_at"].is_string(), "{after}");
    assert_eq!(after["birth_date"], "1980-01-01", "only the year is kept");
    assert_eq!(after["volunteer_no"], before["volunteer_no"], "the number names the row, not the person");
    // the row itself
    let row = |sql: &str| format!("SELECT COUNT(*) FROM volunteers WHERE id = {id} AND {sql}");
    assert_eq!(
        app.scalar(&row("id_sealed = '' AND phone_sealed = '' AND id_masked = '' AND phone_masked = ''")).await,
        1
    );
    assert_eq!(app.scalar(&row(&format!("id_hash = 'erased:{id}' AND phone_hash = 'erased:{id}'"))).await, 1);
    assert_eq!(
        app.scalar(&row("address IS NULL AND lat IS NULL AND grid_id IS NULL AND erased_at IS NOT NULL")).await,
        1
    );
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM volunteer_skills WHERE volunteer_id = {id}")).await, 0);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM team_members WHERE volunteer_id = {id}")).await, 0);

    // every total is unchanged: their hours, points, records and the town's report
    assert_eq!(after["service_hours"], before["service_hours"]);
    let (_, points_after) = app.get(&staff, &format!("{path}/points")).await;
    assert_eq!(points_after["balance"], points_before["balance"]);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM service_records WHERE volunteer_id = {id}")).await, 1);
    assert_eq!(summary(&app, &staff).await, report_before, "the summary report is the same");
    let service = &report_before["service"];
    assert_eq!((service["person_times"].as_i64(), service["hours"].as_f64()), (Some(1), Some(2.0)), "{report_before}");

    // searching by the old name, phone or ID number finds nobody
    for q in ["赵离队", &phone(801), &id_number("19800101", 801)] {
        let (s, found) = app.get(&staff, &format!("/api/v1/volunteers?q={q}")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(found.as_array().map(Vec::len), Some(0), "{q}: {found}");
    }
    // nor does the roster export hold them
    let r = app
        .client
        .get(app.url(&format!("/api/v1/exports/volunteers?region_id={}", app.town.town)))
        .bearer_auth(&staff)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("body").to_vec();
    let text = workbook_text(&bytes);
    assert!(text.contains(&format!("已注销人员#{id}")), "the row is still there, named by its placeholder");
    for old in ["赵离队", &phone(801), &id_number("19800101", 801), "回车村三组12号"] {
        assert!(!text.contains(old), "{old} left in the export");
    }

    // the account is disabled: its token stops working and it cannot sign in
    app.sync_sessions().await;
    assert_eq!(app.get(&own, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let r = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": "zhao801", "password": PASSWORD}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM users WHERE volunteer_id = {id} AND username LIKE 'erased-%'")).await,
        1
    );

    // audited, without the person's data, and the chain still verifies
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'erase' AND target_type = 'volunteer' AND target_id = '{id}'
                AND username = 'staff'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'erase' AND (detail LIKE '%赵%' OR detail LIKE '%138%')"
        )
        .await,
        0
    );
    assert_eq!(laobing::store::audit::verify(&app.db.pool).await.expect("verify"), None, "the chain verifies");

    // erased once is erased: no second erasure, no edit
    let (s, e) = app.post(&staff, &format!("{path}/erase"), json!({"confirm_name": format!("已注销人员#{id}")})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("erased")), "{e}");
    let (s, e) = app.patch(&staff, &path, json!({"phone": phone(802)})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("erased")), "{e}");

    // the same person may register again later
    let (s, again) = app
        .post(
            &staff,
            "/api/v1/volunteers",
            json!({"name": "赵离队", "id_number": id_number("19800101", 801), "phone": phone(801), "region_id": app.town.village_a}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    assert_ne!(again["id"].as_i64(), Some(id));
});

/// Every cell of every sheet of a workbook, as one text.
fn workbook_text(bytes: &[u8]) -> String {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("workbook");
    let mut out = String::new();
    for name in book.sheet_names() {
        if let Ok(range) = book.worksheet_range(&name) {
            for row in range.rows() {
                for c in row {
                    out.push_str(&c.to_string());
                    out.push('\t');
                }
                out.push('\n');
            }
        }
    }
    out
}

both!(erasing_is_refused_while_the_person_has_open_work, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "钱忙碌", app.town.village_a, 811, &["driving"]).await;
    let id = v["id"].as_i64().expect("id");
    let other = app.volunteer(&staff, "孙新兵", app.town.village_a, 813, &[]).await;
    // signed up for an activity still open
    let a =
        app.activity(&staff, "敬老院义诊", &hours_from_now(24), &hours_from_now(26), 20, "veteran_assistance").await;
    let (s, e) =
        app.post(&staff, &format!("/api/v1/activities/{}/signups", a["id"]), json!({"volunteer_id": id})).await;
    assert!(s.is_success(), "{e}");
    // offered a need not yet completed
    let (s, n) = app
        .post(
            &staff,
            "/api/v1/needs",
            json!({"title": "送老人就医", "category": "veteran_assistance", "region_id": app.town.village_a,
                   "required_skills": ["driving"], "volunteers_needed": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    let (s, e) = app.post(&staff, &format!("/api/v1/needs/{}/dispatch", n["id"]), json!({"volunteer_ids": [id]})).await;
    assert!(s.is_success(), "{e}");
    // leads a team
    let (s, e) = app.patch(&staff, &format!("/api/v1/teams/{}", app.town.team_a), json!({"leader_id": id})).await;
    assert!(s.is_success(), "{e}");
    // an open mentoring pair and an open call-out (made here as their own suites leave them)
    let (oid, now) = (other["id"].as_i64().expect("id"), chrono::Utc::now().to_rfc3339());
    app.exec(&format!(
        "INSERT INTO mentorships (mentor_id, mentee_id, region_id, goal, started_on, created_at, updated_at)
         VALUES ({id}, {oid}, {}, 'employment', '2026-01-05', '{now}', '{now}')",
        app.town.village_a
    ))
    .await;
    app.exec(&format!(
        "INSERT INTO mobilizations (id, title, category, region_id, lat, lon, radius_km, headcount, created_at)
         VALUES (9001, '防汛转移', 'flood_relief', {}, 33.37, 111.64, 5, 10, '{now}')",
        app.town.town
    ))
    .await;
    app.exec(&format!("INSERT INTO mobilization_calls (mobilization_id, volunteer_id) VALUES (9001, {id})")).await;

    let audit_before = app.scalar("SELECT COUNT(*) FROM audit_log").await;
    let path = format!("/api/v1/volunteers/{id}");
    let (s, e) = app.post(&staff, &format!("{path}/erase"), json!({"confirm_name": "钱忙碌"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["code"], "has_open_work");
    let fields = &e["error"]["fields"];
    assert!(fields["activity_signups"].as_str().is_some_and(|m| m.contains("敬老院义诊")), "{e}");
    assert!(fields["need_offers"].as_str().is_some_and(|m| m.contains("送老人就医")), "{e}");
    assert!(fields["teams_led"].as_str().is_some_and(|m| m.contains("回车村服务小队")), "{e}");
    assert!(fields["mentorships"].as_str().is_some_and(|m| m.contains("孙新兵")), "{e}");
    assert!(fields["mobilizations"].as_str().is_some_and(|m| m.contains("防汛转移")), "{e}");
    let message = e["error"]["message"].as_str().expect("message");
    assert!(message.contains("敬老院义诊") && message.contains("不能注销"), "{message}");
    // nothing changed, nothing audited
    let (_, still) = app.get(&staff, &path).await;
    assert_eq!((still["name"].as_str(), still["phone"].as_str()), (Some("钱忙碌"), Some(phone(811).as_str())));
    assert!(still.get("erased_at").is_none());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'erase'").await, 0);
    assert!(app.scalar("SELECT COUNT(*) FROM audit_log").await >= audit_before);

    // one by one the work is finished; each refusal names only what is left
    let (s, e) =
        app.call(&staff, reqwest::Method::DELETE, &format!("/api/v1/activities/{}/signups/{id}", a["id"]), None).await;
    assert!(s.is_success(), "{e}");
    let (s, e) = app.post(&staff, &format!("{path}/erase"), json!({"confirm_name": "钱忙碌"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        e["error"]["fields"]["activity_signups"].is_null() && e["error"]["fields"]["need_offers"].is_string(),
        "{e}"
    );
    let (s, e) =
        app.post(&staff, &format!("/api/v1/needs/{}/cancel", n["id"]), json!({"reason": "老人已自行就医"})).await;
    assert!(s.is_success(), "{e}");
    let (s, e) = app.patch(&staff, &format!("/api/v1/teams/{}", app.town.team_a), json!({"leader_id": oid})).await;
    assert!(s.is_success(), "{e}");
    app.exec("UPDATE mentorships SET outcome = 'employed', outcome_on = '2026-03-01'").await;
    let (s, e) = app.post(&staff, &format!("{path}/erase"), json!({"confirm_name": "钱忙碌"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(
        e["error"]["fields"].as_object().map(|f| f.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["mobilizations".to_string()])
    );
    app.exec("UPDATE mobilizations SET status = 'closed'").await;
    let (s, e) = app.post(&staff, &format!("{path}/erase"), json!({"confirm_name": "钱忙碌"})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
    let (_, gone) = app.get(&staff, &path).await;
    assert_eq!(gone["name"], format!("已注销人员#{id}"));
    // the finished pair keeps its count, without its notes
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM mentorships WHERE mentor_id = {id} AND notes IS NULL")).await,
        1
    );
});

both!(only_staff_covering_the_person_may_erase, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "周在册", app.town.village_a, 821, &[]).await;
    let id = v["id"].as_i64().expect("id");
    app.account_for("zhou821", Role::Volunteer, app.town.village_a, id).await;
    let body = json!({"confirm_name": "周在册"});
    for who in ["leader_a", "other_staff", "grid_a", "zhou821"] {
        let token = app.token(who).await;
        let (s, e) = app.post(&token, &format!("/api/v1/volunteers/{id}/erase"), body.clone()).await;
        assert!(s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND, "{who}: {s} {e}");
    }
    let (_, still) = app.get(&staff, &format!("/api/v1/volunteers/{id}")).await;
    assert_eq!(still["name"], "周在册");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM volunteers WHERE erased_at IS NOT NULL").await, 0);
    // the administrator may (their scope is everything)
    let admin = app.token("admin").await;
    let (s, e) = app.post(&admin, &format!("/api/v1/volunteers/{id}/erase"), body).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
});

both!(an_erasure_racing_an_edit_or_another_erasure_is_never_half_written, |app: TestApp| async move {
    let staff = app.token("staff").await;
    for round in 0..4u32 {
        let seq = 831 + round * 2;
        let name = format!("吴赛跑{round}");
        let v = app.volunteer(&staff, &name, app.town.village_a, seq, &[]).await;
        let id = v["id"].as_i64().expect("id");
        let path = format!("/api/v1/volunteers/{id}");
        let erase_path = format!("{path}/erase");
        let erase = app.post(&staff, &erase_path, json!({"confirm_name": name}));
        let erase2 = app.post(&staff, &erase_path, json!({"confirm_name": name}));
        let edit = app.patch(&staff, &path, json!({"phone": phone(seq + 500), "address": "新地址"}));
        let ((s1, e1), (s2, e2), (s3, e3)) = tokio::join!(erase, erase2, edit);
        let erased = [s1, s2].iter().filter(|s| **s == StatusCode::NO_CONTENT).count();
        assert_eq!(erased, 1, "exactly one erasure wins: {s1} {e1} / {s2} {e2}");
        for (s, e) in [(s1, &e1), (s2, &e2)] {
            assert!(s == StatusCode::NO_CONTENT || e["error"]["code"] == "erased", "{s} {e}");
        }
        assert!(
            s3 == StatusCode::OK || e3["error"]["code"] == "erased",
            "the edit went first or was refused: {s3} {e3}"
        );
        // whoever went first, the row ends erased, with nothing of either version left
        let clean = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM volunteers WHERE id = {id} AND erased_at IS NOT NULL AND phone_sealed = ''
                    AND address IS NULL AND name = '已注销人员#{id}'"
            ))
            .await;
        assert_eq!(clean, 1, "round {round}");
    }
    assert_eq!(laobing::store::audit::verify(&app.db.pool).await.expect("verify"), None);
});

both!(the_erase_page_says_what_goes_and_what_stays, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "郑页面", app.town.village_a, 851, &[]).await;
    let id = v["id"].as_i64().expect("id");
    let a = app.activity(&staff, "植树", &hours_from_now(24), &hours_from_now(26), 20, "civilization").await;
    app.post(&staff, &format!("/api/v1/activities/{}/signups", a["id"]), json!({"volunteer_id": id})).await;
    crate::pages::sign_in(&app, "staff").await;
    let profile = app.page(&format!("/volunteers/{id}")).await;
    assert!(profile.contains(&format!("href=\"/volunteers/{id}/erase\"")), "the profile links the erase page");
    let html = app.page(&format!("/volunteers/{id}/erase")).await;
    assert!(html.contains("将删除") && html.contains("将保留") && html.contains("报表数字不变"), "{html}");
    let csrf = crate::mentoring::value_of(&html, "csrf");
    let r = app
        .client
        .post(app.url(&format!("/volunteers/{id}/erase")))
        .form(&[("csrf", csrf.as_str()), ("confirm_name", "郑页面")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let refused = r.text().await.expect("text");
    assert!(refused.contains("id=\"erase-blockers\"") && refused.contains("植树"), "{refused}");
    app.call(&staff, reqwest::Method::DELETE, &format!("/api/v1/activities/{}/signups/{id}", a["id"]), None).await;
    let r = app
        .client
        .post(app.url(&format!("/volunteers/{id}/erase")))
        .form(&[("csrf", csrf.as_str()), ("confirm_name", "郑页面")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let done = app.page(&format!("/volunteers/{id}")).await;
    assert!(done.contains("id=\"erased-note\"") && !done.contains("郑页面"), "{done}");
    assert!(!done.contains(&format!("/volunteers/{id}/erase")), "no second erasure offered");
});
