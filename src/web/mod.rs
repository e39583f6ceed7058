//! The web: the JSON API under `/api/v1`, server-rendered pages, and the
//! plumbing they share (state, errors, who is calling).

pub mod api;
pub mod assets;
pub mod auth;
pub mod charts;
pub mod checkin;
pub mod error;
pub mod lang;
pub mod openapi;
pub mod pages;
pub mod qr;
pub mod url;
pub mod xlsx;

use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use tower_http::limit::RequestBodyLimitLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The web's state is the application itself: the adapters hold nothing else.
pub type AppState = crate::app::App;

/// The documented routes: the API, the health check and certificate
/// verification, each with its OpenAPI operation. `openapi::ApiDoc` reads the
/// document off this same router.
pub fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(api::router()).routes(routes!(healthz)).routes(routes!(checkin::verify_json))
}

pub fn router(state: AppState) -> Router {
    let (api, _) = api::router().split_for_parts();
    let (uploads, _) = api::uploads().split_for_parts();
    let app = Router::new()
        .merge(api)
        .route("/api/openapi.json", get(openapi::document))
        .route("/healthz", get(healthz))
        .merge(checkin::router())
        .merge(pages::router())
        .layer(RequestBodyLimitLayer::new(16 * 1024 * 1024))
        .merge(uploads)
        .merge(pages::photos::router())
        .fallback(not_found)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(error::panic_response))
        // few layers, each wrapping every request: NUL in the query and the
        // answer's language (`error::localize`), then the headers every answer
        // carries and the log line (`with_security_headers`)
        .layer(axum::middleware::from_fn(error::localize))
        .with_state(state);
    with_security_headers(app, pages::login::secure_cookies()).layer(compression())
}

/// Pages, JSON, CSV and SVG answers are compressed when the client accepts it
/// (brotli at quality 4, else gzip): a 20-card roster page goes from about
/// 40 KB to under 6 KB for a phone on rural 4G. Files that are compressed
/// already (workbooks, photos, PDFs) and tiny answers are sent as they are, as
/// are the static files, which carry their own encoding compressed once at
/// its best setting (`assets`).
pub fn compression() -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{Predicate, SizeAbove};
    let textual =
        |_: axum::http::StatusCode, _: axum::http::Version, h: &axum::http::HeaderMap, _: &axum::http::Extensions| {
            h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| {
                ["text/", "application/json", "application/problem+json", "image/svg+xml", "application/javascript"]
                    .iter()
                    .any(|t| ct.starts_with(t))
            })
        };
    tower_http::compression::CompressionLayer::new().compress_when(SizeAbove::new(512).and(textual))
}

/// A NUL character is never part of text people type, and PostgreSQL refuses
/// it in text: a query string carrying one is a bad request, answered before
/// it reaches a handler (`error::localize`; bodies are checked in `app::input`).
pub fn nul_in_query(uri: &axum::http::Uri) -> bool {
    uri.query().is_some_and(|q| q.as_bytes().windows(3).any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0'))
}

/// What every answer tells the browser to enforce. Scripts and styles come only
/// from our own files (no inline script, no `style` attribute, no event
/// handler attribute), nothing may frame a page, and forms post only to us.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
     object-src 'none'";

/// HSTS is sent only when the station says it is served over HTTPS (the same
/// setting that marks cookies Secure): over plain HTTP on a village PC it would
/// only lock browsers out.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// Adds the headers above to every answer of `app` (HSTS only when `https`),
/// and logs each request at debug level.
pub fn with_security_headers(app: Router, https: bool) -> Router {
    app.layer(axum::middleware::from_fn(move |req, next| security_headers(https, req, next)))
}

async fn security_headers(
    https: bool,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    // one log line a request: method, path (never the query, which may hold a
    // searched phone number), status and time; off (the default level), a
    // request costs nothing here
    let traced = tracing::enabled!(tracing::Level::DEBUG)
        .then(|| (req.method().clone(), req.uri().path().to_string(), std::time::Instant::now()));
    let mut res = next.run(req).await;
    if let Some((method, path, started)) = traced {
        let micros = started.elapsed().as_micros() as u64;
        tracing::debug!(%method, %path, status = res.status().as_u16(), micros, "request");
    }
    let h = res.headers_mut();
    let mut set = |name: header::HeaderName, value: &'static str| {
        h.entry(name).or_insert_with(|| HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "same-origin");
    set(header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    if https {
        set(header::STRICT_TRANSPORT_SECURITY, STRICT_TRANSPORT_SECURITY);
    }
    res
}

/// Unknown paths: the contract's JSON error under `/api`, a page elsewhere.
async fn not_found(req: axum::extract::Request) -> axum::response::Response {
    use axum::response::IntoResponse;
    let e = error::ApiError::not_found();
    if req.uri().path().starts_with("/api/") {
        e.into_response()
    } else {
        error::error_page(lang::request_lang(req.headers(), req.uri().query()), e)
    }
}

#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, description = "the database answers"), (status = 503, description = "the database does not answer")))]
pub async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (axum::http::StatusCode, &'static str) {
    if state.db.ping().await {
        (axum::http::StatusCode::OK, "ok")
    } else {
        (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

/// Serves until Ctrl-C or SIGTERM, finishing requests under way.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    // every server delivers notifications; the outbox is claimed row by row
    let sender = tokio::spawn(crate::notify::run(state.db.clone()));
    let app = router(state);
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await;
    sender.abort();
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    async fn headers_of(https: bool) -> axum::http::HeaderMap {
        let app = with_security_headers(Router::new().route("/", get(|| async { "ok" })), https);
        let req = axum::http::Request::get("/").body(axum::body::Body::empty()).expect("request");
        app.oneshot(req).await.expect("answer").headers().clone()
    }

    #[tokio::test]
    async fn strict_transport_security_only_when_served_over_https() {
        let plain = headers_of(false).await;
        assert!(plain.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "never over plain HTTP");
        assert_eq!(plain[header::CONTENT_SECURITY_POLICY], CONTENT_SECURITY_POLICY);
        let https = headers_of(true).await;
        assert_eq!(https[header::STRICT_TRANSPORT_SECURITY], STRICT_TRANSPORT_SECURITY);
        assert_eq!(https[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }

    #[test]
    fn the_policy_allows_no_inline_script_or_style_and_no_framing() {
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"), "no 'unsafe-inline' nor 'unsafe-eval'");
        for part in ["script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"] {
            assert!(CONTENT_SECURITY_POLICY.contains(part), "{part}");
        }
    }
}
