//! Crash safety: the real `laobing` binary takes a stream of writes (new
//! volunteers, points adjustments, attendance) from several clients at once and
//! is killed with SIGKILL while requests are in flight. After each kill every
//! write that was acknowledged is still there with the values sent, no refused
//! write is, the SQLite file passes `PRAGMA integrity_check` and
//! `laobing audit-verify` passes. Five rounds on one SQLite file; on
//! PostgreSQL two app servers share the database and both are killed, one
//! after the other.

use crate::cli::laobing;
use crate::common::{self, hours_from_now, PASSWORD};
use chrono::DateTime;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ROUNDS: usize = 5;
/// Volunteers who get attendance (one record per round each) and points adjustments.
const ATTENDEES: usize = 24;
const ADJUSTED: usize = 4;

/// A running `laobing serve`; killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(dir: &Path, database: &str, n: usize) -> Server {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(format!("server-{n}.log")))
            .expect("server log");
        let mut child = laobing(dir)
            .args(["serve", "--database", database, "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("spawn laobing serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut base = None;
        for line in lines.by_ref() {
            let line = line.expect("line");
            if let Some(i) = line.find("http://") {
                base = Some(line[i..].trim_end_matches('/').to_string());
                break;
            }
        }
        // keep reading, so that a later line never meets a full pipe
        std::thread::spawn(move || lines.for_each(drop));
        let Some(base) = base else {
            let _ = child.kill();
            let log = std::fs::read_to_string(dir.join(format!("server-{n}.log"))).unwrap_or_default();
            panic!("the server did not start:\n{log}");
        };
        Server { child, base }
    }

    /// kill -9, and reap the process.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What became of one write.
#[derive(Debug, Clone)]
enum Outcome {
    /// A 2xx, with its body.
    Acked(Value),
    /// An answer that is not 2xx: nothing may have been kept.
    Refused(StatusCode, Value),
    /// No answer (the server died with it in flight): either is right.
    Unknown,
}

#[derive(Debug, Clone)]
enum Write {
    Volunteer { name: String, region_id: i64 },
    Adjustment { volunteer_id: i64, points: i64, reason: String },
    Attendance { activity_id: i64, volunteer_id: i64, check_in: String },
}

#[derive(Default)]
struct Journal(Mutex<Vec<(Write, Outcome)>>);

impl Journal {
    fn note(&self, w: Write, o: Outcome) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push((w, o));
    }
    fn all(&self) -> Vec<(Write, Outcome)> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Sends one write; `None` when the server gave no answer.
async fn send(client: &Client, base: &str, token: &str, path: &str, body: &Value) -> Outcome {
    match client.post(format!("{base}{path}")).bearer_auth(token).json(body).send().await {
        Err(_) => Outcome::Unknown,
        Ok(r) => {
            let status = r.status();
            match r.text().await {
                // the head came but the body did not: the answer was cut off
                Err(_) => Outcome::Unknown,
                Ok(text) => {
                    let v = serde_json::from_str(&text).unwrap_or(Value::Null);
                    if status.is_success() {
                        Outcome::Acked(v)
                    } else {
                        Outcome::Refused(status, v)
                    }
                }
            }
        }
    }
}

/// A volunteer number `k` that no other run of this test reuses: a valid ID
/// number, a phone and a name of its own.
fn person(k: u32) -> (String, String, String) {
    let birth =
        chrono::NaiveDate::from_ymd_opt(1960, 1, 1).expect("date") + chrono::Duration::days(i64::from(k / 1000));
    let id = common::id_number(&birth.format("%Y%m%d").to_string(), k % 1000);
    (format!("断电测试{k}"), id, format!("139{:08}", k))
}

struct Stream {
    client: Client,
    token: String,
    bases: Vec<String>,
    town: common::Town,
    attendees: Vec<i64>,
    adjusted: Vec<i64>,
    next_person: Arc<AtomicU32>,
    journal: Arc<Journal>,
    stop: Arc<AtomicBool>,
    first_ack: Arc<tokio::sync::Notify>,
}

impl Stream {
    /// Six clients writing until their server stops answering: two adding
    /// volunteers, two adjusting points, two recording attendance at `activity`.
    /// Client `i` writes to server `i % servers`.
    fn spawn(self: &Arc<Self>, round: usize, activity: i64) -> Vec<tokio::task::JoinHandle<()>> {
        (0..6)
            .map(|i| {
                let s = Arc::clone(self);
                tokio::spawn(async move { s.client_loop(i, round, activity).await })
            })
            .collect()
    }

    async fn client_loop(&self, i: usize, round: usize, activity: i64) {
        let base = &self.bases[i % self.bases.len()];
        let mut n = 0usize;
        while !self.stop.load(Ordering::SeqCst) {
            let (write, path, body) = match i / 2 {
                0 => {
                    let (name, id_number, phone) = person(self.next_person.fetch_add(1, Ordering::SeqCst));
                    let region_id = self.town.village_b;
                    let body = json!({"name": name, "id_number": id_number, "phone": phone, "region_id": region_id});
                    (Write::Volunteer { name, region_id }, "/api/v1/volunteers".to_string(), body)
                }
                1 => {
                    let volunteer_id = self.adjusted[(n + i) % self.adjusted.len()];
                    let points = 1 + (n as i64 % 40);
                    let reason = format!("断电测试 第{round}轮 客户{i} 第{n}笔");
                    let body = json!({"volunteer_id": volunteer_id, "points": points, "reason": reason});
                    (Write::Adjustment { volunteer_id, points, reason }, "/api/v1/points/adjustments".to_string(), body)
                }
                _ => {
                    // each attendee once per round's activity, split between the two clients
                    let Some(&volunteer_id) = self.attendees.get(n * 2 + i % 2) else {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    };
                    let (check_in, check_out) = (hours_from_now(-6), hours_from_now(-4));
                    let body = json!({"volunteer_id": volunteer_id, "check_in": check_in, "check_out": check_out});
                    let path = format!("/api/v1/activities/{activity}/attendance");
                    (Write::Attendance { activity_id: activity, volunteer_id, check_in }, path, body)
                }
            };
            n += 1;
            let outcome = send(&self.client, base, &self.token, &path, &body).await;
            let dead = matches!(outcome, Outcome::Unknown);
            if matches!(outcome, Outcome::Acked(_)) {
                self.first_ack.notify_one();
            }
            self.journal.note(write, outcome);
            if dead {
                return;
            }
        }
    }
}

async fn post(client: &Client, base: &str, token: &str, path: &str, body: Value) -> Value {
    match send(client, base, token, path, &body).await {
        Outcome::Acked(v) => v,
        other => panic!("POST {path}: {other:?}"),
    }
}

async fn get(client: &Client, base: &str, token: &str, path: &str) -> Value {
    let r = client.get(format!("{base}{path}")).bearer_auth(token).send().await.expect("send");
    assert!(r.status().is_success(), "GET {path}: {}", r.status());
    r.json().await.expect("json")
}

fn same_instant(a: &Value, b: &str) -> bool {
    let a = a.as_str().and_then(|a| DateTime::parse_from_rfc3339(a).ok());
    a.is_some_and(|a| DateTime::parse_from_rfc3339(b).is_ok_and(|b| a == b))
}

/// Every acknowledged write is there with the values sent, and no refused one is.
async fn check_writes(client: &Client, base: &str, token: &str, s: &Stream, journal: &[(Write, Outcome)]) {
    // the roster of the village the stream adds to, page by page
    let mut roster: HashMap<i64, Value> = HashMap::new();
    for page in 0.. {
        let path =
            format!("/api/v1/volunteers?region_id={}&masked=true&limit=1000&offset={}", s.town.village_b, page * 1000);
        let list = get(client, base, token, &path).await;
        let list = list.as_array().expect("a list");
        roster.extend(list.iter().map(|v| (v["id"].as_i64().expect("id"), v.clone())));
        if list.len() < 1000 {
            break;
        }
    }
    let names: HashMap<&str, i64> =
        roster.values().filter_map(|v| Some((v["name"].as_str()?, v["id"].as_i64()?))).collect();
    let mut points: HashMap<i64, Value> = HashMap::new();
    for &v in &s.adjusted {
        points.insert(v, get(client, base, token, &format!("/api/v1/volunteers/{v}/points")).await);
    }
    let mut records: HashMap<i64, Value> = HashMap::new();
    for &v in &s.attendees {
        records.insert(v, get(client, base, token, &format!("/api/v1/volunteers/{v}/service-records")).await);
    }
    for (write, outcome) in journal {
        match (write, outcome) {
            (Write::Volunteer { name, region_id }, Outcome::Acked(made)) => {
                let id = made["id"].as_i64().expect("the answer has the new id");
                let kept = roster.get(&id).unwrap_or_else(|| panic!("acknowledged volunteer {id} ({name}) is gone"));
                assert_eq!((&kept["name"], &kept["region_id"]), (&json!(name), &json!(region_id)), "{kept}");
                assert_eq!(kept["volunteer_no"], made["volunteer_no"], "{kept}");
            }
            (Write::Volunteer { name, .. }, Outcome::Refused(..)) => {
                assert!(!names.contains_key(name.as_str()), "refused volunteer {name} was kept")
            }
            (Write::Adjustment { volunteer_id, points: p, reason }, o) => {
                let entries = points[volunteer_id]["entries"].as_array().expect("entries");
                let kept: Vec<&Value> = entries.iter().filter(|e| e["reason"] == json!(reason)).collect();
                match o {
                    Outcome::Acked(_) => {
                        assert_eq!(kept.len(), 1, "acknowledged adjustment {reason:?} kept once: {kept:?}");
                        assert_eq!(kept[0]["points"], json!(p), "{reason}");
                    }
                    Outcome::Refused(..) => assert!(kept.is_empty(), "refused adjustment {reason:?} was kept"),
                    Outcome::Unknown => assert!(kept.len() <= 1, "an adjustment in flight kept twice: {reason:?}"),
                }
            }
            (Write::Attendance { activity_id, volunteer_id, check_in }, o) => {
                let recs = records[volunteer_id].as_array().expect("records");
                let kept: Vec<&Value> =
                    recs.iter().filter(|r| r["source"] == "activity" && r["source_id"] == json!(activity_id)).collect();
                match o {
                    Outcome::Acked(made) => {
                        assert_eq!(
                            kept.len(),
                            1,
                            "acknowledged attendance of {volunteer_id} at {activity_id}: {recs:?}"
                        );
                        assert_eq!(kept[0]["id"], made["service_record_id"], "{made}");
                        assert!(same_instant(&kept[0]["started_at"], check_in), "{:?}", kept[0]);
                    }
                    Outcome::Refused(..) => assert!(kept.is_empty(), "refused attendance was kept: {kept:?}"),
                    Outcome::Unknown => assert!(kept.len() <= 1),
                }
            }
            (Write::Volunteer { .. }, Outcome::Unknown) => {}
        }
    }
    // a balance is what its entries add up to
    for (v, p) in &points {
        let sum: i64 = p["entries"].as_array().expect("entries").iter().filter_map(|e| e["points"].as_i64()).sum();
        assert_eq!(p["balance"].as_i64(), Some(sum), "volunteer {v}: {p}");
    }
}

fn audit_verify(dir: &Path, database: &str) {
    let out = laobing(dir).args(["audit-verify", "--database", database]).output().expect("run audit-verify");
    assert!(
        out.status.success(),
        "audit-verify after the kill: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn integrity_check(file: &Path) {
    let conn = rusqlite::Connection::open(file).expect("open the SQLite file");
    let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity_check");
    assert_eq!(verdict, "ok", "PRAGMA integrity_check after the kill");
}

/// The rounds: start `servers` app servers, stream, kill them mid-stream,
/// check the database, restart and check every write.
async fn crash_rounds(dir: &Path, database: &str, sqlite_file: Option<PathBuf>, servers: usize) {
    let db = laobing::store::Db::open(database, &dir.join("data")).await.expect("open database");
    let town = common::seed(&db).await;
    drop(db);
    let start_all = || (0..servers).map(|n| Server::start(dir, database, n)).collect::<Vec<_>>();
    let mut running = start_all();
    let client = Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
    let base0 = running[0].base.clone();
    let login = client
        .post(format!("{base0}/api/v1/auth/token"))
        .json(&json!({"username": "staff", "password": PASSWORD}))
        .send()
        .await
        .expect("send");
    assert_eq!(login.status(), StatusCode::OK);
    let token = login.json::<Value>().await.expect("json")["token"].as_str().expect("token").to_string();

    let next_person = Arc::new(AtomicU32::new(0));
    let mut people = Vec::new();
    for _ in 0..ATTENDEES + ADJUSTED {
        let (name, id_number, phone) = person(next_person.fetch_add(1, Ordering::SeqCst));
        let body = json!({"name": name, "id_number": id_number, "phone": phone, "region_id": town.village_a});
        people.push(post(&client, &base0, &token, "/api/v1/volunteers", body).await["id"].as_i64().expect("id"));
    }
    let adjusted = people.split_off(ATTENDEES);
    let journal = Arc::new(Journal::default());
    let mut acked_total = [0usize; 3];

    for round in 0..ROUNDS {
        let bases: Vec<String> = running.iter().map(|s| s.base.clone()).collect();
        let activity = post(
            &client,
            &bases[0],
            &token,
            "/api/v1/activities",
            json!({"title": format!("断电测试第{round}轮"), "category": "lecture", "team_id": town.team_a,
                   "region_id": town.village_a, "starts_at": hours_from_now(-6), "ends_at": hours_from_now(-3),
                   "place": "回车村村委会", "capacity": 100}),
        )
        .await["id"]
            .as_i64()
            .expect("activity id");
        let stream = Arc::new(Stream {
            client: client.clone(),
            token: token.clone(),
            bases,
            town: town.clone(),
            attendees: people.clone(),
            adjusted: adjusted.clone(),
            next_person: Arc::clone(&next_person),
            journal: Arc::new(Journal::default()),
            stop: Arc::new(AtomicBool::new(false)),
            first_ack: Arc::new(tokio::sync::Notify::new()),
        });
        let tasks = stream.spawn(round, activity);
        // once writes are landing, a different moment each round (150–800 ms)
        if tokio::time::timeout(Duration::from_secs(60), stream.first_ack.notified()).await.is_err() {
            panic!("no write was acknowledged in a minute: {:?}", stream.journal.all().first());
        }
        let wait = 150 + (round as u64 * 163 + u64::from(common_jitter())) % 650;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        for (n, server) in running.iter_mut().enumerate() {
            if n > 0 {
                // the other server keeps taking writes a little longer
                tokio::time::sleep(Duration::from_millis(40 + 30 * round as u64)).await;
            }
            server.kill();
        }
        stream.stop.store(true, Ordering::SeqCst);
        for t in tasks {
            t.await.expect("client task");
        }
        let this_round = stream.journal.all();
        for (w, o) in &this_round {
            if matches!(o, Outcome::Acked(_)) {
                acked_total[match w {
                    Write::Volunteer { .. } => 0,
                    Write::Adjustment { .. } => 1,
                    Write::Attendance { .. } => 2,
                }] += 1;
            }
            journal.note(w.clone(), o.clone());
        }
        let unknown = this_round.iter().filter(|(_, o)| matches!(o, Outcome::Unknown)).count();
        let refused: Vec<String> = this_round
            .iter()
            .filter_map(|(_, o)| match o {
                Outcome::Refused(status, body) => Some(format!("{status} {}", body["error"]["code"])),
                _ => None,
            })
            .collect();
        eprintln!(
            "crash round {round}: {} writes sent, {unknown} in flight at the kill after {wait} ms, refused: {refused:?}",
            this_round.len()
        );

        if let Some(file) = &sqlite_file {
            integrity_check(file);
        }
        audit_verify(dir, database);
        running = start_all();
        // the session made before the kills still signs the calls
        let base = running[running.len() - 1].base.clone();
        check_writes(&client, &base, &token, &stream, &journal.all()).await;
    }
    assert!(acked_total.iter().all(|&n| n > 0), "every kind of write was acknowledged in some round: {acked_total:?}");
    drop(running);
}

/// A few bits of the clock, so that kill moments differ between runs too.
fn common_jitter() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_micros() % 97).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_keeps_every_acknowledged_write_through_kill_9() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("data/town.db");
    let database = format!("sqlite://{}", file.display());
    crash_rounds(dir.path(), &database, Some(file), 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_with_two_app_servers_keeps_every_acknowledged_write_through_kill_9() {
    let Some(database) = common::fresh_postgres_url().await else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    crash_rounds(dir.path(), &database, None, 2).await;
}
