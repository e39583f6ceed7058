//! The ceiling: bare axum answering from memory with the bytes Laobing sent
//! for a page, with no database, no session and no template. What it serves
//! per second on a machine is what that machine can do for a response of that
//! size; `scripts/bench-ceiling.sh` runs it and Laobing in turns with the same
//! `wrk` settings and prints Laobing's share of it.
//!
//!     cargo run --release --example ceiling -- 127.0.0.1:18282 \
//!         /volunteers=page.html=text/html /api/v1/volunteers=list.json=application/json
//!
//! Each argument after the address is `PATH=FILE=CONTENT-TYPE`; the query
//! string of a request is ignored. Unknown paths answer 404.

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Table = Arc<HashMap<String, (HeaderValue, Bytes)>>;

async fn answer(table: Table, req: Request) -> Response {
    match table.get(req.uri().path()) {
        Some((ct, body)) => ([(header::CONTENT_TYPE, ct.clone())], body.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let listen = args.next().ok_or("usage: ceiling ADDRESS PATH=FILE=CONTENT-TYPE…")?;
    let mut table = HashMap::new();
    for a in args {
        let mut it = a.splitn(3, '=');
        let (path, file, ct) = match (it.next(), it.next(), it.next()) {
            (Some(p), Some(f), Some(c)) => (p, f, c),
            _ => return Err(format!("{a}: expected PATH=FILE=CONTENT-TYPE")),
        };
        let body = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
        let ct = HeaderValue::from_str(ct).map_err(|e| format!("{ct}: {e}"))?;
        table.insert(path.to_string(), (ct, Bytes::from(body)));
    }
    let table: Table = Arc::new(table);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&listen).await.map_err(|e| format!("{listen}: {e}"))?;
        let app = axum::Router::new().fallback(move |req: Request| answer(table.clone(), req));
        axum::serve(listener, app).await.map_err(|e| e.to_string())
    })
}
