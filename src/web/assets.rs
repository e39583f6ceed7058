//! The static files (style sheets, scripts, the icon), compiled into the
//! binary and served from memory.
//!
//! Each file has two addresses. Pages link the one with a hash of the file's
//! bytes in it (`/static/app.3f9c0a1b2c4d.css`, from [`url`]): it never changes
//! meaning, so browsers keep it for a year without asking again, and a new
//! version of the file is a new address. The plain address
//! (`/static/app.css`) stays for what must not move, such as the service
//! worker's `importScripts`, and is checked with the server on every use
//! (`no-cache` and an `ETag`, answered 304 when unchanged). The service worker
//! itself is at `/sw.js` and never moves: browsers find it by that address.
//!
//! Text files are compressed once, at their first use, with brotli at its
//! best setting and gzip, and sent as the client accepts; nothing static is
//! compressed per request.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// One static file and its compressed forms.
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static [u8],
    /// `/static/<stem>.<hash>.<ext>`
    pub hashed: String,
    /// The hash in quotes, as an `ETag`.
    pub etag: String,
    pub gzip: Option<&'static [u8]>,
    pub br: Option<&'static [u8]>,
}

/// A static file: its name, type, bytes, and its bytes compressed with
/// gzip and brotli at their best settings when the program was built (build.rs).
type File = (&'static str, &'static str, &'static [u8], &'static [u8], &'static [u8]);

macro_rules! file {
    ($name:literal, $type:literal) => {
        (
            $name,
            $type,
            include_bytes!(concat!("../../static/", $name)).as_slice(),
            include_bytes!(concat!(env!("OUT_DIR"), "/static/", $name, ".gz")).as_slice(),
            include_bytes!(concat!(env!("OUT_DIR"), "/static/", $name, ".br")).as_slice(),
        )
    };
}

const FILES: &[File] = &[
    file!("app.css", "text/css; charset=utf-8"),
    file!("app.js", "text/javascript; charset=utf-8"),
    file!("print.css", "text/css; charset=utf-8"),
    file!("print.js", "text/javascript; charset=utf-8"),
    file!("paper.css", "text/css; charset=utf-8"),
    file!("field.js", "text/javascript; charset=utf-8"),
    file!("outbox.js", "text/javascript; charset=utf-8"),
    file!("imports.js", "text/javascript; charset=utf-8"),
    file!("sw.js", "text/javascript; charset=utf-8"),
    file!("favicon.svg", "image/svg+xml"),
];

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| FILES.iter().map(|&f| Asset::new(f)).collect());

impl Asset {
    fn new((name, content_type, body, gzip, br): File) -> Asset {
        let digest = Sha256::digest(body);
        let hash: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
        Asset {
            name,
            content_type,
            body,
            hashed: format!("/static/{stem}.{hash}.{ext}"),
            etag: format!("\"{hash}\""),
            gzip: Some(gzip),
            br: Some(br),
        }
    }
}

/// The address pages link for a static file: the one with its content hash.
/// An unknown name (a mistake in a template) gets its plain address.
pub fn url(name: &str) -> &'static str {
    ASSETS.iter().find(|a| a.name == name).map(|a| a.hashed.as_str()).unwrap_or("/static/missing")
}

/// Every static file, for the tests and the ceiling benchmark.
pub fn all() -> &'static [Asset] {
    &ASSETS
}

/// Which encoding the client accepts, best first: brotli, then gzip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// Reads `Accept-Encoding` (a `q=0` refuses an encoding).
pub fn accepted(headers: &HeaderMap) -> Encoding {
    let mut br = false;
    let mut gz = false;
    for v in headers.get_all(header::ACCEPT_ENCODING) {
        for part in v.to_str().unwrap_or("").split(',') {
            let mut it = part.split(';');
            let name = it.next().unwrap_or("").trim();
            let refused = it.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=").is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
            });
            if refused {
                continue;
            }
            match name {
                "br" => br = true,
                "gzip" => gz = true,
                "*" => {
                    br = true;
                    gz = true
                }
                _ => {}
            }
        }
    }
    if br {
        Encoding::Brotli
    } else if gz {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// `GET /static/{file}`: by its hashed address (kept a year) or its plain one
/// (checked every time).
pub async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let path = format!("/static/{file}");
    if let Some(a) = ASSETS.iter().find(|a| a.hashed == path) {
        return send(a, &headers, "public, max-age=31536000, immutable");
    }
    match ASSETS.iter().find(|a| a.name == file && a.name != "sw.js") {
        Some(a) => send(a, &headers, "no-cache"),
        None => super::error::ApiError::not_found().into_response(),
    }
}

/// `/sw.js`, `/favicon.svg`: files whose address must not change.
pub fn fixed(name: &'static str, headers: &HeaderMap) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => send(a, headers, "no-cache"),
        None => super::error::ApiError::not_found().into_response(),
    }
}

fn send(a: &'static Asset, headers: &HeaderMap, cache: &'static str) -> Response {
    let etag = HeaderValue::from_str(&a.etag).unwrap_or(HeaderValue::from_static("\"\""));
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().trim_start_matches("W/") == a.etag));
    let common = [
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (header::ETAG, etag),
        (header::VARY, HeaderValue::from_static("accept-encoding")),
    ];
    if unchanged {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    let ct = (header::CONTENT_TYPE, HeaderValue::from_static(a.content_type));
    let (body, encoding): (&'static [u8], Option<&'static str>) = match accepted(headers) {
        Encoding::Brotli if a.br.as_ref().is_some_and(|b| b.len() < a.body.len()) => {
            (a.br.unwrap_or(a.body), Some("br"))
        }
        Encoding::Brotli | Encoding::Gzip if a.gzip.as_ref().is_some_and(|g| g.len() < a.body.len()) => {
            (a.gzip.unwrap_or(a.body), Some("gzip"))
        }
        _ => (a.body, None),
    };
    match encoding {
        Some(e) => (common, [ct, (header::CONTENT_ENCODING, HeaderValue::from_static(e))], body).into_response(),
        None => (common, [ct], body).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).expect("value"));
        m
    }

    #[test]
    fn brotli_is_preferred_then_gzip_and_q0_refuses() {
        assert_eq!(accepted(&h("gzip, deflate, br")), Encoding::Brotli);
        assert_eq!(accepted(&h("gzip")), Encoding::Gzip);
        assert_eq!(accepted(&h("br;q=0, gzip;q=0.5")), Encoding::Gzip);
        assert_eq!(accepted(&h("identity")), Encoding::Identity);
        assert_eq!(accepted(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn hashed_addresses_follow_the_bytes() {
        let a = url("app.css");
        assert!(
            a.starts_with("/static/app.") && a.ends_with(".css") && a.len() == "/static/app..css".len() + 12,
            "{a}"
        );
        let names: std::collections::HashSet<&str> = all().iter().map(|a| a.hashed.as_str()).collect();
        assert_eq!(names.len(), all().len(), "every file its own address");
    }
}
