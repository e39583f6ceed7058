//! Hostile roster files: a zip bomb, a 50 MB workbook, a csv of a million
//! columns and one with a 10 MB cell are each refused with a 4xx in the
//! contract's shape, saying what is wrong, before the server's memory grows
//! with them; the server answers normally afterwards. The files are made
//! here, not kept in git.

use crate::common::{self, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::Value;
use std::io::{Read, Write};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A small, valid roster workbook: a header and one person.
fn small_workbook() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (j, h) in ["姓名", "身份证号", "联系电话", "所在村(社区)"].iter().enumerate() {
        sheet.write_string(0, j as u16, *h).expect("header");
    }
    for (j, v) in ["张建国", &common::id_number("19680315", 1), "13900000001", "回车村"].iter().enumerate() {
        sheet.write_string(1, j as u16, *v).expect("cell");
    }
    book.save_to_buffer().expect("workbook")
}

/// The small workbook with one part replaced or added, written by `fill`.
fn rebuilt(part: &str, method: zip::CompressionMethod, fill: impl Fn(&mut dyn Write)) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(small_workbook())).expect("zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..src.len() {
        let f = src.by_index_raw(i).expect("part");
        if f.name().expect("name") != part {
            out.raw_copy_file(f).expect("copy");
        }
    }
    let opts = zip::write::SimpleFileOptions::default().compression_method(method).large_file(true);
    out.start_file(part, opts).expect("start");
    fill(&mut out);
    out.finish().expect("finish").into_inner()
}

/// An .xlsx whose sheet is 1 GiB of zeros inside one cell, compressed to about a megabyte.
pub fn zip_bomb() -> Vec<u8> {
    rebuilt("xl/worksheets/sheet1.xml", zip::CompressionMethod::Deflated, |w| {
        w.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>"#).expect("w");
        let zeros = vec![b'0'; 1 << 20];
        for _ in 0..1024 {
            w.write_all(&zeros).expect("w");
        }
        w.write_all(b"</t></is></c></row></sheetData></worksheet>").expect("w");
    })
}

/// A 50 MB workbook: the small one carrying 50 MB of noise that does not compress.
pub fn fifty_mb_workbook() -> Vec<u8> {
    rebuilt("xl/media/image1.bin", zip::CompressionMethod::Stored, |w| {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut chunk = vec![0u8; 1 << 20];
        for _ in 0..50 {
            for b in chunk.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
            w.write_all(&chunk).expect("w");
        }
    })
}

/// A csv whose header row has a million columns (2 MB).
pub fn million_columns() -> Vec<u8> {
    let mut s = String::from("姓名,身份证号");
    s.push_str(&",列".repeat(1_000_000));
    s.push('\n');
    s.into_bytes()
}

/// A csv with one 10 MB cell.
pub fn ten_mb_cell() -> Vec<u8> {
    let mut s = String::from("姓名,身份证号,住址\n张建国,");
    s.push_str(&common::id_number("19680315", 1));
    s.push(',');
    s.push_str(&"回".repeat(10 * 1024 * 1024 / 3));
    s.push('\n');
    s.into_bytes()
}

/// The four files, each with its content type, the status and the words its
/// refusal must carry.
pub fn hostile() -> Vec<(&'static str, Vec<u8>, &'static str, StatusCode, &'static str)> {
    vec![
        ("zip bomb", zip_bomb(), XLSX, StatusCode::UNPROCESSABLE_ENTITY, "解压后太大"),
        ("50 MB workbook", fifty_mb_workbook(), XLSX, StatusCode::PAYLOAD_TOO_LARGE, "太大"),
        ("1 000 000 columns", million_columns(), "text/csv", StatusCode::UNPROCESSABLE_ENTITY, "列数太多"),
        ("10 MB cell", ten_mb_cell(), "text/csv", StatusCode::UNPROCESSABLE_ENTITY, "单元格内容太长"),
    ]
}

async fn upload(client: &reqwest::Client, base: &str, token: &str, body: Vec<u8>, ct: &str) -> (StatusCode, Value) {
    let r = client
        .post(format!("{base}/api/v1/imports/volunteers?dry_run=true"))
        .bearer_auth(token)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .expect("send");
    common::split(r).await
}

