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
    let modules =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules/playwright-core");
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
    let shots = app.dir.path().join("shots");
    let mut cmd = Command::new("node");
    cmd.arg(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/browser")
            .join(script),
    )
    .env("BASE_URL", &app.base)
    .env("SHOTS", &shots)
    .env("VILLAGE_ID", app.town.village_a.to_string())
    .env("PASSWORD", common::PASSWORD);
    // the app keeps serving on this runtime while node drives the browser
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "journey {script} failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("journey passed"),
        "the script did not finish: {stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_adds_a_volunteer_and_finds_them_sqlite() {
    journey("roster.mjs", Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_adds_a_volunteer_and_finds_them_postgres() {
    journey("roster.mjs", Backend::Postgres).await;
}
