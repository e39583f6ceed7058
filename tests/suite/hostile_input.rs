//! Every route of the OpenAPI document, fed what a hostile or clumsy client
//! sends: malformed JSON, the wrong types, huge numbers, dates that do not
//! exist, coordinates off the planet, megabyte strings and odd path ids. No
//! answer may be a 5xx or a dropped connection, every refusal speaks the
//! contract's error shape, and the inputs that can never be right are 4xx.

use crate::both;
use crate::common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Map, Value};

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or("");
            &doc["components"]["schemas"][name]
        }
        None => v,
    }
}

/// The JSON body schema of an operation, resolved.
fn body_schema<'a>(doc: &'a Value, op: &'a Value) -> Option<&'a Value> {
    let s = op.get("requestBody")?.get("content")?.get("application/json")?.get("schema")?;
    Some(resolve(doc, s))
}

fn kind_of(doc: &Value, prop: &Value) -> (String, String) {
    let p = resolve(doc, prop);
    let p = p.get("oneOf").and_then(|o| o.as_array()).and_then(|a| a.first()).map(|x| resolve(doc, x)).unwrap_or(p);
    let ty = match &p["type"] {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("").to_string(),
        _ => String::new(),
    };
    (ty, p["format"].as_str().unwrap_or("").to_string())
}

struct Outcome {
    what: String,
    status: StatusCode,
    body: String,
}

fn error_shaped(body: &str) -> bool {
    serde_json::from_str::<Value>(body).ok().is_some_and(|v| {
        v["error"]["code"].as_str().is_some_and(|c| !c.is_empty()) && v["error"]["message"].is_string()
    })
}

async fn send(
    app: &TestApp,
    token: &str,
    method: &Method,
    path: &str,
    body: Option<String>,
) -> Result<(StatusCode, String), String> {
    let mut req = app.client.request(method.clone(), app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b);
    }
    let r = req.send().await.map_err(|e| format!("connection failed: {e}"))?;
    let s = r.status();
    Ok((s, r.text().await.map_err(|e| format!("body cut: {e}"))?))
}

