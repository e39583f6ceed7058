//! The `laobing` command as a user runs it.

use crate::common::{self, Backend, PASSWORD};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

pub fn laobing(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_laobing"));
    c.current_dir(dir)
        .env("LAOBING_DATA_DIR", dir.join("data"))
        .env_remove("LAOBING_DATABASE_URL")
        .env_remove("LAOBING_SECRET_KEY");
    c
}

fn user_add(dir: &std::path::Path, db: &str, args: &[&str], password: &str) -> std::process::Output {
    let mut child = laobing(dir)
        .args(["user", "add", "--database", db, "--password-stdin"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().expect("stdin").write_all(format!("{password}\n").as_bytes()).expect("write");
    child.wait_with_output().expect("wait")
}

#[test]
fn migrate_then_user_add_with_the_password_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}/data/town.db", dir.path().display());
    let out = laobing(dir.path()).args(["migrate", "--database", &db]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("data/town.db").exists());

    let weak = user_add(dir.path(), &db, &["--username", "zhanzhang", "--role", "admin"], "password");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("密码"), "the refusal names the password");
    let no_region = user_add(dir.path(), &db, &["--username", "clerk", "--role", "town_staff"], PASSWORD);
    assert!(!no_region.status.success());
    assert!(String::from_utf8_lossy(&no_region.stderr).contains("--region"));
    let ok = user_add(dir.path(), &db, &["--username", "zhanzhang", "--role", "admin"], PASSWORD);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let again = user_add(dir.path(), &db, &["--username", "zhanzhang", "--role", "admin"], PASSWORD);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("已被使用"));
    let out = laobing(dir.path()).args(["audit-verify", "--database", &db]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve --demo` on a free port and returns the base URL once it listens.
pub fn serve_demo(dir: &std::path::Path, database: Option<&str>) -> (Server, String, Vec<String>) {
    let mut cmd = laobing(dir);
    cmd.args(["serve", "--demo", "--listen", "127.0.0.1:0"]);
    if let Some(db) = database {
        cmd.args(["--database", db]);
    }
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut lines = Vec::new();
    let mut base = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        if let Some(i) = line.find("http://") {
            if base.is_none() {
                base = Some(line[i..].trim_end_matches('/').to_string());
            }
        }
        lines.push(line.clone());
        if line.contains("laobing01") {
            break;
        }
    }
    (server, base.expect("printed its address"), lines)
}

async fn check_demo(base: &str) {
    let client = reqwest::Client::new();
    let token: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"username": "zhanxin", "password": laobing::demo::DEMO_PASSWORD}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let token = token["token"].as_str().expect("demo staff can log in").to_string();
    let get = |path: &str| {
        let req = client.get(format!("{base}{path}")).bearer_auth(&token);
        async move { req.send().await.expect("send").json::<serde_json::Value>().await.expect("json") }
    };
    let squads = get("/api/v1/teams?kind=town_squad").await;
    assert_eq!(squads.as_array().map(Vec::len), Some(1));
    assert_eq!(squads[0]["member_count"], 16);
    let village_teams = get("/api/v1/teams?kind=village_team").await;
    let village_teams = village_teams.as_array().expect("array");
    assert_eq!(village_teams.len(), 21);
    assert!(village_teams.iter().all(|t| t["member_count"] == 10));
    let villages = get("/api/v1/regions?kind=village").await;
    for v in villages.as_array().expect("array") {
        let (lat, lon) = (v["lat"].as_f64().expect("lat"), v["lon"].as_f64().expect("lon"));
        assert!((lat - 33.36).abs() < 0.2 && (lon - 111.63).abs() < 0.2, "{v}");
    }
    let drivers = get("/api/v1/volunteers?skill=driving&limit=1000").await;
    let all = get("/api/v1/volunteers?limit=1000").await;
    let (d, a) = (drivers.as_array().map(Vec::len).unwrap_or(0), all.as_array().map(Vec::len).unwrap_or(0));
    assert!(a >= 226 && d > 20 && d < a, "skills are spread: {d} drivers of {a}");
    let coverage = get("/api/v1/coverage").await;
    assert!(
        coverage.as_array().expect("array").iter().any(|v| v["teams"] == 0),
        "the demo shows a village still to cover"
    );
    let campaigns = get("/api/v1/care-campaigns").await;
    let campaigns = campaigns.as_array().expect("array");
    assert_eq!(campaigns.len(), 2, "a Spring Festival and an Army Day campaign");
    for c in campaigns {
        let cov = get(&format!("/api/v1/care-campaigns/{}/coverage", c["id"])).await;
        let share = cov["coverage"].as_f64().expect("coverage");
        assert!(share > 0.5 && share < 1.0 && !cov["unvisited"].as_array().expect("list").is_empty(), "{cov}");
    }
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let grids = get(&format!("/api/v1/grids/stats?from={}&to={today}", today - chrono::Duration::days(30))).await;
    let busy = grids.as_array().expect("array").iter().filter(|g| g["volunteers"].as_i64() > Some(0)).count();
    assert!(busy >= 2 && grids[0]["cases_filed"].as_i64() > Some(0), "{grids}");
    let closed = grids.as_array().expect("array").iter().filter(|g| g["cases_completed"].as_i64() > Some(0)).count();
    assert!(closed >= 2, "each busy grid has closed a case: {grids}");
    let notices = get("/api/v1/announcements").await;
    assert!(notices.as_array().is_some_and(|n| n.len() >= 3));
    // a year of history: the town's dashboard has most months, several kinds of work and every village
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let year = get(&format!("/api/v1/reports/summary?from={}&to={today}", today - chrono::Duration::days(365))).await;
    let busy_months =
        year["by_month"].as_array().expect("months").iter().filter(|m| m["person_times"].as_i64() > Some(0)).count();
    assert!(busy_months >= 11, "{busy_months} months with service");
    assert!(year["service"]["person_times_by_category"].as_object().is_some_and(|c| c.len() >= 6), "{year}");
    let served_villages =
        year["by_region"].as_array().expect("villages").iter().filter(|v| v["hours"].as_f64() > Some(0.0)).count();
    assert!(served_villages >= 20, "{served_villages} villages served");
    assert!(
        year["service"]["hours"].as_f64() > Some(1000.0) && year["care"]["recipients"].as_i64() > Some(0),
        "{}",
        year["service"]
    );
    let pairs = get("/api/v1/mentorships").await;
    let outcomes: Vec<&str> = pairs.as_array().expect("pairs").iter().filter_map(|m| m["outcome"].as_str()).collect();
    assert!(outcomes.contains(&"employed") && outcomes.contains(&"business_started") && outcomes.contains(&"none"));
    assert!(get("/api/v1/leads").await.as_array().is_some_and(|l| l.len() >= 5), "a leads board");
    let waiting = get("/api/v1/applications?status=pending&masked=true").await;
    let waiting = waiting.as_array().expect("applications");
    assert!(waiting.len() >= 3 && waiting.iter().any(|a| a["source"] == "public"), "applications to review");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_loads_a_believable_town_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, base, lines) = serve_demo(dir.path(), None);
    assert!(
        lines.iter().any(|l| l.contains("admin") && l.contains(laobing::demo::DEMO_PASSWORD)),
        "prints how to log in: {lines:?}"
    );
    check_demo(&base).await;
    drop(server);
    // a second start keeps the same town instead of loading it twice
    let (_server, base, _) = serve_demo(dir.path(), None);
    check_demo(&base).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_runs_on_postgres_too() {
    // an empty database of its own, with no test server of ours holding it
    let Some(url) = common::fresh_postgres_url().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (_server, base, _) = serve_demo(dir.path(), Some(&url));
    check_demo(&base).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_report_writes_the_summary_workbook() {
    let app = common::spawn(Backend::Sqlite).await.expect("app");
    let staff = app.token("staff").await;
    let a = app
        .activity(&staff, "春耕帮扶", "2026-04-02T08:00:00+08:00", "2026-04-02T11:00:00+08:00", 5, "spring_farming")
        .await;
    let v = app.volunteer(&staff, "帮扶队员", app.town.village_a, 41, &["farming"]).await;
    let (s, r) = app
        .post(
            &staff,
            &format!("/api/v1/activities/{}/attendance", a["id"]),
            serde_json::json!({"volunteer_id": v["id"], "check_in": "2026-04-02T08:00:00+08:00", "check_out": "2026-04-02T11:00:00+08:00"}),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::OK, "{r}");
    let dir = tempfile::tempdir().expect("tempdir");
    let out_file = dir.path().join("summary.xlsx");
    let town = app.town.town.to_string();
    let args =
        ["export", "report", "--database", &app.url, "--region", &town, "--from", "2026-04-01", "--to", "2026-04-30"];
    let out = laobing(app.dir.path())
        .args(args)
        .args(["--person-in-charge", "张站长", "-o"])
        .arg(&out_file)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("回车镇") && said.contains("1 场次活动") && said.contains("1 人次") && said.contains("3.0 小时"),
        "{said}"
    );
    let bytes = std::fs::read(&out_file).expect("the workbook was written");
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
    assert_eq!(book.sheet_names(), ["汇总表", "按月", "按地区", "按队伍"]);
    let sheet = book.worksheet_range("汇总表").expect("summary sheet");
    let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let figure = |name: &str| {
        cells.iter().find(|r| r.get(1).map(String::as_str) == Some(name)).map(|r| (r[2].clone(), r[3].clone()))
    };
    assert_eq!(figure("服务人次"), Some(("1".into(), "人次".into())));
    assert_eq!(figure("服务时长"), Some(("3".into(), "小时".into())));
    assert_eq!(figure("开展活动"), Some(("1".into(), "场次".into())));
    assert!(cells.iter().flatten().any(|c| c == "负责人：张站长"), "the form is signed");
    let bad = laobing(app.dir.path())
        .args([
            "export",
            "report",
            "--database",
            &app.url,
            "--region",
            &town,
            "--from",
            "2026-05-01",
            "--to",
            "2026-04-01",
            "-o",
        ])
        .arg(dir.path().join("bad.xlsx"))
        .output()
        .expect("run");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--to"), "names the flag");
}

/// `backup` while the app serves, more work after it, then `restore` brings the
/// database back to the moment of the backup.
async fn backup_and_restore(backend: Backend) {
    let Some(app) = common::spawn(backend).await else {
        return;
    };
    let staff = app.token("staff").await;
    app.volunteer(&staff, "备份前", app.town.village_a, 51, &[]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("town.backup");
    let out = laobing(app.dir.path()).args(["backup", "--database", &app.url]).arg(&file).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("secret.key"), "reminds to keep the key");
    let again = laobing(app.dir.path()).args(["backup", "--database", &app.url]).arg(&file).output().expect("run");
    assert!(!again.status.success(), "never overwrites a backup");
    app.volunteer(&staff, "备份后", app.town.village_a, 52, &[]).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM volunteers").await, 2);
    if backend == Backend::Sqlite {
        // a town restores onto its small PC after the server stopped
        let target = format!("sqlite://{}/restored/town.db", dir.path().display());
        let out = laobing(app.dir.path()).args(["restore", "--database", &target]).arg(&file).output().expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let db = laobing::store::Db::open(&target, app.dir.path()).await.expect("open restored");
        let names: Vec<String> = laobing::on_db!(&db.pool, |p| sqlx::query_scalar("SELECT name FROM volunteers")
            .fetch_all(p)
            .await
            .expect("names"));
        assert_eq!(names, ["备份前"]);
        let junk = dir.path().join("junk.backup");
        std::fs::write(&junk, b"not a database").expect("write");
        let out = laobing(app.dir.path()).args(["restore", "--database", &target]).arg(&junk).output().expect("run");
        assert!(!out.status.success(), "a wrong file is refused");
        assert_eq!(
            laobing::on_db!(&db.pool, |p| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM volunteers")
                .fetch_one(p)
                .await
                .expect("count")),
            1,
            "and the database it would have replaced is untouched"
        );
    } else {
        let out = laobing(app.dir.path()).args(["restore", "--database", &app.url]).arg(&file).output().expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(app.scalar("SELECT COUNT(*) FROM volunteers").await, 1, "back to the backup's moment");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_and_restore_on_sqlite() {
    backup_and_restore(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_and_restore_on_postgres() {
    backup_and_restore(Backend::Postgres).await;
}
