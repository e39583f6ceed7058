//! What a phone on rural 4G receives: pages, JSON and static files compressed
//! when the client accepts it, static files at content-hashed addresses kept
//! for a year, and every list page with its style sheet and scripts under
//! 20 KB on the wire with 20 000 volunteers on the roster. Also the roster
//! tally the page's total is read from (migration 0037).

use crate::both;
use crate::common::TestApp;
use crate::pages::sign_in;
use reqwest::StatusCode;
use std::io::Read;

fn inflate(encoding: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "br" => brotli::Decompressor::new(body, 4096).read_to_end(&mut out).expect("brotli"),
        "gzip" => flate2::read::GzDecoder::new(body).read_to_end(&mut out).expect("gzip"),
        other => panic!("unexpected encoding {other}"),
    };
    out
}

/// `(Content-Encoding, bytes on the wire)` of a GET with `Accept-Encoding`.
async fn fetch(
    app: &TestApp,
    path: &str,
    accept: &str,
) -> (StatusCode, Option<String>, Vec<u8>, reqwest::header::HeaderMap) {
    let r = app.client.get(app.url(path)).header("accept-encoding", accept).send().await.expect("send");
    let status = r.status();
    let h = r.headers().clone();
    let enc = h.get("content-encoding").and_then(|v| v.to_str().ok()).map(str::to_string);
    (status, enc, r.bytes().await.expect("body").to_vec(), h)
}

/// The `/static/…` addresses a page links.
fn static_links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for marker in ["href=\"/static/", "src=\"/static/"] {
        let mut rest = html;
        while let Some(i) = rest.find(marker) {
            let from = i + marker.len() - "/static/".len();
            let end = rest[from..].find('"').map(|e| from + e).unwrap_or(rest.len());
            out.push(rest[from..end].to_string());
            rest = &rest[end..];
        }
    }
    out
}

/// 20 000 more volunteers, copies of one made through the API, added by SQL
/// in one statement (through the API this would take minutes).
async fn twenty_thousand(app: &TestApp) {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "样本", app.town.village_a, 9001, &["driving"]).await;
    let id = v["id"].as_i64().expect("id");
    app.exec(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
         INSERT INTO volunteers (volunteer_no, name, gender, birth_date, id_sealed, id_hash, id_masked, phone_sealed,
                                 phone_hash, phone_masked, region_id, address, lat, lon, branch, enlisted_on,
                                 discharged_on, veteran_category, party_member, cadre_role, availability, status,
                                 created_at, updated_at, grid_id)
         SELECT 'S' || CAST(n.i AS TEXT), v.name || CAST(n.i AS TEXT), v.gender, v.birth_date, v.id_sealed,
                v.id_hash || '-' || CAST(n.i AS TEXT), v.id_masked, v.phone_sealed, v.phone_hash, v.phone_masked,
                CASE WHEN n.i % 2 = 0 THEN {a} ELSE {b} END, v.address, v.lat, v.lon, v.branch, v.enlisted_on,
                v.discharged_on, v.veteran_category, v.party_member, v.cadre_role, v.availability, v.status,
                v.created_at, v.updated_at, NULL
           FROM volunteers v CROSS JOIN n WHERE v.id = {id}",
        a = app.town.village_a,
        b = app.town.village_b,
    ))
    .await;
}

