//! Activities: sign-up with capacity under concurrency, the waiting list,
//! attendance, closing, outcomes.

use crate::both;
use crate::common::{hours_from_now, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both!(activities_are_validated, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let a = app.activity(&staff, "春耕助农", &hours_from_now(24), &hours_from_now(27), 10, "spring_farming").await;
    assert_eq!(a["organiser"], "回车村服务小队");
    assert_eq!(a["status"], "open");
    assert_eq!(a["signed_up"], 0);
    let base = json!({"title": "x", "category": "spring_farming", "region_id": app.town.village_a, "starts_at": hours_from_now(5), "ends_at": hours_from_now(6), "capacity": 5});
    for (field, value) in [
        ("ends_at", json!(hours_from_now(4))),
        ("capacity", json!(0)),
        ("category", json!("karaoke")),
        ("starts_at", json!("tomorrow 8am")),
    ] {
        let mut body = base.clone();
        body[field] = value;
        let (s, e) = app.post(&staff, "/api/v1/activities", body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let named = e["error"]["fields"].as_object().map(|f| f.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
        assert!(named.contains(&field.to_string()), "{field} not in {named:?}");
    }
    let mut other = base.clone();
    other["region_id"] = json!(app.town.other_village);
    assert_eq!(app.post(&staff, "/api/v1/activities", other).await.0, StatusCode::FORBIDDEN);
    let (s, list) = app.get(&staff, "/api/v1/activities?upcoming=true").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let (s, p) =
        app.patch(&staff, &format!("/api/v1/activities/{}", a["id"]), json!({"capacity": 12, "place": "村广场"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p["capacity"], 12);
    assert_eq!(p["title"], "春耕助农");
    let (s, p) = app.patch(&staff, &format!("/api/v1/activities/{}", a["id"]), json!({"place": null})).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert!(p["place"].is_null(), "null clears the place: {p}");
    assert_eq!(p["capacity"], 12, "what a change leaves out stays");
});

both!(thirty_racing_for_twenty_places_gives_twenty_and_ten_waiting, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let a = app.activity(&staff, "防汛演练", &hours_from_now(48), &hours_from_now(50), 20, "flood_relief").await;
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(
            app.volunteer(&staff, &format!("队员{i}"), app.town.village_a, 400 + i, &[]).await["id"]
                .as_i64()
                .expect("id"),
        );
    }
    let url = app.url(&format!("/api/v1/activities/{}/signups", a["id"]));
    let mut tasks = Vec::new();
    for id in &ids {
        let (client, url, token, id) = (app.client.clone(), url.clone(), staff.clone(), *id);
        tasks.push(tokio::spawn(async move {
            let r = client.post(url).bearer_auth(token).json(&json!({"volunteer_id": id})).send().await.expect("send");
            (r.status(), r.json::<Value>().await.expect("json"))
        }));
    }
    let mut statuses = Vec::new();
    let mut positions = Vec::new();
    for t in tasks {
        let (s, body) = t.await.expect("join");
        assert_eq!(s, StatusCode::CREATED, "{body}");
        statuses.push(body["status"].as_str().unwrap_or("").to_string());
        if let Some(p) = body["waiting_position"].as_i64() {
            positions.push(p);
        }
    }
    assert_eq!(statuses.iter().filter(|s| *s == "signed_up").count(), 20);
    assert_eq!(statuses.iter().filter(|s| *s == "waiting").count(), 10);
    positions.sort();
    assert_eq!(positions, (1..=10).collect::<Vec<i64>>(), "waiting places are 1..10 without gaps");
    let (_, a2) = app.get(&staff, &format!("/api/v1/activities/{}", a["id"])).await;
    assert_eq!((a2["signed_up"].as_i64(), a2["waiting"].as_i64()), (Some(20), Some(10)));
    let (s, body) =
        app.post(&staff, &format!("/api/v1/activities/{}/signups", a["id"]), json!({"volunteer_id": ids[0]})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "already_signed_up");
});

both!(a_cancellation_moves_the_waiting_list_up, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let a = app.activity(&staff, "安全巡逻", &hours_from_now(10), &hours_from_now(12), 2, "safety_patrol").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let id = app.volunteer(&staff, &format!("巡逻{i}"), app.town.village_a, 500 + i, &[]).await["id"]
            .as_i64()
            .expect("id");
        app.post(&staff, &format!("/api/v1/activities/{}/signups", a["id"]), json!({"volunteer_id": id})).await;
        ids.push(id);
    }
    let (s, body) =
        app.call(&staff, Method::DELETE, &format!("/api/v1/activities/{}/signups/{}", a["id"], ids[0]), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["promoted"], ids[2], "the first on the waiting list moves up");
    let (_, sheet) = app.get(&staff, &format!("/api/v1/activities/{}/attendance", a["id"])).await;
    let status_of = |id: i64| {
        sheet.as_array().expect("array").iter().find(|l| l["volunteer_id"] == id).map(|l| l["signup"].clone())
    };
    assert_eq!(status_of(ids[2]), Some(json!("signed_up")));
    assert_eq!(status_of(ids[3]), Some(json!("waiting")));
    assert_eq!(status_of(ids[0]), Some(json!("cancelled")));
    // a waiting volunteer leaving frees no place
    let (_, body) =
        app.call(&staff, Method::DELETE, &format!("/api/v1/activities/{}/signups/{}", a["id"], ids[3]), None).await;
    assert_eq!(body["promoted"], Value::Null);
    let (s, _) =
        app.call(&staff, Method::DELETE, &format!("/api/v1/activities/{}/signups/{}", a["id"], ids[3]), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
});

both!(attendance_becomes_one_service_record, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let a = app.activity(&staff, "环境整治", &hours_from_now(-5), &hours_from_now(-1), 10, "civilization").await;
    let v = app.volunteer(&staff, "王清洁", app.town.village_a, 601, &[]).await;
    let path = format!("/api/v1/activities/{}/attendance", a["id"]);
    let body = json!({"volunteer_id": v["id"], "check_in": hours_from_now(-5), "check_out": hours_from_now(-2)});
    let (s, r) = app.post(&staff, &path, body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert!(r["service_record_id"].as_i64().is_some());
    let (_, again) = app.post(&staff, &path, body).await;
    assert_eq!(again["service_record_id"], Value::Null, "the same attendance never counts twice");
    let (_, recs) = app.get(&staff, &format!("/api/v1/volunteers/{}/service-records", v["id"])).await;
    let recs = recs.as_array().expect("array");
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["hours"], 3.0);
    assert_eq!(recs[0]["source"], "activity");
    assert_eq!(recs[0]["source_id"], a["id"]);
    assert_eq!(recs[0]["category"], "civilization");
    assert_eq!(recs[0]["late"], false);
    let (_, vol) = app.get(&staff, &format!("/api/v1/volunteers/{}", v["id"])).await;
    assert_eq!(vol["service_hours"], 3.0);
    assert_eq!(vol["star_level"], 0);
    let (s, e) = app
        .post(
            &staff,
            &path,
            json!({"volunteer_id": v["id"], "check_in": hours_from_now(-2), "check_out": hours_from_now(-3)}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["check_out"].is_string());
});

both!(closing_ends_forgotten_check_outs_and_flags_them, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let a = app.activity(&staff, "疫情值守", &hours_from_now(-6), &hours_from_now(-2), 10, "epidemic_prevention").await;
    let v1 = app.volunteer(&staff, "甲", app.town.village_a, 611, &[]).await;
    let v2 = app.volunteer(&staff, "乙", app.town.village_a, 613, &[]).await;
    let path = format!("/api/v1/activities/{}/attendance", a["id"]);
    app.post(
        &staff,
        &path,
        json!({"volunteer_id": v1["id"], "check_in": hours_from_now(-6), "check_out": hours_from_now(-4)}),
    )
    .await;
    app.post(&staff, &path, json!({"volunteer_id": v2["id"], "check_in": hours_from_now(-5)})).await;
    let (s, closed) = app.post(&staff, &format!("/api/v1/activities/{}/close", a["id"]), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(closed["service_records"], 1, "v1 already had a record; v2 gets one now");
    assert_eq!(closed["closed_by_system"], 1);
    let (_, sheet) = app.get(&staff, &format!("/api/v1/activities/{}/attendance", a["id"])).await;
    let line = sheet.as_array().expect("array").iter().find(|l| l["volunteer_id"] == v2["id"]).cloned().expect("v2");
    assert_eq!(line["auto_closed"], true, "flagged for the leader to confirm");
    let (_, v2r) = app.get(&staff, &format!("/api/v1/volunteers/{}", v2["id"])).await;
    assert_eq!(v2r["service_hours"], 3.0, "checked out at the activity's end");
    let (s, _) = app.post(&staff, &format!("/api/v1/activities/{}/close", a["id"]), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) =
        app.post(&staff, &format!("/api/v1/activities/{}/signups", a["id"]), json!({"volunteer_id": v1["id"]})).await;
    assert_eq!(s, StatusCode::CONFLICT, "no sign-ups after the end");
    let (s, o) = app
        .call(&staff, Method::PUT, &format!("/api/v1/activities/{}/outcomes", a["id"]), Some(json!({"beneficiaries": 120, "audience": 0, "households_relocated": 3, "persons_relocated": 9, "notes": "卡点值守"})))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((o["beneficiaries"].as_i64(), o["persons_relocated"].as_i64()), (Some(120), Some(9)));
    let (s, _) = app
        .call(
            &staff,
            Method::PUT,
            &format!("/api/v1/activities/{}/outcomes", a["id"]),
            Some(json!({"beneficiaries": -1})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
});

both!(late_entries_are_flagged_after_ten_working_days, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let a =
        app.activity(&staff, "补录活动", &hours_from_now(-24 * 21), &hours_from_now(-24 * 21 + 3), 10, "lecture").await;
    let v = app.volunteer(&staff, "补录人", app.town.village_a, 621, &[]).await;
    app.post(&staff, &format!("/api/v1/activities/{}/attendance", a["id"]), json!({"volunteer_id": v["id"], "check_in": hours_from_now(-24 * 21), "check_out": hours_from_now(-24 * 21 + 2)})).await;
    let (_, recs) = app.get(&staff, &format!("/api/v1/volunteers/{}/service-records", v["id"])).await;
    assert_eq!(recs[0]["late"], true, "three weeks later is past ten working days");
    assert_eq!(recs[0]["hours"], 2.0, "and is still accepted");
});

both!(a_leader_runs_only_their_own_teams_activities, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let lead = app.volunteer(&staff, "队长", app.town.village_a, 631, &[]).await;
    app.patch(&staff, &format!("/api/v1/teams/{}", app.town.team_a), json!({"leader_id": lead["id"]})).await;
    app.exec(&format!("UPDATE users SET volunteer_id = {} WHERE username = 'leader_a'", lead["id"])).await;
    let leader = app.token("leader_a").await;
    let (s, own) = app
        .post(&leader, "/api/v1/activities", json!({"title": "本队活动", "category": "other", "team_id": app.town.team_a, "region_id": app.town.village_a, "starts_at": hours_from_now(3), "ends_at": hours_from_now(4), "capacity": 5}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{own}");
    let theirs = app.activity(&staff, "镇里活动", &hours_from_now(3), &hours_from_now(4), 5, "other").await;
    app.exec(&format!("UPDATE activities SET team_id = {} WHERE id = {}", app.town.squad, theirs["id"])).await;
    assert_eq!(
        app.post(&leader, &format!("/api/v1/activities/{}/close", theirs["id"]), json!({})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&leader, &format!("/api/v1/activities/{}/close", own["id"]), json!({})).await.0,
        StatusCode::OK
    );
});

both!(volunteers_sign_themselves_up_and_no_one_else, |app: TestApp| async move {
    use laobing::domain::account::Role;
    let staff = app.token("staff").await;
    let a =
        app.activity(&staff, "征兵宣传", &hours_from_now(30), &hours_from_now(33), 3, "conscription_publicity").await;
    let me = app.volunteer(&staff, "自己报名", app.town.village_a, 641, &[]).await;
    let other = app.volunteer(&staff, "别人", app.town.village_a, 643, &[]).await;
    app.account_for("self", Role::Volunteer, app.town.village_a, me["id"].as_i64().expect("id")).await;
    let t = app.token("self").await;
    let (s, out) =
        app.post(&t, &format!("/api/v1/activities/{}/signups", a["id"]), json!({"volunteer_id": me["id"]})).await;
    assert_eq!(s, StatusCode::CREATED, "{out}");
    assert_eq!(out["status"], "signed_up");
    let (s, _) =
        app.post(&t, &format!("/api/v1/activities/{}/signups", a["id"]), json!({"volunteer_id": other["id"]})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a volunteer signs up only themselves");
    let (s, _) = app
        .post(
            &t,
            &format!("/api/v1/activities/{}/attendance", a["id"]),
            json!({"volunteer_id": me["id"], "check_in": hours_from_now(-1)}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "nor records attendance");
    let (s, _) =
        app.call(&t, Method::DELETE, &format!("/api/v1/activities/{}/signups/{}", a["id"], me["id"]), None).await;
    assert_eq!(s, StatusCode::OK);
});

both!(a_forged_or_expired_check_in_link_does_nothing, |app: TestApp| async move {
    use laobing::domain::account::Role;
    let staff = app.token("staff").await;
    let a = app.activity(&staff, "值守", &hours_from_now(-1), &hours_from_now(1), 3, "safety_patrol").await;
    let me = app.volunteer(&staff, "扫码人", app.town.village_a, 651, &[]).await;
    app.account_for("scanner", Role::Volunteer, app.town.village_a, me["id"].as_i64().expect("id")).await;
    crate::pages::sign_in(&app, "scanner").await;
    let activity = laobing::store::activities::get(&app.db.pool, a["id"].as_i64().expect("id"))
        .await
        .expect("get")
        .expect("activity");
    let state = laobing::web::AppState::new(app.db.clone(), String::new());
    let (token, _) = laobing::web::checkin::make_token(&state, &activity);
    let r = app.client.get(app.url(&format!("/checkin/{token}"))).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK, "the real link works");
    // without a place the scan is refused, as an error, and no button invites another try
    let html = r.text().await.expect("text");
    let marker = "name=\"csrf\" value=\"";
    let csrf = html[html.find(marker).expect("csrf") + marker.len()..].split('"').next().unwrap_or("").to_string();
    let r = app
        .client
        .post(app.url(&format!("/checkin/{token}")))
        .form(&[("csrf", csrf.as_str()), ("action", "in")])
        .send()
        .await
        .expect("send");
    let html = r.text().await.expect("text");
    assert!(html.contains("您没有该活动的名额"), "{html}");
    assert!(html.contains("class=\"alert\" role=\"alert\" id=\"checkin-message\""), "shown as an error");
    assert!(!html.contains("id=\"check-in\""), "no check-in button after a refusal");
    let forged = token.replacen(&format!("{}-", a["id"]), "999-", 1);
    let r = app.client.get(app.url(&format!("/checkin/{forged}"))).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.expect("text").contains("签到码无效或已过期"));
    let parts: Vec<&str> = token.splitn(3, '-').collect();
    let stretched = format!("{}-{}-{}", parts[0], parts[1].parse::<i64>().expect("exp") + 86_400, parts[2]);
    assert_eq!(
        app.client.get(app.url(&format!("/checkin/{stretched}"))).send().await.expect("send").status(),
        StatusCode::NOT_FOUND,
        "its life cannot be extended"
    );
    assert!(
        laobing::web::checkin::read_token(&state, &token, chrono::Utc::now() + chrono::Duration::hours(4)).is_none(),
        "expired two hours after the end"
    );
});

both!(lowering_the_capacity_while_people_sign_up_never_overbooks, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let mut ids = Vec::new();
    for i in 0..9 {
        ids.push(
            app.volunteer(&staff, &format!("改容量{i}"), app.town.village_a, 700 + i, &[]).await["id"]
                .as_i64()
                .expect("id"),
        );
    }
    for round in 0..4 {
        let a =
            app.activity(&staff, &format!("义诊{round}"), &hours_from_now(30), &hours_from_now(33), 10, "other").await;
        let aid = a["id"].as_i64().expect("id");
        for id in &ids[..3] {
            let (s, _) =
                app.post(&staff, &format!("/api/v1/activities/{aid}/signups"), json!({"volunteer_id": id})).await;
            assert_eq!(s, StatusCode::CREATED);
        }
        // the organiser cuts the places to four while six more sign up
        let mut tasks = Vec::new();
        for &id in &ids[3..] {
            let (client, url, token) =
                (app.client.clone(), app.url(&format!("/api/v1/activities/{aid}/signups")), staff.clone());
            tasks.push(tokio::spawn(async move {
                client
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({"volunteer_id": id}))
                    .send()
                    .await
                    .expect("send")
                    .status()
            }));
        }
        let (client, url, token) = (app.client.clone(), app.url(&format!("/api/v1/activities/{aid}")), staff.clone());
        let cut = tokio::spawn(async move {
            let r = client.patch(url).bearer_auth(token).json(&json!({"capacity": 4})).send().await.expect("send");
            (r.status(), r.json::<Value>().await.expect("json"))
        });
        for t in tasks {
            assert_eq!(t.await.expect("join"), StatusCode::CREATED);
        }
        let (s, body) = cut.await.expect("join");
        let (_, after) = app.get(&staff, &format!("/api/v1/activities/{aid}")).await;
        let (capacity, placed) = (after["capacity"].as_i64().expect("cap"), after["signed_up"].as_i64().expect("n"));
        assert!(placed <= capacity, "round {round}: {placed} with a place but only {capacity} places");
        assert_eq!(placed + after["waiting"].as_i64().expect("w"), 9, "everyone is placed or waiting");
        if s == StatusCode::OK {
            assert_eq!((capacity, placed), (4, 4), "cut first: one more place, the rest wait");
        } else {
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert!(body["error"]["fields"]["capacity"].as_str().is_some_and(|m| m.contains("已报名")), "{body}");
            assert_eq!(capacity, 10, "a refused cut changes nothing");
        }
        let (s, e) = app.patch(&staff, &format!("/api/v1/activities/{aid}"), json!({"capacity": 1})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "fewer places than people placed: {e}");
        assert!(e["error"]["fields"]["capacity"].as_str().is_some_and(|m| m.contains("cannot be less")), "{e}");
    }
});

both!(the_activities_page_pages_searches_and_filters, |app: TestApp| async move {
    let staff = app.token("staff").await;
    for i in 0..23 {
        app.activity(
            &staff,
            &format!("例行巡河第{i}次"),
            &hours_from_now(-200 + i),
            &hours_from_now(-199 + i),
            5,
            "safety_patrol",
        )
        .await;
    }
    let special =
        app.activity(&staff, "重阳节敬老_100%到场", &hours_from_now(30), &hours_from_now(32), 9, "lecture").await;
    crate::pages::sign_in(&app, "staff").await;
    let app = &app;
    let get = |path: String| async move {
        let r = app.client.get(app.url(&path)).send().await.expect("send");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.text().await.expect("text")
    };
    let items = |html: &str| html.matches("<li><a href=\"/activities/").count();
    let first = get("/activities".into()).await;
    assert_eq!(items(&first), 20, "twenty to a page");
    assert!(first.find("id=\"new-activity\"") < first.find("id=\"activity-list\""), "the way to a new one comes first");
    assert!(first.contains("rel=\"next\"") && !first.contains("rel=\"prev\""));
    let second = get("/activities?page=2".into()).await;
    assert_eq!(items(&second), 4, "the rest on the second page");
    assert!(second.contains("rel=\"prev\"") && !second.contains("rel=\"next\""));
    // a search is taken literally: % and _ are characters, not patterns
    let found = get(format!("/activities?q={}", laobing::web::url::urlencode("100%到场"))).await;
    assert_eq!(items(&found), 1, "{found}");
    assert!(found.contains(&format!("/activities/{}", special["id"])));
    let none = get(format!("/activities?q={}", laobing::web::url::urlencode("%"))).await;
    assert_eq!(items(&none), 1, "only the title that holds a % sign");
    let upcoming = get("/activities?upcoming=1".into()).await;
    assert_eq!(items(&upcoming), 1, "only the one still to come");
    let closed = get("/activities?status=closed".into()).await;
    assert_eq!(items(&closed), 0, "none closed yet");
    assert!(closed.contains("没有符合条件的活动"));
});

both!(the_sign_in_sheet_prints_who_holds_a_place_and_room_for_walk_ins, |app: TestApp| async move {
    use laobing::domain::account::Role;
    let staff = app.token("staff").await;
    let a = app.activity(&staff, "清明祭扫", &hours_from_now(24), &hours_from_now(27), 30, "lecture").await;
    let mut people = Vec::new();
    for (i, name) in ["签到甲", "签到乙", "签到丙"].iter().enumerate() {
        let v = app.volunteer(&staff, name, app.town.village_a, 900 + i as u32, &[]).await;
        let (s, r) = app
            .post(&staff, &format!("/api/v1/activities/{}/signups", a["id"]), json!({"volunteer_id": v["id"]}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        people.push(v);
    }
    crate::pages::sign_in(&app, "staff").await;
    let show = app.client.get(app.url(&format!("/activities/{}", a["id"]))).send().await.expect("send");
    let show = show.text().await.expect("text");
    assert!(show.contains(&format!("href=\"/activities/{}/sheet\"", a["id"])), "the page offers the sheet");
    let r = app.client.get(app.url(&format!("/activities/{}/sheet", a["id"]))).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("text");
    for v in &people {
        assert!(html.contains(v["name"].as_str().expect("name")), "every name with a place is printed");
    }
    assert!(html.contains("回车村") && html.contains("138****0900"), "village and phone, masked");
    assert!(!html.contains("13800000900"), "never the full phone on a sheet left on a table");
    assert_eq!(html.matches("class=\"blank\"").count(), 22, "blank lines up to 25, at least eight");
    // a volunteer cannot print it
    let me = people[0]["id"].as_i64().expect("id");
    app.account_for("sheet_vol", Role::Volunteer, app.town.village_a, me).await;
    crate::pages::sign_in(&app, "sheet_vol").await;
    let r = app.client.get(app.url(&format!("/activities/{}/sheet", a["id"]))).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
});

both!(staff_sign_someone_up_and_add_a_walk_in_from_the_page, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let a = app.activity(&staff, "秋收互助", &hours_from_now(-1), &hours_from_now(2), 10, "spring_farming").await;
    let phoneless = app.volunteer(&staff, "没有手机的老李", app.town.village_a, 951, &[]).await;
    let walker = app.volunteer(&staff, "路过帮忙的老王", app.town.village_a, 953, &[]).await;
    let csrf = crate::pages::sign_in(&app, "staff").await;
    let page = format!("/activities/{}", a["id"]);
    let html =
        app.client.get(app.url(&format!("{page}?find=老李"))).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("没有手机的老李") && html.contains("value=\"enrol\""), "found, with a sign-up button");
    let post = |action: &'static str, v: &serde_json::Value| {
        let id = v["id"].to_string();
        let form = vec![("csrf", csrf.clone()), ("action", action.to_string()), ("volunteer_id", id)];
        app.client.post(app.url(&page)).form(&form).send()
    };
    let r = post("enrol", &phoneless).await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.expect("text").contains("已代为报名"));
    let r = post("walk_in", &walker).await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let (_, sheet) = app.get(&staff, &format!("/api/v1/activities/{}/attendance", a["id"])).await;
    let line =
        |v: &serde_json::Value| sheet.as_array().and_then(|l| l.iter().find(|x| x["volunteer_id"] == v["id"]).cloned());
    assert_eq!(line(&phoneless).map(|l| l["signup"].clone()), Some(json!("signed_up")), "{sheet}");
    let w = line(&walker).expect("the walk-in is on the sheet");
    assert_eq!(w["signup"], "walk_in");
    assert!(w["check_in"].is_string() && w["check_out"].is_null(), "checked in, to be checked out later: {w}");
    // signing the same person up twice is refused, in red
    let r = post("enrol", &phoneless).await.expect("send");
    assert_ne!(r.status(), StatusCode::OK);
    assert!(r.text().await.expect("text").contains("class=\"alert\" role=\"alert\""));
});

both!(a_team_leader_opens_a_town_wide_activity_his_page_offers, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let lead = app.volunteer(&staff, "村队长", app.town.village_a, 961, &[]).await;
    app.exec(&format!("UPDATE users SET volunteer_id = {} WHERE username = 'leader_a'", lead["id"])).await;
    let (s, town_wide) = app
        .post(
            &staff,
            "/api/v1/activities",
            json!({"title": "全镇八一座谈", "category": "lecture", "team_id": app.town.squad, "region_id": app.town.town,
                   "starts_at": hours_from_now(30), "ends_at": hours_from_now(32), "place": "镇政府", "capacity": 50}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{town_wide}");
    crate::pages::sign_in(&app, "leader_a").await;
    let me = app.client.get(app.url("/me")).send().await.expect("send").text().await.expect("text");
    let link = format!("/activities/{}", town_wide["id"]);
    assert!(me.contains(&link), "his page offers the town-wide activity");
    let r = app.client.get(app.url(&link)).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK, "and he may open it");
});
