//! Regions (county > town > village > grid) and teams with members.

use crate::both;
use crate::common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

both!(regions_form_a_tree_in_order, |app: TestApp| async move {
    let admin = app.token("admin").await;
    let (s, c) = app
        .post(&admin, "/api/v1/regions", json!({"name": "内乡县", "kind": "county", "lat": 33.04, "lon": 111.85}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!(c["kind"], "county");
    assert_eq!(c["parent_id"], json!(null));
    let (s, body) =
        app.post(&admin, "/api/v1/regions", json!({"name": "某村", "kind": "village", "parent_id": c["id"]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a village cannot sit directly under a county");
    assert!(body["error"]["fields"]["kind"].is_string());
    let (s, t) =
        app.post(&admin, "/api/v1/regions", json!({"name": "赤眉镇", "kind": "town", "parent_id": c["id"]})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, body) =
        app.post(&admin, "/api/v1/regions", json!({"name": "赤眉镇", "kind": "town", "parent_id": c["id"]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "duplicate sibling name: {body}");
    assert!(body["error"]["fields"]["name"].as_str().is_some_and(|m| m.contains("已存在")));
    let (s, body) = app
        .post(&admin, "/api/v1/regions", json!({"name": "X村", "kind": "village", "parent_id": t["id"], "lat": 33.0}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["lon"].is_string(), "half a coordinate pair is named: {body}");
    let (s, _) =
        app.post(&admin, "/api/v1/regions", json!({"name": "X村", "kind": "hamlet", "parent_id": t["id"]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) =
        app.post(&admin, "/api/v1/regions", json!({"name": "X村", "kind": "village", "parent_id": 999999})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // the subtree filter returns the region and everything below it
    let (s, list) = app.get(&admin, &format!("/api/v1/regions?region_id={}", app.town.town)).await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = list.as_array().expect("array").iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, vec!["回车镇", "回车村", "第一网格", "东坪村"]);
    let (_, villages) = app.get(&admin, "/api/v1/regions?kind=village").await;
    assert_eq!(villages.as_array().map(Vec::len), Some(3));
    assert_eq!(app.get(&admin, "/api/v1/regions/987654").await.0, StatusCode::NOT_FOUND);
});

both!(staff_manage_regions_only_inside_their_town, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let (s, v) = app
        .post(&staff, "/api/v1/regions", json!({"name": "新建村", "kind": "village", "parent_id": app.town.town}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .post(&staff, "/api/v1/regions", json!({"name": "越界村", "kind": "village", "parent_id": app.town.other_town}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.post(&staff, "/api/v1/regions", json!({"name": "某县", "kind": "county"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only an administrator makes a root");
    assert_eq!(app.get(&staff, &format!("/api/v1/regions/{}", app.town.other_village)).await.0, StatusCode::FORBIDDEN);
    let (s, list) = app.get(&staff, "/api/v1/regions").await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.as_array().expect("array").iter().all(|r| r["name"] != "丁河镇"), "another town is not listed");
    assert_eq!(
        app.get(&staff, &format!("/api/v1/regions?region_id={}", app.town.other_town)).await.0,
        StatusCode::FORBIDDEN
    );

    let path = format!("/api/v1/regions/{}", v["id"]);
    let (s, r) = app.patch(&staff, &path, json!({"name": "新建社区", "lat": 33.35, "lon": 111.61})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["name"], "新建社区");
    assert_eq!(r["lat"], 33.35);
    let (s, body) = app.patch(&staff, &path, json!({"kind": "grid"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["kind"].is_string());
    let leader = app.token("leader_a").await;
    assert_eq!(app.patch(&leader, &path, json!({"name": "x"})).await.0, StatusCode::FORBIDDEN);
});

both!(teams_have_leaders_and_members, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let a1 = app.volunteer(&staff, "李强", app.town.village_a, 1, &["driving"]).await;
    let a2 = app.volunteer(&staff, "王伟", app.town.village_a, 3, &[]).await;
    let b1 = app.volunteer(&staff, "赵刚", app.town.village_b, 5, &[]).await;

    let (s, team) = app
        .post(&staff, "/api/v1/teams", json!({"name": "回车村应急分队", "kind": "emergency", "region_id": app.town.village_a, "leader_id": a1["id"]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{team}");
    assert_eq!(team["leader_id"], a1["id"]);
    assert_eq!(team["member_count"], 1, "the leader is a member");
    let members = format!("/api/v1/teams/{}/members", team["id"]);

    let (s, detail) = app.post(&staff, &members, json!({"volunteer_id": a2["id"]})).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(detail["members"].as_array().map(Vec::len), Some(2));
    let (s, body) = app.post(&staff, &members, json!({"volunteer_id": a2["id"]})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "already_member");
    let (s, body) = app.post(&staff, &members, json!({"volunteer_id": b1["id"]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a village team takes its own villagers");
    assert!(body["error"]["fields"]["volunteer_id"].is_string());
    let (s, _) = app.post(&staff, &members, json!({"volunteer_id": 424242})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // the town squad takes volunteers from any of its villages
    let squad = format!("/api/v1/teams/{}/members", app.town.squad);
    assert_eq!(app.post(&staff, &squad, json!({"volunteer_id": b1["id"]})).await.0, StatusCode::CREATED);

    let (s, _) = app.call(&staff, Method::DELETE, &format!("{members}/{}", a1["id"]), None).await;
    assert_eq!(s, StatusCode::CONFLICT, "the leader cannot leave");
    let (s, _) = app.call(&staff, Method::DELETE, &format!("{members}/{}", a2["id"]), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.call(&staff, Method::DELETE, &format!("{members}/{}", a2["id"]), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (_, list) = app.get(&staff, "/api/v1/teams?kind=emergency").await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let (_, list) = app.get(&staff, &format!("/api/v1/teams?region_id={}", app.town.village_b)).await;
    assert_eq!(list.as_array().and_then(|a| a.first()).map(|t| t["name"].clone()), Some(json!("东坪村服务小队")));
    let (s, body) = app.get(&staff, "/api/v1/teams?kind=choir").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["kind"].is_string());

    let (s, t) = app.patch(&staff, &format!("/api/v1/teams/{}", team["id"]), json!({"name": "回车村抢险队"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t["name"], "回车村抢险队");
    assert_eq!(t["kind"], "emergency", "a PATCH keeps what it does not name");
    let (s, _) = app.patch(&staff, &format!("/api/v1/teams/{}", team["id"]), json!({"leader_id": b1["id"]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a leader from another village");
    let (s, _) = app
        .post(&staff, "/api/v1/teams", json!({"name": "越界队", "kind": "other", "region_id": app.town.other_village}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            &staff,
            "/api/v1/teams",
            json!({"name": "回车村服务小队", "kind": "village_team", "region_id": app.town.village_a}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "same name in the same village");
});

both!(a_team_leader_manages_only_their_own_team, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let lead = app.volunteer(&staff, "队长甲", app.town.village_a, 7, &[]).await;
    let member = app.volunteer(&staff, "队员乙", app.town.village_a, 9, &[]).await;
    app.patch(&staff, &format!("/api/v1/teams/{}", app.town.team_a), json!({"leader_id": lead["id"]})).await;
    app.exec(&format!("UPDATE users SET volunteer_id = {} WHERE username = 'leader_a'", lead["id"])).await;
    let leader = app.token("leader_a").await;
    let (s, _) = app
        .post(&leader, &format!("/api/v1/teams/{}/members", app.town.team_a), json!({"volunteer_id": member["id"]}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .post(&leader, &format!("/api/v1/teams/{}/members", app.town.squad), json!({"volunteer_id": member["id"]}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the squad is not theirs");
    // serving in the town squad, the leader sees it, but still cannot change its roster
    app.post(&staff, &format!("/api/v1/teams/{}/members", app.town.squad), json!({"volunteer_id": lead["id"]})).await;
    let (s, squad) = app.get(&leader, &format!("/api/v1/teams/{}", app.town.squad)).await;
    assert_eq!(s, StatusCode::OK, "a member sees his team: {squad}");
    let (s, _) = app
        .post(&leader, &format!("/api/v1/teams/{}/members", app.town.squad), json!({"volunteer_id": member["id"]}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "membership does not hand over the roster");
    let (s, _) = app.patch(&leader, &format!("/api/v1/teams/{}", app.town.squad), json!({"name": "改名"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(&leader, "/api/v1/teams", json!({"name": "私建队", "kind": "other", "region_id": app.town.village_a}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
});

both!(coverage_names_villages_without_a_team, |app: TestApp| async move {
    let staff = app.token("staff").await;
    app.post(&staff, "/api/v1/regions", json!({"name": "九龙村", "kind": "village", "parent_id": app.town.town})).await;
    let (s, list) = app.get(&staff, "/api/v1/coverage").await;
    assert_eq!(s, StatusCode::OK);
    let rows = list.as_array().expect("array");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["name"], "九龙村", "villages without a team come first");
    assert_eq!(rows[0]["teams"], 0);
    assert!(rows[1..].iter().all(|r| r["teams"] == 1));
});
