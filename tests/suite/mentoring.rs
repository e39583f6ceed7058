//! Veterans help veterans (老兵带新兵): mentor pairs, their outcomes, and the
//! board of job and business leads.

use crate::both;
use crate::common::{id_number, phone, TestApp};
use laobing::domain::account::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

fn days_ago(n: i64) -> String {
    (today() - chrono::Duration::days(n)).to_string()
}

async fn veteran(app: &TestApp, token: &str, name: &str, region: i64, seq: u32, discharged_on: &str) -> i64 {
    let (s, v) = app
        .post(
            token,
            "/api/v1/volunteers",
            json!({"name": name, "id_number": id_number("19880101", seq), "phone": phone(seq), "region_id": region,
                   "enlisted_on": "2006-09-01", "discharged_on": discharged_on}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_i64().expect("id")
}

pub fn value_of(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).map(|i| i + marker.len()).expect("field present");
    html[start..].split('"').next().unwrap_or("").to_string()
}

fn ids(v: &Value) -> Vec<i64> {
    v.as_array().expect("array").iter().filter_map(|m| m["id"].as_i64()).collect()
}

both!(mentor_pairs_follow_the_rules, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let mentor = veteran(&app, &staff, "老班长", app.town.village_a, 3001, "2016-12-01").await;
    let mentee = veteran(&app, &staff, "新兵小张", app.town.village_a, 3002, &days_ago(200)).await;
    let mentee_b = veteran(&app, &staff, "新兵小李", app.town.village_b, 3003, &days_ago(400)).await;
    let resting = veteran(&app, &staff, "歇着的", app.town.village_a, 3004, "2015-12-01").await;
    app.patch(&staff, &format!("/api/v1/volunteers/{resting}"), json!({"status": "inactive"})).await;

    let (s, e) = app
        .post(&staff, "/api/v1/mentorships", json!({"mentor_id": mentor, "mentee_id": mentor, "goal": "employment"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "nobody mentors himself");
    assert!(e["error"]["fields"]["mentee_id"].as_str().is_some_and(|m| m.contains("本人") && m.contains("himself")));
    let (s, e) = app
        .post(&staff, "/api/v1/mentorships", json!({"mentor_id": mentor, "mentee_id": mentee, "goal": "fame"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["goal"].is_string());
    let (s, _) = app
        .post(&staff, "/api/v1/mentorships", json!({"mentor_id": 999_999, "mentee_id": mentee, "goal": "employment"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, e) = app
        .post(&staff, "/api/v1/mentorships", json!({"mentor_id": resting, "mentee_id": mentee, "goal": "employment"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "an inactive mentor is refused: {e}");
    assert!(e["error"]["fields"]["mentor_id"].is_string());

    let (s, pair) = app
        .post(
            &staff,
            "/api/v1/mentorships",
            json!({"mentor_id": mentor, "mentee_id": mentee, "goal": "employment", "started_on": days_ago(100)}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{pair}");
    assert_eq!(
        (pair["outcome"].as_str(), pair["region_id"].as_i64(), pair["mentee_name"].as_str()),
        (Some("none"), Some(app.town.village_a), Some("新兵小张"))
    );
    assert!(pair["outcome_on"].is_null());
    let (s, e) = app
        .post(
            &staff,
            "/api/v1/mentorships",
            json!({"mentor_id": resting, "mentee_id": mentee, "goal": "entrepreneurship"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, e) = app
        .post(
            &staff,
            "/api/v1/mentorships",
            json!({"mentor_id": mentee_b, "mentee_id": mentee, "goal": "entrepreneurship"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "one open pair per mentee: {e}");
    assert_eq!(e["error"]["code"], "mentee_has_open_mentorship");

    // outcomes: a date is needed, inside the pairing and not in the future
    let path = format!("/api/v1/mentorships/{}", pair["id"]);
    let (s, e) = app.patch(&staff, &path, json!({"outcome": "employed"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["outcome_on"].is_string());
    let (s, _) = app.patch(&staff, &path, json!({"outcome": "employed", "outcome_on": days_ago(150)})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "before the pairing started");
    let (s, _) = app.patch(&staff, &path, json!({"outcome": "employed", "outcome_on": days_ago(-3)})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "in the future");
    let (s, done) = app.patch(&staff, &path, json!({"outcome": "employed", "outcome_on": days_ago(10)})).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(
        (done["outcome"].as_str(), done["outcome_on"].as_str()),
        (Some("employed"), Some(days_ago(10).as_str()))
    );

    // with the first pair closed the mentee may be paired again, and then the first cannot reopen
    let (s, second) = app
        .post(
            &staff,
            "/api/v1/mentorships",
            json!({"mentor_id": mentee_b, "mentee_id": mentee, "goal": "entrepreneurship"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    assert_eq!(app.patch(&staff, &path, json!({"outcome": "none"})).await.0, StatusCode::CONFLICT);

    // outcome none clears the date
    let (s, b) = app
        .post(
            &staff,
            "/api/v1/mentorships",
            json!({"mentor_id": mentor, "mentee_id": mentee_b, "goal": "entrepreneurship", "started_on": days_ago(60),
                   "outcome": "business_started", "outcome_on": days_ago(5)}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (_, reopened) =
        app.patch(&staff, &format!("/api/v1/mentorships/{}", b["id"]), json!({"outcome": "none"})).await;
    assert_eq!((reopened["outcome"].as_str(), reopened["outcome_on"].is_null()), (Some("none"), true));

    // the region filter follows the mentee
    let (_, in_a) = app.get(&staff, &format!("/api/v1/mentorships?region_id={}", app.town.village_a)).await;
    assert_eq!(ids(&in_a).len(), 2);
    let (_, in_b) = app.get(&staff, &format!("/api/v1/mentorships?region_id={}", app.town.village_b)).await;
    assert_eq!(ids(&in_b), vec![b["id"].as_i64().expect("id")]);
    assert_eq!(app.get(&staff, &path).await.1["mentor_name"], "老班长");

    // another town's staff sees none of it and cannot pair our veterans
    let other = app.token("other_staff").await;
    assert_eq!(app.get(&other, &path).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&other, "/api/v1/mentorships").await.1.as_array().map(Vec::len), Some(0));
    let (s, _) = app
        .post(&other, "/api/v1/mentorships", json!({"mentor_id": mentor, "mentee_id": mentee_b, "goal": "employment"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.patch(&other, &path, json!({"notes": "x"})).await.0, StatusCode::FORBIDDEN);
    let leader = app.token("leader_a").await;
    let (s, _) = app
        .post(&leader, "/api/v1/mentorships", json!({"mentor_id": mentor, "mentee_id": resting, "goal": "employment"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "staff pair veterans");

    // the new veteran sees his own pairs, on the API and on his phone page
    app.account_for("xiaozhang", Role::Volunteer, app.town.village_a, mentee).await;
    let mine = app.token("xiaozhang").await;
    let (s, own) = app.get(&mine, "/api/v1/mentorships").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ids(&own).len(), 2);
    assert_eq!(app.get(&mine, &format!("/api/v1/mentorships/{}", b["id"])).await.0, StatusCode::FORBIDDEN);
    crate::pages::sign_in(&app, "xiaozhang").await;
    let html = app.client.get(app.url("/me")).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("老班长") && html.contains("已就业"), "my pairs on my page");
    assert!(html.contains("href=\"/leads\""), "the leads board is a tap away");
});

both!(the_mentoring_page_pairs_new_veterans_and_records_outcomes, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let mentor = veteran(&app, &staff, "老班长", app.town.village_a, 3101, "2010-12-01").await;
    let fresh = veteran(&app, &staff, "刚退役", app.town.village_a, 3102, &days_ago(30)).await;
    veteran(&app, &staff, "退役多年", app.town.village_b, 3103, "2012-12-01").await;
    crate::pages::sign_in(&app, "staff").await;
    let html = app.client.get(app.url("/mentoring")).send().await.expect("send").text().await.expect("text");
    // the mentees offered without a search: the newly discharged first, none chosen for the user
    let mentees =
        html.split("id=\"mentee-choices\"").nth(1).and_then(|s| s.split("</fieldset>").next()).expect("mentees");
    let fresh_at = mentees.find("刚退役 ·").expect("the new veteran is offered");
    let old_at = mentees.find("退役多年 ·").expect("the others too");
    assert!(fresh_at < old_at, "newly discharged veterans come first");
    assert!(!html.contains("checked"), "no one is chosen for the user");
    let mentors =
        html.split("id=\"mentor-choices\"").nth(1).and_then(|s| s.split("</fieldset>").next()).expect("mentors");
    assert!(!mentors.contains("type=\"radio\""), "mentors are found by a search, not a list of everyone");
    // the search box finds the mentor by name, and the mentee by number
    let found = app.page("/mentoring?mentor=%E8%80%81%E7%8F%AD&mentee=").await;
    let mentors =
        found.split("id=\"mentor-choices\"").nth(1).and_then(|s| s.split("</fieldset>").next()).expect("mentors");
    assert!(mentors.contains("老班长 ·") && !mentors.contains("刚退役"), "{mentors}");
    let csrf = value_of(&html, "csrf");
    let (m, f) = (mentor.to_string(), fresh.to_string());
    // a refused pair says why in red and keeps whoever was chosen, chosen
    let r = app
        .client
        .post(app.url("/mentoring"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "pair"),
            ("mentor_id", &f),
            ("mentee_id", &f),
            ("goal", "employment"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = r.text().await.expect("text");
    assert!(refused.contains("class=\"alert\""), "in the error style");
    let chosen = format!("value=\"{f}\" required checked");
    assert_eq!(refused.matches(&chosen).count(), 2, "both sides kept as chosen");
    let r = app
        .client
        .post(app.url("/mentoring"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "pair"),
            ("mentor_id", &m),
            ("mentee_id", &f),
            ("goal", "employment"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, list) = app.get(&staff, "/api/v1/mentorships").await;
    let id = list[0]["id"].as_i64().expect("pair").to_string();
    let r = app
        .client
        .post(app.url("/mentoring"))
        .form(&[("csrf", csrf.as_str()), ("action", "outcome"), ("id", &id), ("outcome", "business_started")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "the date is missing");
    assert!(r.text().await.expect("text").contains("成效日期"));
    let today = today().to_string();
    let r = app
        .client
        .post(app.url("/mentoring"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "outcome"),
            ("id", &id),
            ("outcome", "business_started"),
            ("outcome_on", &today),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = app.client.get(app.url("/mentoring?done=1")).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("已创业"));
    // the pairs search by either name and filter by outcome
    let pairs = |html: &str| {
        html.split("id=\"pairs\"").nth(1).and_then(|s| s.split("</ul>").next()).unwrap_or("").matches("<li><b>").count()
    };
    assert_eq!(pairs(&app.page("/mentoring?q=%E5%88%9A%E9%80%80").await), 1, "found by the mentee's name");
    assert_eq!(pairs(&app.page("/mentoring?q=%E6%97%A0%E6%AD%A4%E4%BA%BA").await), 0);
    assert_eq!(pairs(&app.page("/mentoring?outcome=open").await), 0);
    assert_eq!(pairs(&app.page("/mentoring?outcome=done").await), 1);
    // and export as the page filters them
    let (s, rows) = crate::exports::download(&app, &staff, "/api/v1/exports/mentorships?outcome=done").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(rows.len(), 3, "title, header and the one pair: {rows:?}");
    assert!(
        rows.iter().any(|r| r.iter().any(|c| c == "刚退役")) && rows.iter().any(|r| r.iter().any(|c| c == "已创业")),
        "{rows:?}"
    );
});

both!(the_leader_of_a_mentoring_group_pairs_veterans_of_his_village, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let lead = veteran(&app, &staff, "帮带组长", app.town.village_a, 3301, "2008-12-01").await;
    let fresh = veteran(&app, &staff, "刚回村", app.town.village_a, 3302, &days_ago(90)).await;
    let elsewhere = veteran(&app, &staff, "东坪新兵", app.town.village_b, 3303, &days_ago(90)).await;
    app.account_for("zuzhang", Role::TeamLeader, app.town.village_a, lead).await;
    let leader = app.token("zuzhang").await;
    let pair = json!({"mentor_id": lead, "mentee_id": fresh, "goal": "employment"});
    assert_eq!(app.post(&leader, "/api/v1/mentorships", pair.clone()).await.0, StatusCode::FORBIDDEN, "no group yet");
    let (s, t) = app
        .post(
            &staff,
            "/api/v1/teams",
            json!({"name": "回车村帮带小组", "kind": "mentoring", "region_id": app.town.village_a, "leader_id": lead}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let (s, p) = app.post(&leader, "/api/v1/mentorships", pair).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (s, _) = app
        .post(&leader, "/api/v1/mentorships", json!({"mentor_id": lead, "mentee_id": elsewhere, "goal": "employment"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only inside his own village");
});

both!(six_staff_pairing_one_new_veteran_at_once_make_one_open_pair, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let fresh = veteran(&app, &staff, "抢手新兵", app.town.village_a, 3401, &days_ago(30)).await;
    let mut mentors = Vec::new();
    for i in 0..6 {
        mentors.push(veteran(&app, &staff, &format!("导师{i}"), app.town.village_a, 3410 + i, "2012-12-01").await);
    }
    let mut tasks = Vec::new();
    for m in mentors {
        let (client, url, token) = (app.client.clone(), app.url("/api/v1/mentorships"), staff.clone());
        tasks.push(tokio::spawn(async move {
            let body = json!({"mentor_id": m, "mentee_id": fresh, "goal": "employment"});
            client.post(url).bearer_auth(token).json(&body).send().await.expect("send").status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("join"));
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 5, "{statuses:?}");
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM mentorships WHERE mentee_id = {fresh}")).await, 1);
});

both!(the_leads_board_reaches_the_villages_below, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let post = |title: &str, region: i64| json!({"kind": "job", "title": title, "employer": "西峡县物流园", "contact": "0377-6900000", "region_id": region});
    let (s, town_lead) = app.post(&staff, "/api/v1/leads", post("叉车司机", app.town.town)).await;
    assert_eq!(s, StatusCode::CREATED, "{town_lead}");
    assert_eq!(town_lead["status"], "open");
    let (_, a_lead) = app.post(&staff, "/api/v1/leads", post("回车村合作社会计", app.town.village_a)).await;
    let (_, b_lead) = app.post(&staff, "/api/v1/leads", post("东坪村香菇大棚", app.town.village_b)).await;
    let (_, gone) = app
        .post(
            &staff,
            "/api/v1/leads",
            json!({"kind": "business", "title": "已招满", "region_id": app.town.village_a, "expires_on": days_ago(-30)}),
        )
        .await;
    let (s, e) = app
        .post(
            &staff,
            "/api/v1/leads",
            json!({"kind": "gig", "title": "", "region_id": app.town.town, "expires_on": days_ago(2)}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["kind", "title", "expires_on"] {
        assert!(e["error"]["fields"][f].is_string(), "{f}: {e}");
    }
    let (s, closed) = app.patch(&staff, &format!("/api/v1/leads/{}", gone["id"]), json!({"status": "closed"})).await;
    assert_eq!((s, closed["status"].as_str()), (StatusCode::OK, Some("closed")));
    let (_, open) = app.get(&staff, "/api/v1/leads").await;
    assert_eq!(ids(&open).len(), 3, "open by default");
    let (_, shut) = app.get(&staff, "/api/v1/leads?status=closed").await;
    assert_eq!(ids(&shut), vec![gone["id"].as_i64().expect("id")]);
    let (_, in_b) = app.get(&staff, &format!("/api/v1/leads?region_id={}", app.town.village_b)).await;
    assert_eq!(ids(&in_b), vec![b_lead["id"].as_i64().expect("id")]);

    // a veteran of 回车村 reads his village's and his town's open leads
    let v = app.volunteer(&staff, "找工作的", app.town.village_a, 3201, &[]).await;
    app.account_for("jobseeker", Role::Volunteer, app.town.village_a, v["id"].as_i64().expect("id")).await;
    let me = app.token("jobseeker").await;
    let (s, board) = app.get(&me, "/api/v1/leads").await;
    assert_eq!(s, StatusCode::OK);
    let mut seen = ids(&board);
    seen.sort();
    assert_eq!(seen, vec![town_lead["id"].as_i64().expect("id"), a_lead["id"].as_i64().expect("id")]);
    assert_eq!(app.get(&me, &format!("/api/v1/leads/{}", b_lead["id"])).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.post(&me, "/api/v1/leads", post("自己发", app.town.village_a)).await.0, StatusCode::FORBIDDEN);
    let other = app.token("other_staff").await;
    assert_eq!(
        app.patch(&other, &format!("/api/v1/leads/{}", a_lead["id"]), json!({"status": "closed"})).await.0,
        StatusCode::FORBIDDEN
    );
    crate::pages::sign_in(&app, "jobseeker").await;
    let html = app.client.get(app.url("/leads")).send().await.expect("send").text().await.expect("text");
    assert!(html.contains("叉车司机") && html.contains("回车村合作社会计"));
    assert!(!html.contains("东坪村香菇大棚") && !html.contains("已招满"));
    assert!(!html.contains("lead-form"), "volunteers read the board, staff post on it");
});
