//! Rosters as towns really keep them (issue 14): the sample workbooks of
//! tests/data in other layouts (an instructions sheet and one sheet per
//! village; a two-row merged header; an Excel 97-2003 .xls with columns that
//! need mapping) each give exactly their expected outcome through the API, the
//! CLI and the page, on both databases; and a roster imported again, or an
//! edited copy of it, changes exactly what changed.

use crate::both;
use crate::common::TestApp;
use crate::imports::{add_sample_villages, XLSX};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

pub struct Sample {
    pub name: &'static str,
    pub bytes: &'static [u8],
    pub expected: &'static str,
}

pub const SAMPLES: [Sample; 3] = [
    Sample {
        name: "huiche-per-village.xlsx",
        bytes: include_bytes!("../data/huiche-per-village.xlsx"),
        expected: include_str!("../data/huiche-per-village.expected.json"),
    },
    Sample {
        name: "dongping-two-row-header.xlsx",
        bytes: include_bytes!("../data/dongping-two-row-header.xlsx"),
        expected: include_str!("../data/dongping-two-row-header.expected.json"),
    },
    Sample {
        name: "sangping-2003.xls",
        bytes: include_bytes!("../data/sangping-2003.xls"),
        expected: include_str!("../data/sangping-2003.expected.json"),
    },
];

impl Sample {
    pub fn exp(&self) -> Value {
        serde_json::from_str(self.expected).expect("expected json")
    }

