//! Every link a role is shown is one it may open: the demo town is loaded,
//! each of its accounts signs in, and every page reachable from its menu is
//! followed (a crawler, not a hand-picked list). No page answers an error, and
//! no Chinese page shows a bare code word such as `submitted` or `offered`.

use crate::common::Backend;
use laobing::store::Db;
use laobing::web::{self, AppState};
use reqwest::{Client, StatusCode};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Codes the data uses that must reach a Chinese page only as their labels.
const CODE_WORDS: &[&str] = &[
    "submitted",
    "dispatched",
    "offered",
    "accepted",
    "declined",
    "completed",
    "rated",
    "rejected",
    "cancelled",
    "closed",
    "signed_up",
    "waiting",
    "pending",
    "approved",
    "applicant",
    "inactive",
    "town_staff",
    "team_leader",
    "grid_worker",
    "care_visit",
    "village_team",
    "town_squad",
    "veteran_assistance",
    "martyr_family",
    "flood_relief",
];

/// Pages a role is offered but that are not pages to read (they act, or they
/// leave the site's pages: the language switch, signing out, downloads).
fn skipped(path: &str) -> bool {
    path.starts_with("/lang/")
        || path.starts_with("/logout")
        || path.starts_with("/static/")
        || path.starts_with("/api/")
        || path.contains(".xlsx")
        || path.contains(".csv")
        || path.contains("/export")
        || path.contains("/print")
}

/// `/needs/17?page=2` → `/needs/N?page=N`: how many of one kind of page to visit.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut digits = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !digits {
                out.push('N');
            }
            digits = true;
        } else {
            digits = false;
            out.push(c);
        }
    }
    out
}

fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in html.split("href=\"").skip(1) {
        let Some(end) = part.find('"') else { continue };
        let href = part[..end].replace("&amp;", "&");
        if href.starts_with('/') && !href.starts_with("//") {
            out.push(href.split('#').next().unwrap_or("").to_string());
        }
    }
    out
}

