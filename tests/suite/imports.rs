//! Roster import (花名册导入): the shared sample workbook gives exactly its
//! expected outcome through the API and the CLI, on both databases.

use crate::both;
use crate::common::{id_number, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const SAMPLE: &[u8] = include_bytes!("../data/huiche-roster-sample.xlsx");
const EXPECTED: &str = include_str!("../data/huiche-roster-sample.expected.json");
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn expected() -> Value {
    serde_json::from_str(EXPECTED).expect("expected json")
}

/// (row, column) of every invalid row the sample's authors expect.
fn expected_errors() -> BTreeSet<(u64, String)> {
    expected()["invalid_rows"]
        .as_object()
        .expect("invalid_rows")
        .iter()
        .map(|(row, col)| (row.parse().expect("row"), col.as_str().expect("column").to_string()))
        .collect()
}

fn errors_of(report: &Value) -> BTreeSet<(u64, String)> {
    report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["row"].as_u64().expect("row"), e["column"].as_str().expect("column").to_string()))
        .collect()
}

/// The sample's villages that the seeded town lacks (it has 回车村 and 东坪村).
pub async fn add_sample_villages(app: &TestApp, staff: &str) {
    for name in ["西坪村", "黄沙村", "桑坪村"] {
        let (s, r) = app
            .post(staff, "/api/v1/regions", json!({"name": name, "kind": "village", "parent_id": app.town.town}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
    }
}

async fn upload(app: &TestApp, token: &str, query: &str, body: Vec<u8>, content_type: &str) -> (StatusCode, Value) {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/imports/volunteers?{query}")))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("send");
    crate::common::split(r).await
}

async fn roster_count(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM volunteers").await
}

both!(the_sample_roster_gives_exactly_its_expected_outcome, |app: TestApp| async move {
    let staff = app.token("staff").await;
    add_sample_villages(&app, &staff).await;
    let town = app.town.town;
    let exp = expected();

    let (s, dry) = upload(&app, &staff, &format!("region_id={town}&dry_run=true"), SAMPLE.to_vec(), XLSX).await;
    assert_eq!(s, StatusCode::OK, "{dry}");
    assert_eq!(dry["rows"], exp["rows"]);
    assert_eq!(dry["valid"], exp["valid"]);
    assert_eq!(dry["imported"], 0);
    assert_eq!(errors_of(&dry), expected_errors(), "exactly the expected rows, each on its column: {dry}");
    assert_eq!(dry["errors"].as_array().map(Vec::len), Some(6), "one error a bad row: {dry}");
    assert!(dry["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .all(|e| e["message"].as_str().is_some_and(|m| !m.is_empty())));
    assert_eq!(roster_count(&app).await, 0, "a dry run imports nothing");
    // eight rows say 男 beside a woman's ID number: kept, recorded as the number says, and noted
    let noted: BTreeSet<u64> = dry["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter(|w| w["column"] == "性别")
        .filter_map(|w| w["row"].as_u64())
        .collect();
    assert_eq!(noted, BTreeSet::from([4, 8, 12, 16, 20, 24, 28, 32]), "{dry}");

    let (s, all_or_nothing) = upload(&app, &staff, &format!("region_id={town}"), SAMPLE.to_vec(), XLSX).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((all_or_nothing["valid"].as_i64(), all_or_nothing["imported"].as_i64()), (Some(24), Some(0)));
    assert_eq!(roster_count(&app).await, 0, "one invalid row stops the whole import");

    let (s, done) =
        upload(&app, &staff, &format!("region_id={town}&dry_run=false&skip_invalid=true"), SAMPLE.to_vec(), XLSX).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["imported"], 24);
    assert_eq!(errors_of(&done), expected_errors());

    let (_, list) = app.get(&staff, &format!("/api/v1/volunteers?region_id={town}&masked=true&limit=100")).await;
    let list = list.as_array().expect("list");
    assert_eq!(list.len(), 24);
    let villages: BTreeSet<String> = list.iter().map(|v| v["region_name"].as_str().unwrap_or("").to_string()).collect();
    let want: BTreeSet<String> =
        exp["villages"].as_array().expect("villages").iter().map(|v| v.as_str().unwrap_or("").to_string()).collect();
    assert_eq!(villages, want);
    for v in list {
        assert_eq!(v["status"], "active");
        assert!(v["id_number"].as_str().is_some_and(|s| s.contains("*******")), "{v}");
        assert!(v["phone"].as_str().is_some_and(|s| s.contains("****")), "{v}");
        assert!(v["volunteer_no"].as_str().is_some_and(|s| s.starts_with("LB") && s.len() == 9), "{v}");
    }
    // 队员01 of 东坪村, row 3: everything the sheet said, in the app's own terms
    let one = list.iter().find(|v| v["name"] == "队员01").expect("队员01");
    assert_eq!(one["region_name"], "东坪村");
    assert_eq!(one["id_number"], "411***********0017");
    let (_, full) = app.get(&staff, &format!("/api/v1/volunteers/{}", one["id"])).await;
    assert_eq!(full["id_number"], "411323197102110017", "the seal opens to the number in the sheet");
    assert_eq!(full["phone"], "13900000001");
    assert_eq!(full["gender"], "male");
    assert_eq!(full["birth_date"], "1971-02-11");
    assert_eq!(full["enlisted_on"], "1991-02-01");
    assert_eq!(full["discharged_on"], "1996-02-01");
    assert_eq!(full["skills"], json!(["mediation", "swimming"]));
    assert_eq!(full["party_member"], false);
    // 队员05's phone was typed with spaces, 队员11's in full-width digits, 队员08 had no gender
    let by_name = |n: &str| list.iter().find(|v| v["name"] == n).cloned().expect("volunteer");
    assert_eq!(by_name("队员05")["phone"], "139****0005");
    assert_eq!(by_name("队员11")["phone"], "139****0011");
    assert_eq!(by_name("队员08")["gender"], "female", "gender read from the ID number");
    let (_, ten) = app.get(&staff, &format!("/api/v1/volunteers/{}", by_name("队员10")["id"])).await;
    assert_eq!(ten["enlisted_on"], "1999-03-01", "an Excel date serial");
    let skills = app.scalar("SELECT COUNT(*) FROM volunteer_skills").await;
    assert_eq!(skills, 48, "two skills a person");
    let honours = app.scalar("SELECT COUNT(*) FROM volunteer_honors").await;
    assert_eq!(honours, 1, "队员07 is 最美退役军人");

    // the same roster again: everyone is matched by ID number and nothing changes
    let (s, again) = upload(&app, &staff, &format!("region_id={town}&skip_invalid=true"), SAMPLE.to_vec(), XLSX).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((again["valid"].as_i64(), again["imported"].as_i64()), (Some(24), Some(0)), "{again}");
    assert_eq!(
        (again["unchanged"].as_i64(), again["added"].as_i64(), again["updated"].as_i64()),
        (Some(24), Some(0), Some(0))
    );
    assert_eq!(errors_of(&again), expected_errors(), "only the sheet's own errors: {again}");
    assert_eq!(roster_count(&app).await, 24);
});

both!(only_staff_import_and_only_inside_their_scope, |app: TestApp| async move {
    let town = app.town.town;
    let leader = app.token("leader_a").await;
    let (s, _) = upload(&app, &leader, &format!("region_id={town}&dry_run=true"), SAMPLE.to_vec(), XLSX).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let other = app.token("other_staff").await;
    let (s, _) = upload(&app, &other, &format!("region_id={town}&dry_run=true"), SAMPLE.to_vec(), XLSX).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // other_staff's own town has none of the sample's villages
    let (s, r) = upload(&app, &other, &format!("region_id={}", app.town.other_town), SAMPLE.to_vec(), XLSX).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((r["valid"].as_i64(), r["imported"].as_i64()), (Some(0), Some(0)));
    assert!(r["errors"].as_array().expect("errors").iter().any(|e| e["column"] == "所在村(社区)"));
    let r = app.client.post(app.url("/api/v1/imports/volunteers")).body(SAMPLE.to_vec()).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let staff = app.token("staff").await;
    let (s, e) = upload(&app, &staff, &format!("region_id={town}"), b"just some text".to_vec(), "text/csv").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["error"]["fields"]["file"].as_str().is_some_and(|m| m.contains("表头")), "{e}");
    assert_eq!(roster_count(&app).await, 0);
});

both!(a_csv_with_other_header_names_imports_too_and_speaks_english, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let csv = format!(
        "回车镇花名册,,,,,\n姓名,公民身份号码,手机号码,村居,入伍年月,专长\n王大勇,{},１３９００００７７７１,回车村,1985.10,驾驶/医护\n李二,{},13900007772,东坪村,2001年12月3日,开挖掘机\n",
        id_number("19650303", 11),
        id_number("19700404", 13).to_lowercase(),
    );
    let r = app
        .client
        .post(app.url(&format!("/api/v1/imports/volunteers?region_id={}", app.town.town)))
        .bearer_auth(&staff)
        .header("content-type", "text/csv")
        .header("accept-language", "en")
        .body(csv.into_bytes())
        .send()
        .await
        .expect("send");
    let (s, report) = crate::common::split(r).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!((report["rows"].as_i64(), report["valid"].as_i64()), (Some(2), Some(2)), "{report}");
    let w = &report["warnings"][0];
    assert_eq!(
        (w["row"].as_i64(), w["column"].as_str(), w["name"].as_str()),
        (Some(4), Some("专长"), Some("李二")),
        "{report}"
    );
    assert!(w["message"].as_str().is_some_and(|m| m.contains("not on the skill list")), "English on request: {w}");
    assert_eq!(report["imported"], 2, "a skill off the list is kept as written, not refused");
    let (_, list) = app.get(&staff, "/api/v1/volunteers?q=李二").await;
    assert_eq!(list[0]["skills"], json!(["开挖掘机"]), "{list}");
});

both!(the_template_is_a_roster_the_import_reads, |app: TestApp| async move {
    use calamine::{Data, Reader};
    let staff = app.token("staff").await;
    let r =
        app.client.get(app.url("/api/v1/imports/volunteers/template")).bearer_auth(&staff).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], XLSX);
    let bytes = r.bytes().await.expect("bytes").to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).expect("xlsx");
    assert_eq!(book.sheet_names(), vec!["花名册".to_string(), "填写说明".to_string()]);
    let sheet = book.worksheet_range("花名册").expect("sheet");
    let header: Vec<String> = sheet.rows().nth(1).expect("header").iter().map(|c| c.to_string()).collect();
    for h in ["姓名", "性别", "身份证号", "联系电话", "所在村(社区)", "入伍时间", "退役时间", "特长"]
    {
        assert!(header.iter().any(|x| x == h), "{h} in {header:?}");
    }
    assert!(matches!(sheet.get((2, 0)), Some(Data::String(s)) if s == "张建国"));
    let (s, dry) = upload(&app, &staff, &format!("region_id={}&dry_run=true", app.town.town), bytes, XLSX).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((dry["rows"].as_i64(), dry["valid"].as_i64()), (Some(1), Some(1)), "the example row is valid: {dry}");
    let leader = app.token("leader_a").await;
    let r =
        app.client.get(app.url("/api/v1/imports/volunteers/template")).bearer_auth(&leader).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
});