    /// (sheet, row, column) of every expected error.
    fn errors(&self) -> BTreeSet<(String, u64, String)> {
        self.exp()["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| (s(&e["sheet"]), e["row"].as_u64().expect("row"), s(&e["column"])))
            .collect()
    }

    fn mapping(&self) -> Value {
        self.exp()["mapping"].clone()
    }

    fn unknown(&self) -> Vec<String> {
        self.exp()["unknown_columns"].as_array().expect("unknown").iter().map(s).collect()
    }
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn found(report: &Value, key: &str) -> BTreeSet<(String, u64, String)> {
    report[key]
        .as_array()
        .expect("list")
        .iter()
        .map(|e| (s(&e["sheet"]), e["row"].as_u64().expect("row"), s(&e["column"])))
        .collect()
}

pub async fn upload(app: &TestApp, token: &str, path: &str, query: &str, body: &[u8]) -> reqwest::Response {
    app.client
        .post(app.url(&format!("{path}?{query}")))
        .bearer_auth(token)
        .header("content-type", XLSX)
        .body(body.to_vec())
        .send()
        .await
        .expect("send")
}

async fn import(app: &TestApp, token: &str, query: &str, body: &[u8]) -> (StatusCode, Value) {
    crate::common::split(upload(app, token, "/api/v1/imports/volunteers", query, body).await).await
}

fn enc(v: &Value) -> String {
    laobing::web::url::urlencode(&v.to_string())
}

/// What the roster holds for each expected person, in full.
async fn check_people(app: &TestApp, staff: &str, exp: &Value) {
    for (name, want) in exp["people"].as_object().expect("people") {
        let (_, list) = app.get(staff, &format!("/api/v1/volunteers?q={}", laobing::web::url::urlencode(name))).await;
        let list = list.as_array().expect("list");
        assert_eq!(list.len(), 1, "{name}: {list:?}");
        let (_, v) = app.get(staff, &format!("/api/v1/volunteers/{}", list[0]["id"])).await;
        assert_eq!(v["region_name"], want["village"], "{name}: {v}");
        for f in ["phone", "enlisted_on", "discharged_on", "party_member"] {
            assert_eq!(v[f], want[f], "{name}'s {f}: {v}");
        }
        let set = |x: &Value| x.as_array().expect("skills").iter().map(s).collect::<BTreeSet<String>>();
        assert_eq!(set(&v["skills"]), set(&want["skills"]), "{name}'s skills: {v}");
    }
}

both!(every_sample_layout_gives_its_expected_outcome_through_the_api, |app: TestApp| async move {
    let staff = app.token("staff").await;
    add_sample_villages(&app, &staff).await;
    let town = app.town.town;
    for sample in &SAMPLES {
        let exp = sample.exp();
        let n = sample.name;
        let (st, first) = import(&app, &staff, &format!("region_id={town}&dry_run=true"), sample.bytes).await;
        assert_eq!(st, StatusCode::OK, "{n}: {first}");
        if sample.unknown().is_empty() {
            assert_eq!(first["needs_mapping"], false, "{n}: {first}");
        } else {
            // asked, not refused: the header found, each column's meaning, samples masked
            assert_eq!(first["needs_mapping"], true, "{n}: {first}");
            assert_eq!((first["valid"].as_i64(), first["imported"].as_i64()), (Some(0), Some(0)));
            let cols: BTreeSet<String> =
                first["errors"].as_array().expect("e").iter().map(|e| s(&e["column"])).collect();
            assert_eq!(cols, sample.unknown().into_iter().collect(), "{n}: {first}");
            let sheet = &first["sheets"][0];
            assert!(sheet["columns"]
                .as_array()
                .expect("c")
                .iter()
                .any(|c| c["column"] == "参军日期" && c["field"].is_null()));
            assert!(sheet["samples"][0].as_array().expect("row").iter().any(|c| s(c).contains("*******")), "{sheet}");
            let (st, bad) = import(
                &app,
                &staff,
                &format!("region_id={town}&mapping={}", enc(&json!({"参军日期": "nonsense"}))),
                sample.bytes,
            )
            .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert!(bad["error"]["fields"]["mapping"].is_string(), "{bad}");
        }
        let q = format!("region_id={town}&mapping={}", enc(&sample.mapping()));
        let (st, dry) = import(&app, &staff, &format!("{q}&dry_run=true"), sample.bytes).await;
        assert_eq!(st, StatusCode::OK, "{n}: {dry}");
        assert_eq!(
            (dry["rows"].clone(), dry["valid"].clone()),
            (exp["rows"].clone(), exp["valid"].clone()),
            "{n}: {dry}"
        );
        assert_eq!(found(&dry, "errors"), sample.errors(), "{n}: exactly the expected errors: {dry}");
        for e in exp["errors"].as_array().expect("errors") {
            let got = dry["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .find(|g| g["row"] == e["row"] && g["sheet"] == e["sheet"])
                .expect("error");
            assert_eq!(got["name"], e["name"], "{n}: the person is named: {got}");
            assert!(s(&got["message"]).contains(&s(&e["says"])), "{n}: {got} should say {}", e["says"]);
            assert!(s(&got["message"]).contains('请'), "{n}: says what to do: {got}");
        }
        let warned: BTreeSet<(String, u64, String)> = exp["warnings"]
            .as_array()
            .expect("w")
            .iter()
            .map(|e| (s(&e["sheet"]), e["row"].as_u64().expect("row"), s(&e["column"])))
            .collect();
        assert_eq!(found(&dry, "warnings"), warned, "{n}: {dry}");
        assert_eq!(dry["added"], exp["valid"], "{n}: everyone is new");

        // the report as a workbook: the same sheets, a red 错误原因 column beside each bad row
        let r = upload(&app, &staff, "/api/v1/imports/volunteers/errors", &q, sample.bytes).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], XLSX);
        let marked = r.bytes().await.expect("bytes").to_vec();
        check_marked(&marked, &sample.errors());

        let (st, done) = import(&app, &staff, &format!("{q}&skip_invalid=true"), sample.bytes).await;
        assert_eq!(st, StatusCode::OK, "{n}: {done}");
        assert_eq!(done["imported"], exp["valid"], "{n}: {done}");
        check_people(&app, &staff, &exp).await;

        // the same roster again changes nothing
        let (_, again) = import(&app, &staff, &format!("{q}&skip_invalid=true"), sample.bytes).await;
        assert_eq!(
            (again["imported"].as_i64(), again["added"].as_i64(), again["updated"].as_i64()),
            (Some(0), Some(0), Some(0)),
            "{n}: {again}"
        );
        assert_eq!(again["unchanged"], exp["valid"], "{n}: {again}");
        assert_eq!(again["changes"], json!([]));
    }
    // the .xls's mapping is remembered: the town's next import needs none
    let xls = &SAMPLES[2];
    let (_, next) = import(&app, &staff, &format!("region_id={town}&dry_run=true"), xls.bytes).await;
    assert_eq!(next["needs_mapping"], false, "{next}");
    assert_eq!(next["unchanged"], xls.exp()["valid"], "{next}");
    let remembered = app.scalar("SELECT COUNT(*) FROM import_mappings").await;
    assert_eq!(remembered, 1);
    assert!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'import_mapping'").await >= 1);
});

/// Every expected error's row has its reason in red in the 错误原因 column;
/// no other row has one.
pub fn check_marked(bytes: &[u8], errors: &BTreeSet<(String, u64, String)>) {
    use calamine::{Data, Reader};
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("workbook");
    let mut marked = BTreeSet::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).expect("sheet");
        let Some(col) =
            range.rows().find_map(|r| r.iter().position(|c| matches!(c, Data::String(t) if t == "错误原因")))
        else {
            continue;
        };
        let (row0, col0) = range.start().expect("start");
        for (i, r) in range.rows().enumerate() {
            if let Some(Data::String(t)) = r.get(col) {
                if t != "错误原因" {
                    marked.insert((name.clone(), row0 as u64 + i as u64 + 1));
                    assert!(t.contains('请'), "{t}");
                }
            }
        }
        let _ = col0;
    }
    let want: BTreeSet<(String, u64)> = errors.iter().map(|(s, r, _)| (s.clone(), *r)).collect();
    assert_eq!(marked, want);
}

