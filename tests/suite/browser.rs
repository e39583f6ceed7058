//! Browser journeys in Debian's headless Chromium, driven by playwright-core
//! (tests/browser). Skipped with a loud notice when Chromium or the node
//! modules are missing; a failure under `CI`.

use crate::common::{self, Backend};
use std::path::Path;
use std::process::Command;

fn browser_ready() -> Result<(), String> {
    let chromium = std::env::var("LAOBING_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Err(format!("{chromium} not found (apt-get install chromium)"));
    }
    let modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules/playwright-core");
    if !modules.exists() {
        return Err("tests/browser/node_modules missing (cd tests/browser && npm ci)".into());
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Err("node not found".into());
    }
    Ok(())
}

/// Runs one journey script against a live app; the script exits non-zero and
/// prints what went wrong when a step fails.
pub async fn journey(script: &str, backend: Backend) {
    journey_with(script, backend, |_| async { Vec::new() }).await
}

/// Runs a journey after `setup` has prepared the app; `setup` returns extra
/// environment for the script.
pub async fn journey_with<F, Fut>(script: &str, backend: Backend, setup: F)
where
    F: FnOnce(std::sync::Arc<common::TestApp>) -> Fut,
    Fut: std::future::Future<Output = Vec<(&'static str, String)>>,
{
    if let Err(why) = browser_ready() {
        if std::env::var_os("CI").is_some() {
            panic!("CI is set but the browser tests cannot run: {why}");
        }
        eprintln!("\n*** SKIPPED: browser journey {script} — {why} ***\n");
        return;
    }
    let Some(app) = common::spawn(backend).await else {
        return;
    };
    let app = std::sync::Arc::new(app);
    let extra = setup(app.clone()).await;
    let shots = app.dir.path().join("shots");
    let mut cmd = Command::new("node");
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser").join(script))
        .env("BASE_URL", &app.base)
        .env("SHOTS", &shots)
        .env("VILLAGE_ID", app.town.village_a.to_string())
        .env("PASSWORD", common::PASSWORD)
        .envs(extra);
    // the app keeps serving on this runtime while node drives the browser
    let out = tokio::task::spawn_blocking(move || cmd.output()).await.expect("join").expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "journey {script} failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("journey passed"), "the script did not finish: {stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_adds_a_volunteer_and_finds_them_sqlite() {
    journey("roster.mjs", Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_adds_a_volunteer_and_finds_them_postgres() {
    journey("roster.mjs", Backend::Postgres).await;
}

/// A volunteer with an account, a leader leading the village team, a finished
/// activity of three hours and one under way.
async fn activity_setup(app: std::sync::Arc<common::TestApp>) -> Vec<(&'static str, String)> {
    use crate::common::hours_from_now;
    use laobing::domain::account::Role;
    use serde_json::json;
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "孙振华", app.town.village_a, 801, &["driving"]).await;
    let lead = app.volunteer(&staff, "周队长", app.town.village_a, 803, &[]).await;
    app.account_for("laobing", Role::Volunteer, app.town.village_a, v["id"].as_i64().expect("id")).await;
    app.patch(&staff, &format!("/api/v1/teams/{}", app.town.team_a), json!({"leader_id": lead["id"]})).await;
    app.exec(&format!("UPDATE users SET volunteer_id = {} WHERE username = 'leader_a'", lead["id"])).await;
    let past = app.activity(&staff, "政策宣讲", &hours_from_now(-30), &hours_from_now(-27), 20, "lecture").await;
    app.post(
        &staff,
        &format!("/api/v1/activities/{}/attendance", past["id"]),
        json!({"volunteer_id": v["id"], "check_in": hours_from_now(-30), "check_out": hours_from_now(-27)}),
    )
    .await;
    let now = app.activity(&staff, "秋收帮扶", &hours_from_now(-1), &hours_from_now(2), 5, "spring_farming").await;
    vec![("ACTIVITY_ID", now["id"].to_string()), ("VOLUNTEER_NAME", "孙振华".to_string())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volunteer_checks_in_and_prints_a_certificate_sqlite() {
    journey_with("activity.mjs", Backend::Sqlite, activity_setup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volunteer_checks_in_and_prints_a_certificate_postgres() {
    journey_with("activity.mjs", Backend::Postgres, activity_setup).await;
}

/// The suggested volunteer (nearest, the only one of the village) has an account.
async fn need_setup(app: std::sync::Arc<common::TestApp>) -> Vec<(&'static str, String)> {
    use laobing::domain::account::Role;
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "热心人", app.town.village_b, 1401, &["electrician"]).await;
    app.account_for("helper", Role::Volunteer, app.town.village_b, v["id"].as_i64().expect("id")).await;
    vec![]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_need_is_dispatched_accepted_completed_and_rated_sqlite() {
    journey_with("need.mjs", Backend::Sqlite, need_setup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_need_is_dispatched_accepted_completed_and_rated_postgres() {
    journey_with("need.mjs", Backend::Postgres, need_setup).await;
}

/// The sample roster's other three villages exist in the town.
async fn import_setup(app: std::sync::Arc<common::TestApp>) -> Vec<(&'static str, String)> {
    use serde_json::json;
    let staff = app.token("staff").await;
    for name in ["西坪村", "黄沙村", "桑坪村"] {
        let (s, v) = app
            .post(
                &staff,
                "/api/v1/regions",
                json!({"name": name, "kind": "village", "parent_id": app.town.town, "lat": 33.36, "lon": 111.63}),
            )
            .await;
        assert!(s.is_success(), "{v}");
    }
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/huiche-roster-sample.xlsx");
    vec![("ROSTER_FILE", file.display().to_string())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_imports_the_old_roster_on_a_phone_and_sees_the_dashboard_sqlite() {
    journey_with("import.mjs", Backend::Sqlite, import_setup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_imports_the_old_roster_on_a_phone_and_sees_the_dashboard_postgres() {
    journey_with("import.mjs", Backend::Postgres, import_setup).await;
}

/// The sample villages, and the Excel 97-2003 roster whose two columns need mapping.
async fn mapping_setup(app: std::sync::Arc<common::TestApp>) -> Vec<(&'static str, String)> {
    import_setup(app).await;
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sangping-2003.xls");
    vec![("ROSTER_FILE", file.display().to_string())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_map_an_unknown_column_on_a_phone_and_import_sqlite() {
    journey_with("import-mapping.mjs", Backend::Sqlite, mapping_setup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_map_an_unknown_column_on_a_phone_and_import_postgres() {
    journey_with("import-mapping.mjs", Backend::Postgres, mapping_setup).await;
}

async fn phone_setup(app: std::sync::Arc<common::TestApp>) -> Vec<(&'static str, String)> {
    let mut env = activity_setup(app.clone()).await;
    let staff = app.token("staff").await;
    app.post(
        &staff,
        "/api/v1/needs",
        serde_json::json!({"title": "帮五保户修屋顶", "category": "veteran_assistance", "region_id": app.town.village_a,
                           "requester_name": "王大爷", "requester_phone": "13900005555"}),
    )
    .await;
    env.push(("USERS", "staff,admin,leader_a,grid_a,laobing".to_string()));
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_fits_a_phone_sqlite() {
    journey_with("phone.mjs", Backend::Sqlite, phone_setup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_fits_a_phone_postgres() {
    journey_with("phone.mjs", Backend::Postgres, phone_setup).await;
}

/// The activity under way with its content, 孙振华 signed up for it, and a
/// second volunteer with an account (laobing2) signed up too.
async fn field_setup(app: std::sync::Arc<common::TestApp>) -> Vec<(&'static str, String)> {
    use laobing::domain::account::Role;
    use serde_json::json;
    let mut env = activity_setup(app.clone()).await;
    let staff = app.token("staff").await;
    let id: i64 = env.iter().find(|(k, _)| *k == "ACTIVITY_ID").and_then(|(_, v)| v.parse().ok()).expect("id");
    app.patch(&staff, &format!("/api/v1/activities/{id}"), json!({"description": "帮助五保户收割玉米、运送到家"}))
        .await;
    let sun = app.scalar("SELECT id FROM volunteers WHERE name = '孙振华'").await;
    let other = app.volunteer(&staff, "王铁军", app.town.village_a, 805, &[]).await;
    app.account_for("laobing2", Role::Volunteer, app.town.village_a, other["id"].as_i64().expect("id")).await;
    for v in [sun, other["id"].as_i64().expect("id")] {
        let (s, b) = app.post(&staff, &format!("/api/v1/activities/{id}/signups"), json!({"volunteer_id": v})).await;
        assert!(s.is_success(), "{b}");
    }
    env.push(("BOOK_ACTIVITIES", "2".to_string()));
    env
}

/// For the ledger: 孙振华 came and left, and two phone photos are ready to take.
async fn ledger_setup(app: std::sync::Arc<common::TestApp>) -> Vec<(&'static str, String)> {
    use crate::common::hours_from_now;
    use serde_json::json;
    let mut env = field_setup(app.clone()).await;
    let staff = app.token("staff").await;
    let id = env.iter().find(|(k, _)| *k == "ACTIVITY_ID").map(|(_, v)| v.clone()).expect("id");
    let sun = app.scalar("SELECT id FROM volunteers WHERE name = '孙振华'").await;
    let (s, b) = app
        .post(
            &staff,
            &format!("/api/v1/activities/{id}/attendance"),
            json!({"volunteer_id": sun, "check_in": hours_from_now(-1), "check_out": hours_from_now(0)}),
        )
        .await;
    assert!(s.is_success(), "{b}");
    for (n, (w, h)) in [(1, (1600, 1200)), (2, (1200, 1600))] {
        let file = app.dir.path().join(format!("IMG_000{n}.jpg"));
        std::fs::write(&file, crate::photos::phone_jpeg(w, h)).expect("write photo");
        env.push((if n == 1 { "PHOTO_1" } else { "PHOTO_2" }, file.display().to_string()));
    }
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_takes_two_photos_and_prints_the_ledger_sqlite() {
    journey_with("ledger.mjs", Backend::Sqlite, ledger_setup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_takes_two_photos_and_prints_the_ledger_postgres() {
    journey_with("ledger.mjs", Backend::Postgres, ledger_setup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volunteers_check_in_inside_and_outside_the_radius_sqlite() {
    journey_with("location.mjs", Backend::Sqlite, field_setup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volunteers_check_in_inside_and_outside_the_radius_postgres() {
    journey_with("location.mjs", Backend::Postgres, field_setup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_without_signal_is_sent_once_with_its_time_sqlite() {
    journey_with("offline.mjs", Backend::Sqlite, field_setup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_without_signal_is_sent_once_with_its_time_postgres() {
    journey_with("offline.mjs", Backend::Postgres, field_setup).await;
}

/// Runs a journey against the demo town (loaded into a fresh database of its own)
/// as the given demo accounts.
async fn demo_journey(script: &str, backend: Backend, users: &str) {
    if let Err(why) = browser_ready() {
        if std::env::var_os("CI").is_some() {
            panic!("CI is set but the browser tests cannot run: {why}");
        }
        eprintln!("\n*** SKIPPED: browser journey {script} — {why} ***\n");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}/laobing.db", dir.path().display()),
        Backend::Postgres => match common::fresh_postgres_url().await {
            Some(url) => url,
            None => return,
        },
    };
    let db = laobing::store::Db::open(&url, dir.path()).await.expect("open database");
    laobing::demo::load(&db).await.expect("demo town");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = laobing::web::AppState::new(db, "demo");
    tokio::spawn(async move {
        let _ = laobing::web::serve(state, listener).await;
    });
    let mut cmd = Command::new("node");
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser").join(script))
        .env("BASE_URL", &base)
        .env("PASSWORD", laobing::demo::DEMO_PASSWORD)
        .env("USERS", users);
    let out = tokio::task::spawn_blocking(move || cmd.output()).await.expect("join").expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "journey {script} failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("journey passed"), "the script did not finish: {stdout}");
}

/// Chromium reports no Content-Security-Policy violation on any demo page any
/// role opens, and the scripts that replaced inline handlers still work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_runs_under_its_content_security_policy_sqlite() {
    demo_journey("csp.mjs", Backend::Sqlite, "zhanxin,admin,huiche_dz,wanggeyuan,laobing01").await;
}

/// Each role of the demo town, and a resident without an account, crawled in
/// Chromium on a phone and on a PC: every link and GET form reachable from the
/// role's menu answers 2xx; the pages fit, have thumb-sized buttons and list
/// links, show no code words and no refusal in green (tests/browser/crawl.mjs).
const EVERY_ROLE: &str = "zhanxin,admin,huiche_dz,wanggeyuan,laobing01,resident";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_crawled_on_a_phone_and_a_pc_sqlite() {
    demo_journey("crawl.mjs", Backend::Sqlite, EVERY_ROLE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_crawled_on_a_phone_and_a_pc_postgres() {
    demo_journey("crawl.mjs", Backend::Postgres, EVERY_ROLE).await;
}