both!(pages_and_files_are_compressed_and_list_pages_stay_under_20_kb, |app: TestApp| async move {
    twenty_thousand(&app).await;
    assert!(app.scalar("SELECT COUNT(*) FROM volunteers").await > 20_000);
    sign_in(&app, "staff").await;

    // a page: brotli when asked, gzip when only that is accepted, plain otherwise;
    // each inflates to the very page sent plain
    let (status, enc, plain, _) = fetch(&app, "/volunteers", "identity").await;
    assert_eq!((status, enc), (StatusCode::OK, None));
    let plain = String::from_utf8(plain).expect("utf-8");
    for (accept, want) in [("gzip, deflate, br", "br"), ("gzip", "gzip")] {
        let (status, enc, body, h) = fetch(&app, "/volunteers", accept).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(enc.as_deref(), Some(want), "{accept}");
        assert!(h["vary"].to_str().expect("vary").to_ascii_lowercase().contains("accept-encoding"));
        let page = String::from_utf8(inflate(want, &body)).expect("utf-8");
        // two views of one session are the same page, byte for byte
        assert_eq!(page, plain, "the {want} body inflates to the page");
        assert!(body.len() * 3 < plain.len(), "{want}: {} of {} bytes", body.len(), plain.len());
    }
    // JSON too
    let token = app.token("staff").await;
    let r = app
        .client
        .get(app.url("/api/v1/volunteers?limit=100&masked=true"))
        .bearer_auth(&token)
        .header("accept-encoding", "br")
        .send()
        .await
        .expect("send");
    assert_eq!(r.headers()["content-encoding"], "br");
    let json: serde_json::Value =
        serde_json::from_slice(&inflate("br", &r.bytes().await.expect("body"))).expect("json");
    assert_eq!(json.as_array().map(Vec::len), Some(100), "{json}");

    // static files: linked by a content-hashed address kept for a year, sent
    // compressed, the plain address still served and checked every time
    let links = static_links(&plain);
    assert!(links.iter().any(|l| l.ends_with(".css")) && links.iter().any(|l| l.ends_with(".js")), "{links:?}");
    for link in &links {
        let name = link.trim_start_matches("/static/");
        let parts: Vec<&str> = name.split('.').collect();
        assert!(parts.len() == 3 && parts[1].len() == 12, "{link} carries a hash");
        let (status, enc, body, h) = fetch(&app, link, "br, gzip").await;
        assert_eq!((status, enc.as_deref()), (StatusCode::OK, Some("br")), "{link}");
        assert_eq!(h["cache-control"], "public, max-age=31536000, immutable", "{link}");
        let (_, _, raw, h) = fetch(&app, &format!("/static/{}.{}", parts[0], parts[2]), "identity").await;
        assert_eq!(h["cache-control"], "no-cache");
        assert_eq!(inflate("br", &body), raw, "{link}");
        let etag = h["etag"].to_str().expect("etag").to_string();
        let r = app.client.get(app.url(link)).header("if-none-match", etag).send().await.expect("send");
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED, "{link}");
    }
    // the service worker keeps its one address
    let (status, _, _, h) = fetch(&app, "/sw.js", "br").await;
    assert_eq!((status, h["cache-control"].to_str().expect("cc")), (StatusCode::OK, "no-cache"));

    // every list page with what it links, as a phone receives it
    for path in ["/volunteers", "/activities", "/needs", "/teams", "/announcements", "/care", "/mobilizations"] {
        let (status, enc, body, _) = fetch(&app, path, "gzip, deflate, br").await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let html = match enc.as_deref() {
            Some(e) => String::from_utf8(inflate(e, &body)).expect("utf-8"),
            None => String::from_utf8(body.clone()).expect("utf-8"),
        };
        let mut wire = body.len();
        let mut parts = vec![format!("page {}", body.len())];
        for link in static_links(&html) {
            let (_, _, b, _) = fetch(&app, &link, "gzip, deflate, br").await;
            parts.push(format!("{link} {}", b.len()));
            wire += b.len();
        }
        assert!(wire < 20 * 1024, "{path}: {wire} bytes on the wire ({})", parts.join(", "));
    }
});

/// The API's total (`X-Total-Count`) against `COUNT(*)` for the whole town, a
/// village and each status.
async fn totals_match(app: &TestApp, staff: &str, what: &str) {
    let a = app.town.village_a;
    for (filter, sql) in [
        (String::new(), "SELECT COUNT(*) FROM volunteers".to_string()),
        (format!("&region_id={a}"), format!("SELECT COUNT(*) FROM volunteers WHERE region_id = {a}")),
        ("&status=active".into(), "SELECT COUNT(*) FROM volunteers WHERE status = 'active'".into()),
        ("&status=inactive".into(), "SELECT COUNT(*) FROM volunteers WHERE status = 'inactive'".into()),
    ] {
        let r = app
            .client
            .get(app.url(&format!("/api/v1/volunteers?limit=1&with_total=true{filter}")))
            .bearer_auth(staff)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::OK);
        let total: i64 = r.headers()["x-total-count"].to_str().expect("total").parse().expect("number");
        assert_eq!(total, app.scalar(&sql).await, "{what}: {filter}");
    }
}

