//! The roster API: validation, derived fields, filters, paging, PATCH, races.

use crate::both;
use crate::common::{id_number, phone, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

both!(a_volunteer_gets_a_number_and_derived_fields, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let (s, v) = app
        .post(
            &staff,
            "/api/v1/volunteers",
            json!({
                "name": "　李 建国 ", "id_number": id_number("19650315", 123), "phone": "+86 139-0037-1234",
                "region_id": app.town.village_a, "lat": 33.37, "lon": 111.64, "branch": "陆军",
                "enlisted_on": "1983-10-01", "discharged_on": "1988-12-01", "veteran_category": "discharged_soldier",
                "party_member": true, "honors": ["最美退役军人"], "skills": ["driving", "游泳"], "cadre_role": "村委委员",
                "availability": "周末"
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(v["volunteer_no"].as_str().is_some_and(|n| n.starts_with("LB") && n.len() == 9), "{v}");
    assert_eq!(v["name"], "李 建国");
    assert_eq!(v["gender"], "male", "odd sequence digit");
    assert_eq!(v["birth_date"], "1965-03-15");
    assert_eq!(v["phone"], "13900371234", "staff see the normalised number in full");
    assert_eq!(v["skills"], json!(["driving", "swimming"]));
    assert_eq!(v["status"], "active");
    assert_eq!(v["honors"], json!(["最美退役军人"]));
    let (s, again) = app.get(&staff, &format!("/api/v1/volunteers/{}", v["id"])).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["id_number"], id_number("19650315", 123));
    assert_eq!(again["volunteer_no"], v["volunteer_no"]);
    // what is stored at rest is sealed, not the number itself
    let plain = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM volunteers WHERE id_sealed LIKE '%{}%' OR phone_sealed LIKE '%13900371234%'",
            id_number("19650315", 123)
        ))
        .await;
    assert_eq!(plain, 0);
});

