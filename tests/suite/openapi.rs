//! The OpenAPI document is generated from the handlers; this snapshot shows
//! every change to the public API in review. Refresh it with
//! `UPDATE_SNAPSHOTS=1 cargo test openapi`.

use crate::both;
use crate::common::TestApp;
use serde_json::Value;
use utoipa::OpenApi;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/openapi.json");

#[test]
fn the_document_matches_its_snapshot() {
    let doc = serde_json::to_string_pretty(&laobing::web::openapi::ApiDoc::openapi()).expect("serialise") + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(SNAPSHOT, &doc).expect("write snapshot");
    }
    let stored = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert!(stored == doc, "the OpenAPI document changed; review it and run UPDATE_SNAPSHOTS=1 cargo test openapi");
}

#[test]
fn the_contract_paths_are_documented() {
    let doc: Value = serde_json::to_value(laobing::web::openapi::ApiDoc::openapi()).expect("json");
    for (path, method) in [
        ("/api/v1/auth/token", "post"),
        ("/api/v1/regions", "get"),
        ("/api/v1/regions", "post"),
        ("/api/v1/regions/{id}", "patch"),
        ("/api/v1/teams", "post"),
        ("/api/v1/teams/{id}/members", "post"),
        ("/api/v1/teams/{id}/members/{volunteer_id}", "delete"),
        ("/api/v1/volunteers", "get"),
        ("/api/v1/volunteers/{id}", "patch"),
        ("/healthz", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} missing");
    }
    assert!(doc["components"]["schemas"]["VolunteerView"]["properties"]["volunteer_no"].is_object());
}

both!(the_document_is_served, |app: TestApp| async move {
    let served: Value =
        app.client.get(app.url("/api/openapi.json")).send().await.expect("send").json().await.expect("json");
    assert_eq!(served, serde_json::to_value(laobing::web::openapi::ApiDoc::openapi()).expect("json"));
});

/// Every `{param}` in a documented path is declared as a path parameter of each
/// of its operations: without it a client generated from the document (or a
/// fuzzer) cannot call the operation at all.
#[test]
fn every_path_parameter_is_declared() {
    let doc: Value = serde_json::to_value(laobing::web::openapi::ApiDoc::openapi()).expect("json");
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let names: Vec<&str> = path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).collect();
        for (method, op) in item.as_object().expect("path item") {
            let declared = |name: &str| {
                op["parameters"].as_array().is_some_and(|ps| {
                    ps.iter().any(|p| p["in"] == "path" && p["name"] == name && p["required"] == true)
                })
            };
            missing.extend(names.iter().filter(|n| !declared(n)).map(|n| format!("{method} {path}: {{{n}}}")));
        }
    }
    assert!(missing.is_empty(), "path parameters not declared: {missing:#?}");
}