both!(the_roster_total_follows_every_write, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "计数", app.town.village_a, 9101, &["driving"]).await;
    app.volunteer(&staff, "计数二", app.town.village_b, 9102, &[]).await;
    twenty_thousand(&app).await;
    totals_match(&app, &staff, "after adding").await;
    let path = format!("/api/v1/volunteers/{}", v["id"]);
    // moving a volunteer to the other village, then marking them inactive
    let (s, body) = app.patch(&staff, &path, serde_json::json!({"region_id": app.town.village_b})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    totals_match(&app, &staff, "after a move").await;
    let (s, body) = app.patch(&staff, &path, serde_json::json!({"status": "inactive"})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    totals_match(&app, &staff, "after a change of status").await;
    // a write that changes neither leaves the tally as it was
    let (s, body) = app.patch(&staff, &path, serde_json::json!({"address": "新地址"})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    totals_match(&app, &staff, "after another change").await;
    assert!(app.scalar("SELECT COUNT(*) FROM volunteers WHERE status = 'inactive'").await >= 1);
});

/// The first page of the roster as `base` lists it to `token`: each row's
/// name with its skills, and the total.
async fn roster_page(app: &TestApp, base: &str, token: &str) -> (Vec<String>, i64) {
    roster_page_of(&app.client, base, token).await
}

async fn roster_page_of(client: &reqwest::Client, base: &str, token: &str) -> (Vec<String>, i64) {
    let r = client
        .get(format!("{base}/api/v1/volunteers?limit=20&masked=true&with_total=true"))
        .bearer_auth(token)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let total: i64 = r.headers()["x-total-count"].to_str().expect("total").parse().expect("number");
    let rows: serde_json::Value = r.json().await.expect("json");
    let rows = rows.as_array().expect("rows").iter();
    (rows.map(|v| format!("{} {}", v["name"].as_str().unwrap_or(""), v["skills"])).collect(), total)
}

// A page of the roster read once is kept by the server until the database
// changes (SQLite: `PRAGMA data_version`; PostgreSQL: the version row that
// every writing transaction moves on at commit, migration 0039); whichever way
// a change is made, the very next read shows it, on the API and on the page.
both!(a_write_shows_on_the_very_next_read_of_a_roster_page, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "缓存甲", app.town.village_a, 9201, &["driving"]).await;
    let id = v["id"].as_i64().expect("id");
    let base = app.base.clone();
    let (names, total) = roster_page(&app, &base, &staff).await;
    assert!(names.contains(&"缓存甲 [\"driving\"]".to_string()), "{names:?}");
    // asked again, unchanged: the same answer
    assert_eq!(roster_page(&app, &base, &staff).await, (names, total));

    // a change through this server, of the row and of its skills
    let path = format!("/api/v1/volunteers/{id}");
    let (s, body) = app.patch(&staff, &path, serde_json::json!({"name": "缓存乙", "skills": ["medical"]})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (names, _) = roster_page(&app, &base, &staff).await;
    assert!(names.contains(&"缓存乙 [\"medical\"]".to_string()), "{names:?}");

    // a change through another server on the same database
    let second = app.second_server().await;
    let r = app
        .client
        .patch(format!("{second}{path}"))
        .bearer_auth(&staff)
        .json(&serde_json::json!({"name": "缓存丙"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let (names, _) = roster_page(&app, &base, &staff).await;
    assert!(names.iter().any(|n| n.starts_with("缓存丙 ")), "{names:?}");
    // and the other server, which kept its own page, sees this server's change
    let (names, _) = roster_page(&app, &second, &staff).await;
    assert!(names.iter().any(|n| n.starts_with("缓存丙 ")), "{names:?}");
    let (s, body) = app.patch(&staff, &path, serde_json::json!({"name": "缓存丁"})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (names, _) = roster_page(&app, &second, &staff).await;
    assert!(names.iter().any(|n| n.starts_with("缓存丁 ")), "{names:?}");

    // a change made outside the application, and a new volunteer in the total
    app.exec(&format!("UPDATE volunteers SET name = '缓存戊' WHERE id = {id}")).await;
    let (names, total) = roster_page(&app, &base, &staff).await;
    assert!(names.iter().any(|n| n.starts_with("缓存戊 ")), "{names:?}");
    app.volunteer(&staff, "缓存己", app.town.village_b, 9202, &[]).await;
    assert_eq!(roster_page(&app, &base, &staff).await.1, total + 1);

    // the roster page in the browser, read twice, then after a change
    sign_in(&app, "staff").await;
    assert!(app.page("/volunteers").await.contains("缓存戊"));
    assert!(app.page("/volunteers").await.contains("缓存戊"));
    let (s, body) = app.patch(&staff, &path, serde_json::json!({"name": "缓存庚"})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let html = app.page("/volunteers").await;
    assert!(html.contains("缓存庚") && !html.contains("缓存戊"), "the page shows the new name");
});

// A volunteer's own page is kept like the roster's pages, per volunteer and
// account, until anything is committed; and, as its open activities depend
// on the time, only until the first of them ends.
both!(a_volunteers_own_page_shows_every_change_and_drops_what_has_ended, |app: TestApp| async move {
    use laobing::domain::account::Role;
    let staff = app.token("staff").await;
    let v = app.volunteer(&staff, "自己页甲", app.town.village_a, 9301, &[]).await;
    let vid = v["id"].as_i64().expect("id");
    app.account_for("ziji", Role::Volunteer, app.town.village_a, vid).await;
    // an activity of the village that ends a few seconds from now
    let at = |secs: i64| (chrono::Utc::now() + chrono::Duration::seconds(secs)).to_rfc3339();
    let ends_in = 4;
    let soon = app.activity(&staff, "马上结束的义诊", &at(-3600), &at(ends_in), 10, "care_visit").await;
    let later = app.activity(&staff, "明天的巡河", &at(86_400), &at(90_000), 10, "safety_patrol").await;
    let started = std::time::Instant::now();
    sign_in(&app, "ziji").await;
    let me = app.page("/me").await;
    assert!(me.contains("自己页甲") && me.contains("马上结束的义诊") && me.contains("明天的巡河"), "{me}");
    assert_eq!(app.page("/me").await, me, "asked again, unchanged: the same page");

    // points given through the API show at once
    let body = serde_json::json!({"volunteer_id": vid, "points": 37, "reason": "自己页测试"});
    let (s, answer) = app.post(&staff, "/api/v1/points/adjustments", body).await;
    assert_eq!(s, StatusCode::CREATED, "{answer}");
    let me = app.page("/me").await;
    assert!(me.contains("<b id=\"my-points\">37</b>"), "the new balance: {me}");
    // a change made outside the application shows at once too
    app.exec(&format!("UPDATE volunteers SET name = '自己页乙' WHERE id = {vid}")).await;
    let me = app.page("/me").await;
    assert!(me.contains("<h1>自己页乙 ") && !me.contains("<h1>自己页甲 "), "the new name: {me}");

    // nothing is written while the first activity ends: once it has, the page
    // no longer offers it, and still offers the other
    let left = std::time::Duration::from_secs(ends_in as u64 + 1).saturating_sub(started.elapsed());
    tokio::time::sleep(left).await;
    let me = app.page("/me").await;
    assert!(!me.contains("马上结束的义诊"), "the ended activity is gone: {}", soon["id"]);
    assert!(me.contains("明天的巡河"), "the open one stays: {}", later["id"]);
});

// Writers commit while readers read, through two servers and by plain SQL.
// A reader never sees a volunteer's name go back to an earlier one (each read
// begins after the last one ended, so it must show at least what that one
// showed, whichever server answers), and once the last write has committed,
// the very next read on either server shows every final name.
both!(reads_racing_writes_never_go_back_and_end_on_the_last_write, |app: TestApp| async move {
    const WRITERS: usize = 3;
    const WRITES: usize = 12;
    let staff = app.token("staff").await;
    let second = app.second_server().await;
    let bases = [app.base.clone(), second];
    let mut ids = Vec::new();
    for i in 0..=WRITERS {
        let v = app.volunteer(&staff, &format!("竞速{i}-0"), app.town.village_a, 9301 + i as u32, &[]).await;
        ids.push(v["id"].as_i64().expect("id"));
    }
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));

    // the name's write number per volunteer, from a page's names
    fn numbers(names: &[String]) -> Vec<(usize, usize)> {
        names
            .iter()
            .filter_map(|n| n.strip_prefix("竞速")?.split(' ').next()?.split_once('-'))
            .filter_map(|(i, j)| Some((i.parse().ok()?, j.parse().ok()?)))
            .collect()
    }
    let mut readers = Vec::new();
    for r in 0..4 {
        let (client, bases, staff, done) = (app.client.clone(), bases.clone(), staff.clone(), done.clone());
        readers.push(tokio::spawn(async move {
            let mut seen = [0usize; WRITERS + 1];
            let mut reads = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                let (names, _) = roster_page_of(&client, &bases[(r + reads) % 2], &staff).await;
                for (i, j) in numbers(&names) {
                    assert!(j >= seen[i], "reader {r} saw volunteer {i} go back from write {} to {j}", seen[i]);
                    seen[i] = j;
                }
                reads += 1;
            }
            reads
        }));
    }
    let mut writers = Vec::new();
    for (i, id) in ids.iter().copied().enumerate().take(WRITERS) {
        let (client, bases, staff) = (app.client.clone(), bases.clone(), staff.clone());
        writers.push(tokio::spawn(async move {
            for j in 1..=WRITES {
                let r = client
                    .patch(format!("{}/api/v1/volunteers/{id}", bases[j % 2]))
                    .bearer_auth(&staff)
                    .json(&serde_json::json!({"name": format!("竞速{i}-{j}")}))
                    .send()
                    .await
                    .expect("send");
                assert_eq!(r.status(), StatusCode::OK);
            }
        }));
    }
    // and one volunteer changed by hand, outside any server
    for j in 1..=WRITES {
        app.exec(&format!("UPDATE volunteers SET name = '竞速{WRITERS}-{j}' WHERE id = {}", ids[WRITERS])).await;
    }
    for w in writers {
        w.await.expect("writer");
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    for r in readers {
        assert!(r.await.expect("reader") > 0);
    }
    let last: Vec<(usize, usize)> = (0..=WRITERS).map(|i| (i, WRITES)).collect();
    for base in &bases {
        let (names, total) = roster_page(&app, base, &staff).await;
        let mut got = numbers(&names);
        got.sort();
        assert_eq!((got, total), (last.clone(), WRITERS as i64 + 1), "{base}: {names:?}");
    }
});

/// PostgreSQL: every table of the application moves the version row that kept
/// pages are checked against (migration 0039), so that a table added later
/// without it fails here instead of leaving pages stale; it moves once per
/// transaction, however many rows it writes, and not for a transaction rolled
/// back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_postgres_table_moves_the_data_version_once_per_commit() {
    let Some(app) = crate::common::spawn(crate::common::Backend::Postgres).await else { return };
    let laobing::store::Pool::Postgres(p) = &app.db.pool else { unreachable!() };
    // the tables whose writes must not move it (and why: migration 0039)
    let unwatched = ["_sqlx_migrations", "audit_anchor", "audit_log", "data_version", "login_failures", "sessions"];
    let tables: Vec<(String, bool, bool)> = sqlx::query_as(
        "SELECT c.relname::text,
                EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'data_version'
                           AND g.tgenabled <> 'D' AND g.tgconstraint <> 0 AND g.tgdeferrable AND g.tginitdeferred),
                EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'data_version_truncate'
                           AND g.tgenabled <> 'D')
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()
          ORDER BY 1",
    )
    .fetch_all(p)
    .await
    .expect("tables");
    assert!(tables.len() > 40, "{tables:?}");
    for (t, row, truncate) in &tables {
        let want = !unwatched.contains(&t.as_str());
        assert_eq!(
            (*row, *truncate),
            (want, want),
            "table {t}: a table added by a migration must end it with `SELECT data_version_watch_all();`"
        );
    }

    let version = || async {
        sqlx::query_scalar::<_, i64>("SELECT CAST(SUM(v) AS BIGINT) FROM data_version").fetch_one(p).await.expect("v")
    };
    let v0 = version().await;
    let mut tx = p.begin().await.expect("begin");
    sqlx::query("UPDATE regions SET name = name WHERE id IN ($1, $2)")
        .bind(app.town.village_a)
        .bind(app.town.village_b)
        .execute(&mut *tx)
        .await
        .expect("update");
    sqlx::query("UPDATE teams SET name = name").execute(&mut *tx).await.expect("update");
    assert_eq!(version().await, v0, "not before the commit");
    tx.commit().await.expect("commit");
    assert_eq!(version().await, v0 + 1, "once for the transaction");
    let mut tx = p.begin().await.expect("begin");
    sqlx::query("UPDATE regions SET name = name").execute(&mut *tx).await.expect("update");
    tx.rollback().await.expect("rollback");
    assert_eq!(version().await, v0 + 1, "not for a rollback");
    sqlx::query("DELETE FROM sessions").execute(p).await.expect("delete");
    assert_eq!(version().await, v0 + 1, "not for the sessions");
    app.exec("TRUNCATE photos").await;
    assert!(version().await > v0 + 1, "and for a truncation");
}
