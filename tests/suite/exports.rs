//! Workbook exports: the roster, service records and certificates of a region,
//! downloaded and opened as a clerk's Excel would.

use crate::both;
use crate::common::{hours_from_now, TestApp};
use calamine::{Data, Reader};
use reqwest::StatusCode;
use serde_json::json;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Downloads a workbook and returns its first sheet as text rows.
pub async fn download(app: &TestApp, token: &str, path: &str) -> (StatusCode, Vec<Vec<String>>) {
    let r = app.client.get(app.url(path)).bearer_auth(token).send().await.expect("send");
    let status = r.status();
    if status != StatusCode::OK {
        return (status, vec![]);
    }
    assert_eq!(r.headers()["content-type"], XLSX);
    assert!(r.headers()["content-disposition"].to_str().expect("ascii").starts_with("attachment"));
    let bytes = r.bytes().await.expect("bytes").to_vec();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let rows = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    (status, rows)
}

fn column(rows: &[Vec<String>], zh: &str) -> usize {
    rows[1].iter().position(|h| h.starts_with(zh)).unwrap_or_else(|| panic!("{zh} in {:?}", rows[1]))
}

both!(the_roster_export_is_masked_unless_asked_and_then_audited, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let a = app.volunteer(&staff, "张建国", app.town.village_a, 101, &["driving", "medical"]).await;
    app.volunteer(&staff, "李卫东", app.town.village_b, 102, &[]).await;
    let (s, rows) = download(&app, &staff, &format!("/api/v1/exports/volunteers?region_id={}", app.town.town)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(rows[0][0].contains("花名册"), "a title row: {:?}", rows[0]);
    assert!(rows[1][column(&rows, "姓名")].contains("Name"), "bilingual headers: {:?}", rows[1]);
    assert_eq!(rows.len(), 4, "title, header and two volunteers");
    let zhang = rows.iter().find(|r| r.contains(&"张建国".to_string())).expect("张建国");
    assert_eq!(zhang[column(&rows, "志愿者编号")], a["volunteer_no"].as_str().expect("no"));
    assert_eq!(zhang[column(&rows, "所在村")], "回车村");
    let full_id = crate::common::id_number("19800101", 101);
    assert_eq!(zhang[column(&rows, "身份证号")], laobing::domain::id_number::mask_id_str(&full_id));
    assert_eq!(zhang[column(&rows, "联系电话")], "138****0101");
    assert_eq!(zhang[column(&rows, "特长")], "驾驶、医疗救护");
    assert_eq!(zhang[column(&rows, "状态")], "在册");
    let audits = app.scalar("SELECT COUNT(*) FROM audit_log WHERE target_type = 'volunteer_export'").await;
    assert_eq!(audits, 0, "a masked export shows nothing to audit");

    let (s, full) =
        download(&app, &staff, &format!("/api/v1/exports/volunteers?region_id={}&unmasked=true", app.town.village_a))
            .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(full.len(), 3, "only 回车村's volunteer");
    assert_eq!(full[2][column(&full, "身份证号")], crate::common::id_number("19800101", 101));
    assert_eq!(full[2][column(&full, "联系电话")], "13800000101");
    let audits = app.scalar("SELECT COUNT(*) FROM audit_log WHERE target_type = 'volunteer_export'").await;
    assert_eq!(audits, 1, "the unmasked export is audited");

    let leader = app.token("leader_a").await;
    assert_eq!(download(&app, &leader, "/api/v1/exports/volunteers").await.0, StatusCode::FORBIDDEN);
    let other = app.token("other_staff").await;
    let path = format!("/api/v1/exports/volunteers?region_id={}", app.town.town);
    assert_eq!(download(&app, &other, &path).await.0, StatusCode::FORBIDDEN);
});

