//! Service records, corrections, stars, points and certificates.

use crate::both;
use crate::common::{hours_from_now, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A volunteer with one record of `hours` hours, three days ago; returns (volunteer, record).
async fn served(app: &TestApp, staff: &str, seq: u32, hours: i64) -> (Value, Value) {
    let a = app.activity(staff, "宣讲活动", &hours_from_now(-72), &hours_from_now(-72 + hours), 50, "lecture").await;
    let v = app.volunteer(staff, "服务者", app.town.village_a, seq, &[]).await;
    let (s, r) = app
        .post(
            staff,
            &format!("/api/v1/activities/{}/attendance", a["id"]),
            json!({"volunteer_id": v["id"], "check_in": hours_from_now(-72), "check_out": hours_from_now(-72 + hours)}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, recs) = app.get(staff, &format!("/api/v1/volunteers/{}/service-records", v["id"])).await;
    (v, recs[0].clone())
}

both!(a_correction_moves_hours_stars_and_points_together, |app: TestApp| async move {
    let staff = app.token("staff").await;
    // a town that gives a star at 5 hours, to see the star move
    let (s, _) = app
        .call(&staff, reqwest::Method::PUT, &format!("/api/v1/regions/{}/rules", app.town.town),
              Some(json!({"star_thresholds": [5.0, 10.0, 20.0, 40.0, 80.0], "count_travel": false, "calendar": {"holidays": [], "workdays": []},
                          "earning": {"per_hour": 10.0, "emergency_bonus_per_hour": 5.0, "cap_per_service": 0}})))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (v, rec) = served(&app, &staff, 701, 4).await;
    let vpath = format!("/api/v1/volunteers/{}", v["id"]);
    let (_, before) = app.get(&staff, &vpath).await;
    assert_eq!((before["service_hours"].as_f64(), before["star_level"].as_i64()), (Some(4.0), Some(0)));
    let (_, pts) = app.get(&staff, &format!("{vpath}/points")).await;
    assert_eq!(pts["balance"], 40);

    let (s, fixed) = app
        .post(
            &staff,
            &format!("/api/v1/service-records/{}/corrections", rec["id"]),
            json!({"started_at": hours_from_now(-72), "ended_at": hours_from_now(-66), "reason": "签退时间登记错误"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{fixed}");
    assert_eq!(fixed["corrects"], rec["id"]);
    assert_eq!(fixed["hours"], 6.0);
    let (_, after) = app.get(&staff, &vpath).await;
    assert_eq!(
        (after["service_hours"].as_f64(), after["star_level"].as_i64()),
        (Some(6.0), Some(1)),
        "hours and star follow"
    );
    let (_, pts) = app.get(&staff, &format!("{vpath}/points")).await;
    assert_eq!(pts["balance"], 60, "points follow: -40 reversed, +60 booked");
    let sum: i64 = pts["entries"].as_array().expect("entries").iter().filter_map(|e| e["points"].as_i64()).sum();
    assert_eq!(sum, pts["balance"].as_i64().unwrap_or(-1), "the balance is the ledger's sum");
    let (_, recs) = app.get(&staff, &format!("{vpath}/service-records")).await;
    let recs = recs.as_array().expect("array");
    assert_eq!(recs.len(), 2, "the original stays visible");
    let original = recs.iter().find(|r| r["id"] == rec["id"]).expect("original");
    assert_eq!(original["corrected_by"], fixed["id"]);
    assert_eq!(original["hours"], 4.0);

    let (s, e) = app
        .post(
            &staff,
            &format!("/api/v1/service-records/{}/corrections", rec["id"]),
            json!({"started_at": hours_from_now(-72), "ended_at": hours_from_now(-70), "reason": "再改"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "correct the newest record, not the replaced one");
    assert_eq!(e["error"]["code"], "already_corrected");
    let (s, e) = app
        .post(
            &staff,
            &format!("/api/v1/service-records/{}/corrections", fixed["id"]),
            json!({"started_at": hours_from_now(-72)}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["ended_at"].is_string() && e["error"]["fields"]["reason"].is_string());
});

both!(racing_corrections_of_one_record_let_one_win, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let (v, rec) = served(&app, &staff, 711, 2).await;
    let url = app.url(&format!("/api/v1/service-records/{}/corrections", rec["id"]));
    let mut tasks = Vec::new();
    for i in 0..6 {
        let (client, url, token) = (app.client.clone(), url.clone(), staff.clone());
        let body = json!({"started_at": hours_from_now(-72), "ended_at": hours_from_now(-72 + 3), "reason": format!("并发{i}")});
        tasks.push(tokio::spawn(async move {
            client.post(url).bearer_auth(token).json(&body).send().await.expect("send").status()
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.expect("join") {
            StatusCode::CREATED => won += 1,
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(won, 1);
    let (_, pts) = app.get(&staff, &format!("/api/v1/volunteers/{}/points", v["id"])).await;
    assert_eq!(pts["balance"], 30, "one reversal, one booking");
});

both!(certificates_are_issued_and_verified_by_anyone, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let (v, _) = served(&app, &staff, 721, 3).await;
    let (s, c1) = app.get(&staff, &format!("/api/v1/volunteers/{}/certificate", v["id"])).await;
    assert_eq!(s, StatusCode::OK, "{c1}");
    assert_eq!(c1["hours"], 3.0);
    assert_eq!(c1["records"], 1);
    assert_eq!(c1["volunteer_no"], v["volunteer_no"]);
    assert_eq!(c1["issued_by"], "回车镇退役军人服务站");
    assert!(
        c1["id_number"].as_str().is_some_and(|s| s.contains("***")),
        "a certificate never shows the full ID number"
    );
    let (_, c2) = app.get(&staff, &format!("/api/v1/volunteers/{}/certificate", v["id"])).await;
    assert_ne!(c1["code"], c2["code"], "a new code each time one is issued");
    // anyone can check it, without signing in
    let r = reqwest::Client::new()
        .get(app.url(&format!("/verify/{}", c1["code"].as_str().expect("code"))))
        .header("accept", "application/json")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let checked: Value = r.json().await.expect("json");
    assert_eq!(checked["hours"], 3.0);
    assert_eq!(checked["name"], v["name"]);
    let html = reqwest::Client::new()
        .get(app.url(&format!("/verify/{}", c1["code"].as_str().expect("code"))))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert!(html.contains("此证明真实有效"));
    let r = reqwest::Client::new()
        .get(app.url("/verify/NOSUCHCODE23"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'issue_certificate'").await,
        2,
        "every issue is logged"
    );
    // a period with no service gives zero hours, not an error
    let (_, empty) =
        app.get(&staff, &format!("/api/v1/volunteers/{}/certificate?from=2020-01-01&to=2020-12-31", v["id"])).await;
    assert_eq!(empty["hours"], 0.0);
    let (s, _) =
        app.get(&staff, &format!("/api/v1/volunteers/{}/certificate?from=2021-01-01&to=2020-01-01", v["id"])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
});

both!(training_and_awards_are_their_own_lists, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "学习者", app.town.village_a, 731, &[]).await;
    let (s, t) = app
        .post(
            &staff,
            &format!("/api/v1/volunteers/{}/trainings", v["id"]),
            json!({"title": "应急救护培训", "organiser": "县红十字会", "held_on": "2026-06-01", "hours": 8}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(t[0]["title"], "应急救护培训");
    let (s, a) = app
        .post(
            &staff,
            &format!("/api/v1/volunteers/{}/awards", v["id"]),
            json!({"title": "优秀志愿者", "awarded_by": "西峡县退役军人事务局", "awarded_on": "2026-08-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(a[0]["awarded_by"], "西峡县退役军人事务局");
    let (_, recs) = app.get(&staff, &format!("/api/v1/volunteers/{}/service-records", v["id"])).await;
    assert_eq!(recs.as_array().map(Vec::len), Some(0), "training is not service");
    let (s, _) = app.post(&staff, &format!("/api/v1/volunteers/{}/trainings", v["id"]), json!({"title": "x"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
});

both!(bad_rules_are_refused, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let path = format!("/api/v1/regions/{}/rules", app.town.town);
    let (_, current) = app.get(&staff, &path).await;
    assert_eq!(current["star_thresholds"], json!([100.0, 300.0, 600.0, 1000.0, 1500.0]), "the national defaults");
    let mut bad = current.clone();
    bad["star_thresholds"] = json!([100.0, 50.0, 600.0, 1000.0, 1500.0]);
    assert_eq!(app.call(&staff, reqwest::Method::PUT, &path, Some(bad)).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let leader = app.token("leader_a").await;
    assert_eq!(
        app.call(
            &leader,
            reqwest::Method::PUT,
            &format!("/api/v1/regions/{}/rules", app.town.village_a),
            Some(current)
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
});

both!(awards_show_on_the_printed_certificate, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let (v, _) = served(&app, &staff, 741, 2).await;
    app.post(
        &staff,
        &format!("/api/v1/volunteers/{}/awards", v["id"]),
        json!({"title": "最美退役军人", "awarded_by": "南阳市退役军人事务局", "awarded_on": "2026-07-30"}),
    )
    .await;
    let csrf = crate::pages::sign_in(&app, "staff").await;
    let issued = app
        .client
        .post(app.url(&format!("/volunteers/{}/certificate", v["id"])))
        .form(&[("csrf", csrf.as_str()), ("from", ""), ("to", "")])
        .send()
        .await
        .expect("send");
    let printed = issued.headers()["location"].to_str().expect("location").to_string();
    let html = app.client.get(app.url(&printed)).send().await.expect("send").text().await.expect("text");
    assert!(
        html.contains("最美退役军人（南阳市退役军人事务局，2026年07月）"),
        "the award, its body and date are printed"
    );
    assert!(!html.contains(&crate::common::id_number("19800101", 741)), "never the full ID number");
});

both!(looking_at_a_certificate_issues_nothing_issuing_is_an_act, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let (v, _) = served(&app, &staff, 722, 2).await;
    let csrf = crate::pages::sign_in(&app, "staff").await;
    let page = format!("/volunteers/{}/certificate", v["id"]);
    let count = || app.scalar("SELECT COUNT(*) FROM certificates");
    for _ in 0..3 {
        let r = app.client.get(app.url(&page)).send().await.expect("send");
        assert_eq!(r.status(), StatusCode::OK);
    }
    assert_eq!(count().await, 0, "opening the page three times issues nothing");
    let r = app
        .client
        .post(app.url(&page))
        .form(&[("csrf", csrf.as_str()), ("from", ""), ("to", "")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().expect("location").to_string();
    assert!(to.contains("?code="), "{to}");
    let first = app.client.get(app.url(&to)).send().await.expect("send").text().await.expect("text");
    let again = app.client.get(app.url(&to)).send().await.expect("send").text().await.expect("text");
    assert_eq!(count().await, 1, "reopening shows the same certificate");
    let number = |html: &str| html.split("LBZM").nth(1).map(|s| s.chars().take(10).collect::<String>());
    assert!(number(&first).is_some() && number(&first) == number(&again), "the same number each time");
    let list = app.client.get(app.url(&page)).send().await.expect("send").text().await.expect("text");
    assert!(list.contains(&to), "the certificate is listed to open again");
    // a bad date is named, on the page, in red
    let r = app
        .client
        .post(app.url(&page))
        .form(&[("csrf", csrf.as_str()), ("from", "2026-13-01"), ("to", "")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("text").contains("class=\"alert\" role=\"alert\""));
    // the verify box leads to the certificate, and says so when a code is wrong
    let code = to.rsplit('=').next().unwrap_or("").to_string();
    let anyone = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let r = anyone.get(app.url("/verify")).send().await.expect("send");
    assert!(r.text().await.expect("text").contains("verify-form"));
    let r = anyone.get(app.url(&format!("/verify?code={}", code.to_lowercase()))).send().await.expect("send");
    assert_eq!(r.headers()["location"], format!("/verify/{code}"));
    let r = anyone.get(app.url("/verify?code=NOSUCH")).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.expect("text").contains("verify-error"));
});
