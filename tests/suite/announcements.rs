//! Announcements: who sees a notice, and who has read it.

use crate::both;
use crate::common::TestApp;
use laobing::domain::account::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn titles(v: &Value) -> Vec<String> {
    v.as_array().expect("list").iter().map(|a| a["title"].as_str().unwrap_or("").to_string()).collect()
}

both!(a_town_notice_reaches_its_villages_and_counts_its_readers, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let admin = app.token("admin").await;
    let va = app.volunteer(&staff, "回车村老兵", app.town.village_a, 4001, &[]).await;
    let vb = app.volunteer(&staff, "东坪村老兵", app.town.village_b, 4003, &[]).await;
    let vo = app.volunteer(&admin, "丁河村老兵", app.town.other_village, 4005, &[]).await;
    let id = |v: &Value| v["id"].as_i64().expect("id");
    app.account_for("vol_a", Role::Volunteer, app.town.village_a, id(&va)).await;
    app.account_for("vol_b", Role::Volunteer, app.town.village_b, id(&vb)).await;
    app.account_for("vol_o", Role::Volunteer, app.town.other_village, id(&vo)).await;
    let (s, town) = app
        .post(
            &staff,
            "/api/v1/announcements",
            json!({"title": "优抚政策解读", "body": "今年起……", "kind": "policy", "region_id": app.town.town}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{town}");
    assert_eq!(town["posted_by_name"], "staff");
    let (s, _) = app
        .post(
            &staff,
            "/api/v1/announcements",
            json!({"title": "东坪村招聘护林员", "body": "……", "kind": "job", "region_id": app.town.village_b}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .post(
            &admin,
            "/api/v1/announcements",
            json!({"title": "丁河镇八一座谈会", "body": "……", "kind": "event", "region_id": app.town.other_town}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let vol_a = app.token("vol_a").await;
    let (_, seen) = app.get(&vol_a, "/api/v1/announcements").await;
    assert_eq!(titles(&seen), vec!["优抚政策解读"], "the town notice, not the other village's or town's");
    assert!(seen[0]["read_at"].is_null());
    let vol_o = app.token("vol_o").await;
    let (_, seen) = app.get(&vol_o, "/api/v1/announcements").await;
    assert_eq!(titles(&seen), vec!["丁河镇八一座谈会"]);
    let (_, seen) = app.get(&staff, "/api/v1/announcements").await;
    assert_eq!(titles(&seen), vec!["东坪村招聘护林员", "优抚政策解读"], "staff see their whole subtree");
    let url = format!("/api/v1/announcements/{}", town["id"]);
    assert_eq!(app.get(&vol_o, &url).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.post(&vol_o, &format!("{url}/read"), json!({})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.post(&vol_a, "/api/v1/announcements/999999/read", json!({})).await.0, StatusCode::NOT_FOUND);
    // a phone that double-taps: several reads at once leave one receipt
    let mut taps = Vec::new();
    for _ in 0..5 {
        let (client, to, token) = (app.client.clone(), app.url(&format!("{url}/read")), vol_a.clone());
        taps.push(tokio::spawn(async move {
            let r = client.post(to).bearer_auth(token).json(&json!({})).send().await.expect("send");
            (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
        }));
    }
    let mut answers = Vec::new();
    for t in taps {
        answers.push(t.await.expect("join"));
    }
    assert!(answers.iter().all(|(s, _)| *s == StatusCode::OK), "{answers:?}");
    let (s, first) = app.post(&vol_a, &format!("{url}/read"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert!(answers.iter().all(|(_, a)| a["read_at"] == first["read_at"]), "every tap answers the first time");
    let (s, again) = app.post(&vol_a, &format!("{url}/read"), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(first["read_at"], again["read_at"], "reading twice keeps the first time");
    let (_, seen) = app.get(&vol_a, &url).await;
    assert_eq!(seen["read_at"], first["read_at"]);
    let (s, reads) = app.get(&staff, &format!("{url}/reads")).await;
    assert_eq!(s, StatusCode::OK, "{reads}");
    assert_eq!(reads["read"].as_array().map(Vec::len), Some(1), "one receipt however often it was read");
    assert_eq!(
        (reads["read"][0]["user"].as_str(), reads["read"][0]["volunteer_name"].as_str()),
        (Some("vol_a"), Some("回车村老兵"))
    );
    assert_eq!(reads["unread_count"], 1, "vol_b in the town has not read it; vol_o is elsewhere");
    let vol_b = app.token("vol_b").await;
    app.post(&vol_b, &format!("{url}/read"), json!({})).await;
    let (_, reads) = app.get(&staff, &format!("{url}/reads")).await;
    assert_eq!(reads["unread_count"], 0);
    assert_eq!(app.get(&vol_a, &format!("{url}/reads")).await.0, StatusCode::FORBIDDEN);
    let other = app.token("other_staff").await;
    assert_eq!(app.get(&other, &format!("{url}/reads")).await.0, StatusCode::FORBIDDEN);
    let (s, e) = app
        .post(
            &staff,
            "/api/v1/announcements",
            json!({"title": "", "body": "x", "kind": "gossip", "region_id": app.town.town}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["title"].is_string() && e["error"]["fields"]["kind"].is_string(), "{e}");
    let (s, _) = app
        .post(&other, "/api/v1/announcements", json!({"title": "越权", "body": "x", "region_id": app.town.town}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(&vol_a, "/api/v1/announcements", json!({"title": "我也发", "body": "x", "region_id": app.town.village_a}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
});

both!(a_volunteer_reads_a_notice_on_the_phone_and_staff_see_it_read, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let va = app.volunteer(&staff, "回车村老兵", app.town.village_a, 4101, &[]).await;
    app.account_for("vol_a", Role::Volunteer, app.town.village_a, va["id"].as_i64().expect("id")).await;
    let csrf = crate::pages::sign_in(&app, "staff").await;
    let r = app
        .client
        .post(app.url("/announcements"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "八一座谈会通知"),
            ("kind", "event"),
            ("region_id", &app.town.town.to_string()),
            ("body", "8月1日上午九点\n镇会议室"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().expect("location").to_string();
    let html = app.client.get(app.url(&to)).send().await.expect("send").text().await.expect("text");
    assert!(
        html.contains("八一座谈会通知") && html.contains("id=\"unread-count\">1"),
        "staff see one volunteer yet to read"
    );
    let html = app.client.get(app.url("/announcements")).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("八一座谈会通知") && html.contains("announcement-form"), "the staff page lists and posts");
    crate::pages::sign_in(&app, "vol_a").await;
    let html = app.client.get(app.url("/me")).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("八一座谈会通知") && html.contains("未读"), "the notice is on the phone page, unread");
    let r = app.client.get(app.url(&to)).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("text");
    assert!(html.contains("镇会议室") && !html.contains("unread-count"), "volunteers read it without the receipts");
    let html = app.client.get(app.url("/me")).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("八一座谈会通知") && !html.contains("未读"), "opening it marked it read");
    crate::pages::sign_in(&app, "staff").await;
    let html = app.client.get(app.url(&to)).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("id=\"unread-count\">0") && html.contains("回车村老兵"));
});

both!(a_notice_is_kept_exactly_as_typed, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let csrf = crate::pages::sign_in(&app, "staff").await;
    let typed = "通知：明天８点集合，\n请带好雨具！（穿胶鞋）";
    let r = app
        .client
        .post(app.url("/announcements"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "防汛演练：请准时！"),
            ("kind", "event"),
            ("region_id", &app.town.town.to_string()),
            ("body", typed),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, list) = app.get(&staff, "/api/v1/announcements").await;
    let stored = list.as_array().and_then(|l| l.iter().find(|a| a["title"] == "防汛演练：请准时！")).cloned();
    let stored = stored.unwrap_or_else(|| panic!("the title is kept with its full-width punctuation: {list}"));
    assert_eq!(stored["body"], typed, "the body is stored exactly as typed, line break and punctuation included");
    let to = r.headers()["location"].to_str().expect("location").to_string();
    let html = app.client.get(app.url(&to)).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("通知：明天８点集合，") && html.contains("请带好雨具！（穿胶鞋）"), "shown as typed");
    // codes and numbers are still folded: a full-width phone is one phone
    let (s, v) = app
        .post(
            &staff,
            "/api/v1/volunteers",
            json!({"name": "全角号码", "id_number": crate::common::id_number("19620405", 71), "phone": "１３９００００１２３４",
                   "region_id": app.town.village_a}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, full) = app.get(&staff, &format!("/api/v1/volunteers/{}", v["id"])).await;
    assert_eq!(full["phone"], "13900001234");
});

both!(people_are_named_by_their_names_not_their_logins, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let (_, me) = app.get(&staff, "/api/v1/me").await;
    assert_eq!(me["display_name"], "staff", "without a name the login stands in");
    let id = me["user_id"].as_i64().expect("id");
    laobing::store::accounts::set_display_name(&app.db.pool, id, Some("张站长")).await.expect("name");
    // servers hold sessions with their account's name, read again every second
    app.sync_sessions().await;
    let (_, me) = app.get(&staff, "/api/v1/me").await;
    assert_eq!(me["display_name"], "张站长");
    let v = app.volunteer(&staff, "队员刘强", app.town.village_a, 4301, &[]).await;
    app.account_for("liuqiang", Role::Volunteer, app.town.village_a, v["id"].as_i64().expect("id")).await;
    let (_, vme) = app.get(&app.token("liuqiang").await, "/api/v1/me").await;
    assert_eq!(vme["display_name"], "队员刘强", "a volunteer's account shows the volunteer's name");
    let (s, a) = app
        .post(
            &staff,
            "/api/v1/announcements",
            json!({"title": "署名测试", "body": "内容", "kind": "event", "region_id": app.town.town}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    crate::pages::sign_in(&app, "staff").await;
    let html = app
        .client
        .get(app.url(&format!("/announcements/{}", a["id"])))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert!(html.contains("· 张站长"), "the author by name");
    let (_, report) = app
        .get(&staff, &format!("/api/v1/reports/summary?region_id={}&from=2026-01-01&to=2026-12-31", app.town.town))
        .await;
    assert_eq!(report["prepared_by"], "张站长", "the report's preparer by name: {report}");
});