/// The refusal in the contract's shape, its words anywhere in it.
fn says(e: &Value, words: &str) -> bool {
    let msg = e["error"]["message"].as_str().unwrap_or("");
    let file = e["error"]["fields"]["file"].as_str().unwrap_or("");
    e["error"]["code"].is_string() && (msg.contains(words) || file.contains(words))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_roster_files_are_refused_with_a_clear_4xx() {
    let app: TestApp = common::spawn(Backend::Sqlite).await.expect("app");
    let staff = app.token("staff").await;
    for (what, body, ct, status, words) in hostile() {
        let (s, e) = upload(&app.client, &app.base, &staff, body, ct).await;
        assert_eq!(s, status, "{what}: {e}");
        assert!(says(&e, words), "{what}: {e}");
    }
    // the English says it too
    let r = app
        .client
        .post(app.url("/api/v1/imports/volunteers?dry_run=true&lang=en"))
        .bearer_auth(&staff)
        .header("content-type", "text/csv")
        .body(million_columns())
        .send()
        .await
        .expect("send");
    let (_, e) = common::split(r).await;
    assert!(e.to_string().contains("too many columns"), "{e}");
    // a part that claims to be small and inflates far past the limit is
    // caught while it is measured, not in memory (the zip's sizes are not trusted)
    assert!(laobing::domain::roster::check_zip(&zip_bomb()).is_err());
    // the server goes on answering, and a normal roster is still read
    let (s, ok) = upload(&app.client, &app.base, &staff, small_workbook(), XLSX).await;
    assert_eq!(s, StatusCode::OK, "{ok}");
    assert_eq!(ok["rows"], 1, "{ok}");
    assert_eq!(app.get(&staff, "/api/v1/me").await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_import_refuses_them_too() {
    let app: TestApp = common::spawn(Backend::Sqlite).await.expect("app");
    for (name, body, words) in [("wide.csv", million_columns(), "列数太多"), ("bomb.xlsx", zip_bomb(), "解压后太大")]
    {
        let file = app.dir.path().join(name);
        std::fs::write(&file, body).expect("write");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_laobing"))
            .current_dir(app.dir.path())
            .env("LAOBING_DATA_DIR", app.dir.path())
            .env_remove("LAOBING_SECRET_KEY")
            .env_remove("LAOBING_DATABASE_URL")
            .args(["import", "volunteers", "--database", &app.url, "--dry-run", "--region", &app.town.town.to_string()])
            .arg(&file)
            .output()
            .expect("run laobing");
        assert!(!out.status.success(), "{name}");
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(said.contains(words), "{name}: {said}");
    }
}

/// VmHWM (peak resident memory) of a process, in kB.
fn peak_kb(pid: u32) -> u64 {
    let mut s = String::new();
    std::fs::File::open(format!("/proc/{pid}/status")).and_then(|mut f| f.read_to_string(&mut s)).expect("status");
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .expect("VmHWM")
}

/// The real server (`laobing serve --demo`), each hostile file uploaded in
/// turn, the peak resident memory read after each. Figures in docs/security.md.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_memory_stays_bounded_under_hostile_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, base, _) = crate::cli::serve_demo(dir.path(), None);
    let pid = server.0.id();
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"username": "zhanxin", "password": "Laobing#2026"}))
        .send()
        .await
        .expect("send");
    let token = r.json::<Value>().await.expect("json")["token"].as_str().expect("token").to_string();
    let start = peak_kb(pid);
    eprintln!("peak RSS after start and sign-in: {:.1} MB", start as f64 / 1024.0);
    for (what, body, ct, status, words) in hostile() {
        let (s, e) = upload(&client, &base, &token, body, ct).await;
        assert_eq!(s, status, "{what}: {e}");
        assert!(says(&e, words), "{what}: {e}");
        let peak = peak_kb(pid);
        eprintln!("peak RSS after the {what}: {:.1} MB", peak as f64 / 1024.0);
        assert!(peak < 300 * 1024, "{what}: the peak reached {peak} kB");
    }
    let r = client.get(format!("{base}/healthz")).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK, "still serving");
}