both!(service_records_and_certificates_export_by_period, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let act = app.activity(&staff, "防汛巡查", &hours_from_now(-72), &hours_from_now(-69), 20, "flood_relief").await;
    let v = app.volunteer(&staff, "巡查员", app.town.village_a, 201, &[]).await;
    let (s, r) = app
        .post(
            &staff,
            &format!("/api/v1/activities/{}/attendance", act["id"]),
            json!({"volunteer_id": v["id"], "check_in": hours_from_now(-72), "check_out": hours_from_now(-69)}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, recs) = app.get(&staff, &format!("/api/v1/volunteers/{}/service-records", v["id"])).await;
    let (s, fixed) = app
        .post(
            &staff,
            &format!("/api/v1/service-records/{}/corrections", recs[0]["id"]),
            json!({"started_at": hours_from_now(-72), "ended_at": hours_from_now(-70), "reason": "提前离开"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{fixed}");
    let (s, cert) = app.get(&staff, &format!("/api/v1/volunteers/{}/certificate", v["id"])).await;
    assert_eq!(s, StatusCode::OK, "{cert}");

    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let from = today - chrono::Duration::days(30);
    let town = app.town.town;
    let (s, rows) =
        download(&app, &staff, &format!("/api/v1/exports/service-records?region_id={town}&from={from}&to={today}"))
            .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(rows.len(), 4, "title, header, the original and its correction: {rows:?}");
    let original = &rows[2];
    let correction = &rows[3];
    assert_eq!(original[column(&rows, "姓名")], "巡查员");
    assert_eq!(original[column(&rows, "类别")], "防汛救灾");
    assert_eq!(original[column(&rows, "服务项目")], "防汛巡查");
    assert_eq!(original[column(&rows, "时长")], "3");
    assert_eq!(original[column(&rows, "被更正为")], fixed["id"].to_string());
    assert_eq!(correction[column(&rows, "更正记录")], recs[0]["id"].to_string());
    assert_eq!(correction[column(&rows, "时长")], "2");
    let (_, none) = download(
        &app,
        &staff,
        &format!("/api/v1/exports/service-records?region_id={town}&from=2020-01-01&to=2020-12-31"),
    )
    .await;
    assert_eq!(none.len(), 2, "nothing in 2020");

    let (s, certs) =
        download(&app, &staff, &format!("/api/v1/exports/certificates?region_id={town}&from={from}&to={today}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(certs.len(), 3);
    assert_eq!(certs[2][column(&certs, "证明编码")], cert["code"].as_str().expect("code"));
    assert_eq!(certs[2][column(&certs, "姓名")], "巡查员");
    assert_eq!(certs[2][column(&certs, "服务时长")], "2");
    assert_eq!(certs[2][column(&certs, "开具人")], cert["issued_by"].as_str().expect("by"));

    let r = app
        .client
        .get(app.url(&format!("/api/v1/exports/certificates?region_id={town}&from={today}")))
        .bearer_auth(&staff)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "the period needs both ends");
    let other = app.token("other_staff").await;
    let path = format!("/api/v1/exports/service-records?region_id={town}&from={from}&to={today}");
    assert_eq!(download(&app, &other, &path).await.0, StatusCode::FORBIDDEN);
});

both!(the_needs_and_activities_lists_export_as_the_page_filters_them, |app: TestApp| async move {
    let staff = app.token("staff").await;
    for (title, place) in [("修水管", "东头"), ("送药上门", "桥头"), ("修电表", "桥头")] {
        let (s, n) = app
            .post(
                &staff,
                "/api/v1/needs",
                json!({"title": title, "category": "other", "region_id": app.town.village_a, "place": place,
                       "requester_name": "村民", "requester_phone": "13900006666"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{n}");
    }
    let (s, rows) = download(&app, &staff, "/api/v1/exports/needs?q=%E6%A1%A5%E5%A4%B4").await; // 桥头
    assert_eq!(s, StatusCode::OK);
    assert_eq!(rows.len(), 4, "title, header and the two needs at 桥头: {rows:?}");
    let phone = column(&rows, "联系电话");
    assert_eq!(rows[2][phone], "139****6666", "phones masked");
    assert!(rows[2][column(&rows, "受理编号")].starts_with("XQ"));
    assert_eq!(rows[2][column(&rows, "状态")], "待审核", "states by name");
    app.activity(&staff, "义务理发", &hours_from_now(20), &hours_from_now(22), 8, "lecture").await;
    app.activity(&staff, "河道巡查", &hours_from_now(-50), &hours_from_now(-48), 8, "safety_patrol").await;
    let (s, rows) = download(&app, &staff, "/api/v1/exports/activities?upcoming=1").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(rows.len(), 3, "only the one still to come: {rows:?}");
    assert_eq!(rows[2][column(&rows, "活动名称")], "义务理发");
    // the list pages link to their exports with their filters
    crate::pages::sign_in(&app, "staff").await;
    let html = app.client.get(app.url("/needs?q=x")).send().await.expect("send").text().await.expect("text");
    let link = html.split("id=\"export-needs\"").next().and_then(|h| h.rsplit("href=\"").next()).unwrap_or("");
    assert!(
        link.contains("exports") && link.contains("needs") && link.contains("q=x"),
        "the export keeps the search: {link}"
    );
});

both!(the_care_visits_export_names_who_went_and_keeps_the_notes_as_typed, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "张建国", app.town.village_a, 301, &[]).await;
    let (_, a) = app
        .post(
            &staff,
            "/api/v1/care-recipients",
            json!({"name": "烈属王大娘", "category": "martyr_family", "region_id": app.town.village_a}),
        )
        .await;
    let path = format!("/api/v1/care-recipients/{}/visits", a["id"]);
    let notes = "身体还好，\n腿脚不便（需助行器）！";
    let (s, _) = app
        .post(
            &staff,
            &path,
            json!({"visited_on": "2026-08-01", "volunteer_ids": [v["id"]], "notes": notes, "help_given": "米面油"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    app.post(&staff, &path, json!({"visited_on": "2025-02-01"})).await;
    let (s, rows) = download(&app, &staff, "/api/v1/exports/care-visits?from=2026-01-01&to=2026-12-31").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(rows.len(), 3, "title, header and the one visit of 2026: {rows:?}");
    assert_eq!(rows[2][column(&rows, "走访对象")], "烈属王大娘");
    assert_eq!(rows[2][column(&rows, "类别")], "烈属");
    assert_eq!(rows[2][column(&rows, "走访人员")], "张建国");
    assert_eq!(rows[2][column(&rows, "走访情况")], notes, "as typed");
    let other = app.token("other_staff").await;
    let (_, rows) = download(&app, &other, "/api/v1/exports/care-visits?from=2026-01-01&to=2026-12-31").await;
    assert_eq!(rows.len(), 2, "another town's staff get none of it");
    let (s, _) = download(&app, &staff, "/api/v1/exports/care-visits").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "the period is asked for");
    // the care page offers it
    crate::pages::sign_in(&app, "staff").await;
    assert!(app.page("/care").await.contains("action=\"/api/v1/exports/care-visits\""));
});