both!(a_roster_larger_than_the_usual_body_limit_is_still_read, |app: TestApp| async move {
    let staff = app.token("staff").await;
    // 20 MB: over the 16 MB every other route takes
    let big = "甲,乙\n".repeat(20 * 1024 * 1024 / 8).into_bytes();
    let (s, e) = upload(&app, &staff, &format!("region_id={}", app.town.town), big, "text/csv").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "read, and refused for what it holds: {e}");
});

/// `laobing import volunteers` against the test app's own database and key.
fn cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_laobing"))
        .current_dir(app.dir.path())
        .env("LAOBING_DATA_DIR", app.dir.path())
        .env_remove("LAOBING_SECRET_KEY")
        .env_remove("LAOBING_DATABASE_URL")
        .args(["import", "volunteers", "--database", &app.url])
        .args(args)
        .output()
        .expect("run laobing")
}

/// (row, column) pairs of the CLI's report lines `第6行 row      6 · 身份证号 · …`.
fn cli_errors(stdout: &str) -> BTreeSet<(u64, String)> {
    stdout
        .lines()
        .filter(|l| l.starts_with('第'))
        .map(|l| {
            let parts: Vec<&str> = l.split(" · ").collect();
            let row = parts[0].rsplit(' ').next().expect("row").trim().parse().expect("row number");
            (row, parts[1].to_string())
        })
        .collect()
}

