//! The web: the JSON API under `/api/v1`, server-rendered pages, and the
//! plumbing they share (state, errors, who is calling).

pub mod api;
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
use tower_http::set_header::SetResponseHeaderLayer;
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
    Router::new()
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
        .layer(axum::middleware::from_fn(error::localize))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(axum::middleware::from_fn(trace_request))
        .with_state(state)
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

/// One log line a request: method, path (never the query, which may hold a
/// searched phone number), status and time.
async fn trace_request(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    tracing::debug!(%method, %path, status = res.status().as_u16(), micros = started.elapsed().as_micros() as u64, "request");
    res
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
