//! What a browser is told to enforce, and the other controls a 等保 level-3
//! assessment looks for (see docs/security.md for the list and where each is tested).

use crate::both;
use crate::common::TestApp;
use crate::crawl::inline_code_in;
use reqwest::StatusCode;

both!(every_answer_carries_the_browser_security_headers, |app: TestApp| async move {
    // public pages, an error page, a static file, the JSON API (answer and error)
    for path in [
        "/login",
        "/public/needs/new",
        "/join",
        "/verify",
        "/verify/NOSUCHCODE",
        "/no/such/page",
        "/static/app.js",
        "/api/v1/needs",
        "/healthz",
    ] {
        let r = app.client.get(app.url(path)).send().await.expect("send");
        let h = r.headers().clone();
        let csp = h.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(h.get("strict-transport-security").is_none(), "{path}: no HSTS over plain HTTP");
        if h.get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|c| c.starts_with("text/html")) {
            let html = r.text().await.expect("text");
            assert_eq!(inline_code_in(&html), Vec::<String>::new(), "{path}");
        }
    }
    let r = app.client.get(app.url("/static/app.js")).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
});

/// No template carries inline script, inline style or an event-handler
/// attribute: the policy would block them, so a page would silently lose them.
#[test]
fn no_template_carries_inline_code() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut bad = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("templates").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let text = std::fs::read_to_string(&p).expect("read");
                for what in inline_code_in(&text) {
                    bad.push(format!("{}: {what}", p.display()));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