/// `laobing import volunteers` against the test app's own database and key.
fn cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_laobing"))
        .current_dir(app.dir.path())
        .env("LAOBING_DATA_DIR", app.dir.path())
        .env_remove("LAOBING_SECRET_KEY")
        .env_remove("LAOBING_DATABASE_URL")
        .args(["import", "volunteers", "--database", &app.url])
        .args(args)
        .output()
        .expect("run laobing");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

both!(every_sample_layout_gives_its_expected_outcome_through_the_cli, |app: TestApp| async move {
    let staff = app.token("staff").await;
    add_sample_villages(&app, &staff).await;
    let town = app.town.town.to_string();
    for sample in &SAMPLES {
        let exp = sample.exp();
        let file = app.dir.path().join(sample.name);
        std::fs::write(&file, sample.bytes).expect("write");
        let file = file.to_str().expect("path").to_string();
        if !sample.unknown().is_empty() {
            let (ok, out) = cli(&app, &[&file, "--region", &town, "--dry-run"]);
            assert!(!ok && out.contains("--map"), "{out}");
            for col in sample.unknown() {
                assert!(out.contains(&col), "{col}: {out}");
            }
        }
        let maps: Vec<String> = sample
            .mapping()
            .as_object()
            .expect("mapping")
            .iter()
            .flat_map(|(k, v)| ["--map".to_string(), format!("{k}={}", s(v))])
            .collect();
        let marked = app.dir.path().join("marked.xlsx");
        let mut args: Vec<&str> = vec![&file, "--region", &town, "--dry-run", "--errors-out"];
        let marked_s = marked.to_str().expect("path").to_string();
        args.push(&marked_s);
        args.extend(maps.iter().map(String::as_str));
        let (_, out) = cli(&app, &args);
        let rows: BTreeSet<(u64, String)> = out
            .lines()
            .filter(|l| l.starts_with('第'))
            .map(|l| {
                let parts: Vec<&str> = l.split(" · ").collect();
                (parts[0].rsplit(' ').next().expect("row").trim().parse().expect("row"), parts[1].to_string())
            })
            .collect();
        let want: BTreeSet<(u64, String)> = sample.errors().into_iter().map(|(_, r, c)| (r, c)).collect();
        assert_eq!(rows, want, "{}: {out}", sample.name);
        assert!(out.contains(&format!("{} rows, {} valid", exp["rows"], exp["valid"])), "{out}");
        check_marked(&std::fs::read(&marked).expect("marked"), &sample.errors());
        let mut args: Vec<&str> = vec![&file, "--region", &town, "--skip-invalid"];
        args.extend(maps.iter().map(String::as_str));
        let (ok, out) = cli(&app, &args);
        assert!(ok, "{out}");
        assert!(out.contains(&format!("{} imported", exp["valid"])), "{out}");
        check_people(&app, &staff, &exp).await;
        let (ok, out) = cli(&app, &[&file, "--region", &town, "--skip-invalid"]);
        assert!(ok, "the mapping is remembered: {out}");
        assert!(out.contains(&format!("0 imported (0 new, 0 changed, {} unchanged", exp["valid"])), "{out}");
    }
});