both!(bad_profiles_name_every_field_in_both_languages, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let mut bad_check = id_number("19650315", 123);
    let last = bad_check.pop().expect("char");
    bad_check.push(if last == '1' { '2' } else { '1' });
    let (s, body) = app
        .post(
            &staff,
            "/api/v1/volunteers",
            json!({"name": "", "id_number": bad_check, "phone": "12345", "region_id": app.town.village_a,
                   "skills": ["juggling"], "discharged_on": "2099-01-01", "gender": "female"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "validation_failed");
    let fields = &body["error"]["fields"];
    for f in ["name", "id_number", "phone", "skills", "discharged_on"] {
        assert!(fields[f].is_string(), "{f} not named in {body}");
    }
    let why = fields["id_number"].as_str().unwrap_or("");
    assert!(why.contains("身份证号") && why.contains("校验位") && why.contains("check digit"), "{why}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM volunteers").await, 0, "nothing was written");

    // gender typed beside the ID number must agree with it
    let (s, body) = app
        .post(&staff, "/api/v1/volunteers", json!({"name": "甲", "id_number": id_number("19650315", 123), "phone": phone(1), "region_id": app.town.village_a, "gender": "female"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["gender"].is_string());
    let (s, body) = app
        .post(
            &staff,
            "/api/v1/volunteers",
            json!({"name": "甲", "id_number": id_number("19650315", 123), "phone": phone(1), "region_id": 999999}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["region_id"].is_string());
});

both!(an_id_number_is_registered_once, |app: TestApp| async move {
    let staff = app.token("staff").await;
    app.volunteer(&staff, "甲", app.town.village_a, 21, &[]).await;
    let (s, body) = app
        .post(&staff, "/api/v1/volunteers", json!({"name": "乙", "id_number": id_number("19800101", 21), "phone": phone(99), "region_id": app.town.village_b}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["id_number"].as_str().is_some_and(|m| m.contains("已登记")), "{body}");
});

both!(racing_registrations_of_one_person_store_exactly_one, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = app.client.clone();
        let url = app.url("/api/v1/volunteers");
        let token = staff.clone();
        let body = json!({"name": format!("重复{i}"), "id_number": id_number("19700707", 77), "phone": phone(i), "region_id": app.town.village_a, "skills": ["driving", "medical"]});
        tasks.push(tokio::spawn(async move {
            client.post(url).bearer_auth(token).json(&body).send().await.map(|r| r.status())
        }));
    }
    let mut created = 0;
    for t in tasks {
        match t.await.expect("join").expect("send") {
            StatusCode::CREATED => created += 1,
            StatusCode::UNPROCESSABLE_ENTITY => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM volunteers").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM volunteer_skills").await, 2, "no half-written profile is left");
});

both!(parallel_registrations_get_distinct_numbers, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let mut tasks = Vec::new();
    for i in 0..12u32 {
        let client = app.client.clone();
        let url = app.url("/api/v1/volunteers");
        let token = staff.clone();
        let body = json!({"name": format!("并发{i}"), "id_number": id_number("19750505", 100 + i), "phone": phone(i), "region_id": app.town.village_b});
        tasks.push(tokio::spawn(async move {
            client.post(url).bearer_auth(token).json(&body).send().await.expect("send").json::<Value>().await
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.expect("join").expect("json")["volunteer_no"].as_str().expect("number").to_string());
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 12);
});

both!(lists_filter_and_page, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let a = app.volunteer(&staff, "张驾驶", app.town.village_a, 31, &["driving"]).await;
    app.volunteer(&staff, "李医生", app.town.village_a, 33, &["medical"]).await;
    let b = app.volunteer(&staff, "王游泳", app.town.village_b, 35, &["swimming", "driving"]).await;
    app.patch(&staff, &format!("/api/v1/volunteers/{}", b["id"]), json!({"status": "inactive"})).await;
    app.post(&staff, &format!("/api/v1/teams/{}/members", app.town.team_a), json!({"volunteer_id": a["id"]})).await;

    let names = |v: &Value| -> Vec<String> {
        v.as_array().expect("array").iter().map(|x| x["name"].as_str().unwrap_or("").to_string()).collect()
    };
    let (_, all) = app.get(&staff, "/api/v1/volunteers").await;
    assert_eq!(names(&all), vec!["张驾驶", "李医生", "王游泳"]);
    let (_, l) = app.get(&staff, "/api/v1/volunteers?skill=driving").await;
    assert_eq!(names(&l), vec!["张驾驶", "王游泳"]);
    let (_, l) = app.get(&staff, "/api/v1/volunteers?skill=驾驶&status=active").await;
    assert_eq!(names(&l), vec!["张驾驶"], "a skill by its Chinese name");
    let (_, l) = app.get(&staff, &format!("/api/v1/volunteers?region_id={}", app.town.village_b)).await;
    assert_eq!(names(&l), vec!["王游泳"]);
    let (_, l) = app.get(&staff, &format!("/api/v1/volunteers?team_id={}", app.town.team_a)).await;
    assert_eq!(names(&l), vec!["张驾驶"]);
    let (_, l) = app.get(&staff, &format!("/api/v1/volunteers?q={}", "医")).await;
    assert_eq!(names(&l), vec!["李医生"]);
    let (_, l) = app.get(&staff, &format!("/api/v1/volunteers?q={}", a["volunteer_no"].as_str().unwrap_or(""))).await;
    assert_eq!(names(&l), vec!["张驾驶"], "by volunteer number");
    let (_, l) = app.get(&staff, &format!("/api/v1/volunteers?q=138-0000-{:04}", 35)).await;
    assert_eq!(names(&l), vec!["王游泳"], "by a whole phone number, however written");
    let r = app
        .client
        .get(app.url("/api/v1/volunteers?limit=2&offset=1&with_total=true"))
        .bearer_auth(&staff)
        .send()
        .await
        .expect("send");
    assert_eq!(r.headers().get("x-total-count").and_then(|v| v.to_str().ok()), Some("3"));
    let page: Value = r.json().await.expect("json");
    assert_eq!(names(&page), vec!["李医生", "王游泳"]);
    for bad in ["limit=0", "limit=5000", "offset=-1", "limit=abc", "status=retired", "skill=juggling", "team_id=x"] {
        let (s, body) = app.get(&staff, &format!("/api/v1/volunteers?{bad}")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(body["error"]["fields"].as_object().is_some_and(|f| !f.is_empty()), "{bad}: {body}");
    }
});

both!(patch_changes_only_what_it_names, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "刘海涛", app.town.village_a, 41, &["farming"]).await;
    let path = format!("/api/v1/volunteers/{}", v["id"]);
    let (s, p) =
        app.patch(&staff, &path, json!({"phone": "139 1111 2222", "skills": ["farming", "electrician"]})).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["phone"], "13911112222");
    assert_eq!(p["skills"], json!(["electrician", "farming"]));
    assert_eq!(p["name"], "刘海涛");
    assert_eq!(p["id_number"], v["id_number"]);
    assert_eq!(p["volunteer_no"], v["volunteer_no"]);
    let (s, body) = app.patch(&staff, &path, json!({"phone": "not a phone"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["phone"].is_string());
    let (_, still) = app.get(&staff, &path).await;
    assert_eq!(still["phone"], "13911112222", "a refused PATCH changes nothing");
    let (s, _) = app.patch(&staff, &path, json!({"volunteer_no": "LB9999999"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = app.patch(&staff, &path, json!({"region_id": app.town.other_village})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "cannot move someone out of one's own scope");
    let (s, p) = app.patch(&staff, &path, json!({"address": null})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p["address"], Value::Null);
    assert_eq!(app.get(&staff, "/api/v1/volunteers/777777").await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.patch(&staff, "/api/v1/volunteers/777777", json!({})).await.0, StatusCode::NOT_FOUND);
});

both!(a_name_search_ignores_latin_case_on_both_databases, |app: TestApp| async move {
    let staff = app.token("staff").await;
    app.volunteer(&staff, "Ma Li", app.town.village_a, 41, &[]).await;
    app.volunteer(&staff, "马丽", app.town.village_a, 42, &[]).await;
    let names = |v: &Value| -> Vec<String> {
        v.as_array().expect("array").iter().map(|x| x["name"].as_str().unwrap_or("").to_string()).collect()
    };
    for q in ["ma%20li", "MA", "Li"] {
        let (s, l) = app.get(&staff, &format!("/api/v1/volunteers?q={q}")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(names(&l), vec!["Ma Li"], "{q}");
    }
    let (_, l) = app.get(&staff, "/api/v1/volunteers?q=%E9%A9%AC").await;
    assert_eq!(names(&l), vec!["马丽"]);
    // wildcards and a backslash are text, not patterns
    for q in ["%25", "_", "%5C"] {
        let (s, l) = app.get(&staff, &format!("/api/v1/volunteers?q={q}")).await;
        assert_eq!(s, StatusCode::OK, "{q}");
        assert_eq!(names(&l).len(), 2, "{q}: an emptied pattern matches every name, as an empty search does");
    }
});