both!(every_route_answers_hostile_input_with_a_4xx_in_the_contracts_shape, |app: TestApp| async move {
    let admin = app.token("admin").await;
    let staff = app.token("staff").await;
    // something for ids to point at
    let v = app.volunteer(&staff, "靶子", app.town.village_a, 1, &[]).await;
    let _ = v;
    let doc: Value =
        app.client.get(app.url("/api/openapi.json")).send().await.expect("send").json().await.expect("json");
    let paths = doc["paths"].as_object().expect("paths").clone();
    let mega = "字".repeat(350_000); // about 1 MB of UTF-8
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut must_refuse: Vec<Outcome> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    for (path, ops) in &paths {
        // never end the test's own session
        // pages in the document (a certificate's check) answer in HTML
        if !path.starts_with("/api/") {
            continue;
        }
        if path == "/api/v1/auth/token" || path.starts_with("/api/v1/me/sessions") || path == "/api/v1/me/password" {
            continue;
        }
        for (method, op) in ops.as_object().expect("ops") {
            let Ok(m) = Method::from_bytes(method.to_uppercase().as_bytes()) else { continue };
            if !matches!(m, Method::GET | Method::POST | Method::PUT | Method::PATCH | Method::DELETE) {
                continue;
            }
            // odd path ids: huge, negative, not a number, a character of many bytes
            if path.contains('{') {
                for id in ["99999999999999999999", "-1", "1e3", "%E5%B9%B4", "0"] {
                    let p = path
                        .split('/')
                        .map(|seg| if seg.starts_with('{') { id } else { seg })
                        .collect::<Vec<_>>()
                        .join("/");
                    match send(&app, &admin, &Method::GET, &p, None).await {
                        Ok((status, body)) => outcomes.push(Outcome { what: format!("GET {p}"), status, body }),
                        Err(e) => failures.push(format!("GET {p}: {e}")),
                    }
                }
            }
            let concrete =
                path.split('/').map(|seg| if seg.starts_with('{') { "1" } else { seg }).collect::<Vec<_>>().join("/");
            if m == Method::GET {
                // query strings of the wrong kind
                for q in [
                    "region_id=abc",
                    "region_id=99999999999999999999",
                    "from=2023-02-30&to=2023-13-01",
                    "page=-1&per_page=99999999999",
                    "q=%E5%B9%B4%00",
                ] {
                    let p = format!("{concrete}?{q}");
                    match send(&app, &admin, &m, &p, None).await {
                        Ok((status, body)) => outcomes.push(Outcome { what: format!("GET {p}"), status, body }),
                        Err(e) => failures.push(format!("GET {p}: {e}")),
                    }
                }
                continue;
            }
            let Some(schema) = body_schema(&doc, op) else { continue };
            // bodies that are never right
            for raw in ["{\"a\":", "[]", "\"text\"", "42", "null", "{\"x\": 1e999}", "{\"name\": \"a\\u0000b\"}"] {
                let what = format!("{method} {concrete} body {raw}");
                match send(&app, &admin, &m, &concrete, Some(raw.to_string())).await {
                    Ok((status, body)) => must_refuse.push(Outcome { what, status, body }),
                    Err(e) => failures.push(format!("{what}: {e}")),
                }
            }
            let props = schema["properties"].as_object().cloned().unwrap_or_default();
            for (name, prop) in &props {
                let (ty, format) = kind_of(&doc, prop);
                let mut bad: Vec<(Value, bool)> = vec![(json!({"nested": [1, 2]}), false), (json!(mega), false)];
                match ty.as_str() {
                    "integer" => {
                        bad.push((json!("十二"), true));
                        bad.push((json!(1e20), true));
                        bad.push((json!(1.5), true));
                    }
                    "number" => {
                        bad.push((json!("NaN"), true));
                        // out-of-range coordinates
                        if ["lat", "lon", "latitude", "longitude"].contains(&name.as_str()) {
                            bad.push((json!(if name.starts_with("lat") { 91.0 } else { 181.0 }), true));
                        }
                        bad.push((json!(1e300), false));
                    }
                    "boolean" => bad.push((json!("maybe"), true)),
                    // lists of texts also take "a、b" typed as one text, by design
                    "array" => bad.push((json!(12345), true)),
                    "string" if format == "date" => {
                        bad.push((json!("2023-02-30"), true));
                        bad.push((json!("2023-13-01"), true));
                    }
                    "string" if format == "date-time" => bad.push((json!("2023-02-30T10:00:00+08:00"), true)),
                    _ => {}
                }
                for (value, never_right) in bad {
                    let mut body = Map::new();
                    body.insert(name.clone(), value.clone());
                    let text = Value::Object(body).to_string();
                    let short: String = value.to_string().chars().take(40).collect();
                    let what = format!("{method} {concrete} {{{name}: {short}}}");
                    match send(&app, &admin, &m, &concrete, Some(text)).await {
                        Ok((status, body)) => {
                            let o = Outcome { what, status, body };
                            if never_right {
                                must_refuse.push(o)
                            } else {
                                outcomes.push(o)
                            }
                        }
                        Err(e) => failures.push(format!("{what}: {e}")),
                    }
                }
            }
        }
    }
    for o in outcomes.iter().chain(must_refuse.iter()) {
        if o.status.is_server_error() {
            failures.push(format!("{} → {} {}", o.what, o.status, o.body.chars().take(200).collect::<String>()));
        } else if o.status.is_client_error() && !error_shaped(&o.body) {
            failures.push(format!(
                "{} → {} not in the error shape: {}",
                o.what,
                o.status,
                o.body.chars().take(200).collect::<String>()
            ));
        }
    }
    for o in &must_refuse {
        // a body or a value that can never be right is refused
        if !o.status.is_client_error() && !o.status.is_server_error() {
            failures.push(format!("{} → {} accepted", o.what, o.status));
        }
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
    assert!(must_refuse.len() > 200, "the walk reached the routes: {}", must_refuse.len());
});