/// The text a reader sees: tags, scripts, styles and attribute values left out.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        out.push(' ');
        let tail = &rest[i..];
        let end_tag = if tail.starts_with("<script") {
            tail.find("</script>").map(|j| j + 9)
        } else if tail.starts_with("<style") {
            tail.find("</style>").map(|j| j + 8)
        } else {
            tail.find('>').map(|j| j + 1)
        };
        match end_tag {
            Some(j) => rest = &tail[j..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

fn code_words_in(text: &str) -> Vec<&'static str> {
    let words: BTreeSet<&str> =
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    CODE_WORDS.iter().copied().filter(|w| words.contains(w)).collect()
}

async fn sign_in(client: &Client, base: &str, username: &str) {
    let html = client.get(format!("{base}/login")).send().await.expect("send").text().await.expect("text");
    let marker = "name=\"csrf\" value=\"";
    let at = html.find(marker).map(|i| i + marker.len()).expect("csrf on the login form");
    let csrf = html[at..].split('"').next().unwrap_or("").to_string();
    let r = client
        .post(format!("{base}/login"))
        .form(&[("username", username), ("password", laobing::demo::DEMO_PASSWORD), ("csrf", &csrf), ("next", "/")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{username} signs in");
}

/// Follows every link from `/` as `username`; answers the problems found.
async fn crawl(base: &str, username: &str) -> (usize, Vec<String>) {
    let client =
        Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client");
    sign_in(&client, base, username).await;
    let mut queue = VecDeque::from([("/".to_string(), "(start)".to_string())]);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut per_shape: BTreeMap<String, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut visited = 0;
    while let Some((path, from)) = queue.pop_front() {
        if !seen.insert(path.clone()) || skipped(&path) {
            continue;
        }
        let n = per_shape.entry(shape(&path)).or_default();
        *n += 1;
        if *n > 3 || visited >= 400 {
            continue;
        }
        visited += 1;
        let r = client.get(format!("{base}{path}")).send().await.expect("send");
        let status = r.status();
        if status.is_redirection() {
            let to = r.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_string();
            if to.starts_with("/login") {
                problems.push(format!("{path} (linked from {from}) sends {username} to the login page"));
            } else {
                queue.push_back((to, path.clone()));
            }
            continue;
        }
        if !status.is_success() {
            problems.push(format!("{path} (linked from {from}) answers {status} to {username}"));
            continue;
        }
        let is_html =
            r.headers().get("content-type").and_then(|c| c.to_str().ok()).is_some_and(|c| c.starts_with("text/html"));
        if !is_html {
            continue;
        }
        let csp = r.headers().get("content-security-policy").and_then(|c| c.to_str().ok()).unwrap_or("").to_string();
        if !csp.contains("script-src 'self'") || csp.contains("unsafe-inline") {
            problems.push(format!("{path} has the policy {csp:?}"));
        }
        let html = r.text().await.expect("text");
        for what in inline_code_in(&html) {
            problems.push(format!("{path} carries inline code the policy would block: {what}"));
        }
        let words = code_words_in(&visible_text(&html));
        if !words.is_empty() {
            problems.push(format!("{path} shows {username} the code words {words:?}"));
        }
        for link in links(&html) {
            if !seen.contains(&link) {
                queue.push_back((link, path.clone()));
            }
        }
    }
    (visited, problems)
}

async fn every_role_opens_every_link_it_is_shown(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}/laobing.db", dir.path().display()),
        Backend::Postgres => match crate::common::fresh_postgres_url().await {
            Some(url) => url,
            None => return,
        },
    };
    let db = Db::open(&url, dir.path()).await.expect("open database");
    let logins = laobing::demo::load(&db).await.expect("demo town");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = AppState::new(db.clone(), "test");
    tokio::spawn(async move {
        let _ = web::serve(state, listener).await;
    });
    let mut all = Vec::new();
    for (username, _, _) in &logins {
        let (visited, problems) = crawl(&base, username).await;
        eprintln!("crawl: {username} opened {visited} pages");
        assert!(visited >= 5, "{username} reaches only {visited} pages");
        all.extend(problems);
    }
    assert!(all.is_empty(), "{} problems:\n{}", all.len(), all.join("\n"));
}

#[tokio::test]
async fn every_role_opens_every_link_it_is_shown_sqlite() {
    every_role_opens_every_link_it_is_shown(Backend::Sqlite).await;
}

#[tokio::test]
async fn every_role_opens_every_link_it_is_shown_postgres() {
    every_role_opens_every_link_it_is_shown(Backend::Postgres).await;
}

/// Inline script, inline style and event-handler attributes: what a
/// Content-Security-Policy without 'unsafe-inline' refuses to run or apply
/// (whether written in a template or drawn in Rust, as charts and QR codes are).
pub fn inline_code_in(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else { break };
        let tag = &rest[start..start + len + 1];
        let lower = tag.to_ascii_lowercase();
        let attrs: Vec<&str> = lower.split_whitespace().skip(1).collect();
        if lower.starts_with("<style") {
            found.push("a <style> element".to_string());
        }
        if lower.starts_with("<script") && !attrs.iter().any(|a| a.starts_with("src=")) {
            found.push("an inline <script>".to_string());
        }
        for a in attrs {
            let name = a.split('=').next().unwrap_or("");
            if a.contains('=') && (name == "style" || (name.starts_with("on") && name.len() > 2)) {
                found.push(format!("the attribute {name} in {tag}"));
            }
        }
        rest = &rest[start + len + 1..];
    }
    found
}

#[test]
fn the_crawler_finds_inline_code() {
    assert_eq!(inline_code_in("<p class=\"on\">x</p><script src=\"/static/app.js\"></script>"), Vec::<String>::new());
    assert_eq!(inline_code_in("<li style=\"--depth: 1\">").len(), 1);
    assert_eq!(inline_code_in("<button type=\"button\" onclick=\"print()\">").len(), 1);
    assert_eq!(inline_code_in("<script>alert(1)</script><style>p{}</style>").len(), 2);
}

#[test]
fn the_crawler_reads_what_a_reader_sees() {
    let html = "<p class=\"submitted\">待审核</p><script>var s = 'offered';</script><b>offered</b>";
    assert_eq!(code_words_in(&visible_text(html)), vec!["offered"]);
    assert_eq!(shape("/needs/17?page=2"), "/needs/N?page=N");
    assert_eq!(links("<a href=\"/a?x=1&amp;y=2#top\">"), vec!["/a?x=1&y=2"]);
}