both!(the_cli_gives_the_same_outcome, |app: TestApp| async move {
    let staff = app.token("staff").await;
    add_sample_villages(&app, &staff).await;
    let file = app.dir.path().join("花名册.xlsx");
    std::fs::write(&file, SAMPLE).expect("write sample");
    let file = file.to_str().expect("utf-8 path").to_string();
    let town = app.town.town.to_string();

    // the contract's own line, with the town named since the test database has two
    let out = cli(&app, &[&file, "--region", &town, "--dry-run"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!out.status.success(), "invalid rows make a non-zero exit: {stdout}");
    assert_eq!(cli_errors(&stdout), expected_errors(), "{stdout}");
    assert!(stdout.contains("30 rows, 24 valid, 6 invalid, 0 imported"), "{stdout}");
    assert_eq!(roster_count(&app).await, 0);

    let out = cli(&app, &[&file, "--region", &town]);
    assert!(!out.status.success(), "nothing imported because of the invalid rows");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--skip-invalid"));
    assert_eq!(roster_count(&app).await, 0);

    let out = cli(&app, &[&file]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--region"), "two towns: the region must be named");

    let out = cli(&app, &[&file, "--region", &town, "--skip-invalid"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("24 imported"), "{stdout}");
    assert_eq!(roster_count(&app).await, 24);
    let (_, list) = app.get(&staff, &format!("/api/v1/volunteers?region_id={town}&q=队员01")).await;
    assert_eq!(list[0]["id_number"], "411323197102110017", "sealed with the app's own key");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'import'").await, 1);

    let out = cli(&app, &[&file, "--region", &town, "--skip-invalid"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "the same roster again changes nothing: {stdout}");
    assert!(stdout.contains("24 valid, 6 invalid, 0 imported (0 new, 0 changed, 24 unchanged"), "{stdout}");
    assert_eq!(roster_count(&app).await, 24);
});

/// A multipart form as a browser sends it, built by hand.
fn multipart(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----laobingtestboundary7MA4YWxk";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roster.xlsx\"\r\nContent-Type: {XLSX}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

both!(staff_check_then_import_on_the_page, |app: TestApp| async move {
    let staff = app.token("staff").await;
    add_sample_villages(&app, &staff).await;
    let csrf = crate::pages::sign_in(&app, "staff").await;
    let html = app.client.get(app.url("/imports")).send().await.expect("send").text().await.expect("text");
    assert!(
        html.contains("id=\"import-form\"") && html.contains("href=\"/imports\""),
        "the page, linked from the menu"
    );
    assert!(html.contains("/api/v1/imports/volunteers/template"));
    let town = app.town.town.to_string();
    let post = |mode: &'static str, skip: bool| {
        let mut fields = vec![("csrf", csrf.as_str()), ("region_id", town.as_str()), ("mode", mode)];
        if skip {
            fields.push(("skip_invalid", "1"));
        }
        let (ct, body) = multipart(&fields, SAMPLE);
        app.client.post(app.url("/imports")).header("content-type", ct).body(body).send()
    };
    let r = post("check", false).await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("text");
    assert!(html.contains("id=\"report-rows\">30<") && html.contains("id=\"report-valid\">24<"), "{html}");
    assert!(html.contains("id=\"error-table\"") && html.contains("不存在村"), "the report as a table");
    assert_eq!(roster_count(&app).await, 0);
    let html = post("import", true).await.expect("send").text().await.expect("text");
    assert!(html.contains("id=\"report-imported\">24<"), "{html}");
    assert_eq!(roster_count(&app).await, 24);
    let (ct, body) = multipart(&[("csrf", "forged"), ("region_id", &town), ("mode", "import")], SAMPLE);
    let r = app.client.post(app.url("/imports")).header("content-type", ct).body(body).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "CSRF is checked");
});

both!(two_imports_of_one_roster_at_once_store_it_once, |app: TestApp| async move {
    let staff = app.token("staff").await;
    add_sample_villages(&app, &staff).await;
    let query = format!("region_id={}&skip_invalid=true", app.town.town);
    let (a, b) = tokio::join!(
        upload(&app, &staff, &query, SAMPLE.to_vec(), XLSX),
        upload(&app, &staff, &query, SAMPLE.to_vec(), XLSX)
    );
    let imported: Vec<i64> = [&a, &b]
        .iter()
        .map(|(s, r)| match *s {
            StatusCode::OK => r["imported"].as_i64().expect("imported"),
            // the loser of a race on PostgreSQL meets the winner's unique index
            StatusCode::UNPROCESSABLE_ENTITY => 0,
            other => panic!("{other}: {r}"),
        })
        .collect();
    assert_eq!(imported.iter().sum::<i64>(), 24, "{a:?} {b:?}");
    assert_eq!(roster_count(&app).await, 24);
});