/// A multipart form as a browser sends it, with repeated fields.
fn multipart(fields: &[(&str, String)], name: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----laobingtestboundary9QX";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

both!(every_sample_layout_gives_its_expected_outcome_on_the_page, |app: TestApp| async move {
    let staff = app.token("staff").await;
    add_sample_villages(&app, &staff).await;
    let csrf = crate::pages::sign_in(&app, "staff").await;
    let town = app.town.town.to_string();
    for sample in &SAMPLES {
        let exp = sample.exp();
        let post = |mode: &str, map: bool| {
            let mut fields = vec![("csrf", csrf.clone()), ("region_id", town.clone()), ("mode", mode.to_string())];
            fields.push(("skip_invalid", "1".into()));
            if map {
                for (k, v) in sample.mapping().as_object().expect("mapping") {
                    fields.push(("map_h", k.clone()));
                    fields.push(("map_f", s(v)));
                }
            }
            let (ct, body) = multipart(&fields, sample.name, sample.bytes);
            app.client.post(app.url("/imports")).header("content-type", ct).body(body).send()
        };
        let html = post("check", false).await.expect("send").text().await.expect("text");
        if !sample.unknown().is_empty() {
            assert!(html.contains("id=\"mapping-needed\""), "{html}");
            for col in sample.unknown() {
                assert!(html.contains(&format!("data-header=\"{col}\"")), "a drop-down for {col}");
            }
            assert!(html.contains("第2行"), "the header found is shown");
        }
        let html = post("check", true).await.expect("send").text().await.expect("text");
        assert!(!html.contains("id=\"mapping-needed\""), "{html}");
        assert!(html.contains(&format!("id=\"report-valid\">{}<", exp["valid"])), "{}: {html}", sample.name);
        for e in exp["errors"].as_array().expect("errors") {
            assert!(html.contains(&s(&e["name"])), "the person is named");
        }
        let r = post("errors", true).await.expect("send");
        assert_eq!(r.headers()["content-type"], XLSX);
        check_marked(&r.bytes().await.expect("bytes"), &sample.errors());
        let html = post("import", true).await.expect("send").text().await.expect("text");
        assert!(html.contains(&format!("id=\"report-imported\">{}<", exp["valid"])), "{html}");
        check_people(&app, &staff, &exp).await;
    }
});

/// A roster workbook of one sheet, every cell text.
fn workbook(rows: &[Vec<String>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (i, r) in rows.iter().enumerate() {
        for (j, c) in r.iter().enumerate() {
            if !c.is_empty() {
                ws.write_string(i as u32, j as u16, c).expect("write");
            }
        }
    }
    book.save_to_buffer().expect("xlsx")
}

fn person(name: &str, id: &str, phone: &str, village: &str, party: &str, skills: &str, honours: &str) -> Vec<String> {
    [name, id, phone, village, party, skills, honours, "1990年3月"].iter().map(|s| s.to_string()).collect()
}

both!(importing_an_edited_copy_applies_exactly_the_edits, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let town = app.town.town;
    let id = |n: u32| crate::common::id_number("19600101", 500 + n);
    let head: Vec<String> = ["姓名", "身份证号", "手机号", "所在村", "政治面貌", "特长", "荣誉", "入伍时间"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (a, b, c, d) = (id(1), id(3), id(5), id(7));
    let this_year = workbook(&[
        head.clone(),
        person("甲", &a, "13900090001", "回车村", "群众", "驾驶", "优秀士兵"),
        person("乙", &b, "13900090002", "回车村", "中共党员", "电工、医护", ""),
        person("丙", &c, "13900090003", "东坪村", "群众", "", ""),
    ]);
    let q = format!("region_id={town}");
    let (_, first) = import(&app, &staff, &q, &this_year).await;
    assert_eq!((first["imported"].as_i64(), first["added"].as_i64()), (Some(3), Some(3)), "{first}");
    let before = app.scalar("SELECT COUNT(*) FROM volunteers").await;

    // importing the same roster twice changes nothing the second time
    let (_, again) = import(&app, &staff, &q, &this_year).await;
    assert_eq!((again["imported"].as_i64(), again["unchanged"].as_i64()), (Some(0), Some(3)), "{again}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM volunteers").await, before);

    // next year's copy: 甲's phone, 乙 moved with new skills and honours and left the party, 丙 gone, 丁 new
    let next_year = workbook(&[
        head.clone(),
        person("甲", &a, "13900090011", "回车村", "群众", "驾驶", "优秀士兵"),
        person("乙", &b, "13900090002", "东坪村", "群众", "电工 游泳", "最美退役军人"),
        person("丁", &d, "13900090004", "东坪村", "群众", "", ""),
    ]);
    let (_, dry) = import(&app, &staff, &format!("{q}&dry_run=true"), &next_year).await;
    assert_eq!(
        (dry["added"].as_i64(), dry["updated"].as_i64(), dry["unchanged"].as_i64()),
        (Some(1), Some(2), Some(0)),
        "{dry}"
    );
    assert_eq!(dry["imported"], 0);
    type Fields = Vec<(String, String, String)>;
    let changes: Vec<(String, Fields)> = dry["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                s(&c["name"]),
                c["fields"]
                    .as_array()
                    .expect("fields")
                    .iter()
                    .map(|f| (s(&f["field"]), s(&f["before"]), s(&f["after"])))
                    .collect(),
            )
        })
        .collect();
    let t = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        changes,
        vec![
            ("甲".to_string(), vec![t("phone", "139****0001", "139****0011")]),
            (
                "乙".to_string(),
                vec![
                    t("village", "回车村", "东坪村"),
                    t("party_member", "是", "否"),
                    t("skills", "electrician、medical", "electrician、swimming"),
                    t("honors", "", "最美退役军人"),
                ]
            ),
        ],
        "field by field: {dry}"
    );
    let missing: Vec<String> = dry["missing"].as_array().expect("missing").iter().map(|m| s(&m["name"])).collect();
    assert_eq!(missing, vec!["丙".to_string()], "丙 is listed, not deleted: {dry}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM volunteers").await, before, "a dry run stores nothing");

    let (_, done) = import(&app, &staff, &q, &next_year).await;
    assert_eq!(
        (done["imported"].as_i64(), done["added"].as_i64(), done["updated"].as_i64()),
        (Some(3), Some(1), Some(2)),
        "{done}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM volunteers").await, before + 1, "nobody deleted");
    let full = |name: &'static str| {
        let app = &app;
        let staff = &staff;
        async move {
            let (_, l) = app.get(staff, &format!("/api/v1/volunteers?q={}", laobing::web::url::urlencode(name))).await;
            app.get(staff, &format!("/api/v1/volunteers/{}", l[0]["id"])).await.1
        }
    };
    let jia = full("甲").await;
    assert_eq!((jia["phone"].as_str(), jia["honors"].clone()), (Some("13900090011"), json!(["优秀士兵"])));
    assert_eq!(jia["skills"], json!(["driving"]));
    let yi = full("乙").await;
    assert_eq!(yi["region_name"], "东坪村");
    assert_eq!(yi["party_member"], false);
    assert_eq!(yi["skills"], json!(["electrician", "swimming"]));
    assert_eq!(yi["honors"], json!(["最美退役军人"]));
    assert_eq!(
        (yi["phone"].as_str(), yi["enlisted_on"].as_str()),
        (Some("13900090002"), Some("1990-03-01")),
        "untouched"
    );
    let bing = full("丙").await;
    assert_eq!((bing["status"].as_str(), bing["region_name"].as_str()), (Some("active"), Some("东坪村")));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'import'").await, 2);

    // and the edited copy again: nothing more
    let (_, still) = import(&app, &staff, &q, &next_year).await;
    assert_eq!((still["imported"].as_i64(), still["unchanged"].as_i64()), (Some(0), Some(3)), "{still}");

    // someone on another town's roster is not this town's to change
    let other = app.token("other_staff").await;
    let theirs = workbook(&[head.clone(), person("甲", &a, "13900090011", "丁河村", "群众", "", "")]);
    let (_, theirs) = import(&app, &other, &format!("region_id={}&dry_run=true", app.town.other_town), &theirs).await;
    assert!(
        theirs["errors"].as_array().expect("e").iter().any(|e| s(&e["message"]).contains("本区域以外")),
        "{theirs}"
    );
});
