//! The use cases' error (`app::Error`) as the contract's JSON:
//! `{"error": {"code", "message", "fields"}}`. The message is chosen in the
//! request's language by `localize`, a layer that sees the request headers.

use crate::domain::error_code::ErrorCode;
use crate::domain::lang::Lang;
use askama::Template;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub use crate::app::error::{Error as ApiError, Result as ApiResult};

/// Marker that travels in the response extensions until `localize` writes the body.
#[derive(Clone)]
struct PendingError(ApiError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let mut res = (status, axum::Json(self.body(Lang::Zh))).into_response();
        res.extensions_mut().insert(PendingError(self));
        res
    }
}

/// Refuses a query string holding NUL (`super::nul_in_query`); rewrites error
/// bodies in the language the request asked for, and gives
/// the framework's own API errors (a bad path number, a wrong method, a body
/// too large) the contract's JSON shape.
pub async fn localize(req: Request, next: Next) -> Response {
    let lang = crate::web::lang::request_lang(req.headers(), req.uri().query());
    let is_api = req.uri().path().starts_with("/api/");
    let mut res = match crate::web::nul_in_query(req.uri()) {
        true => ApiError::bad_request("请求中含有空字符", "The request holds a NUL character").into_response(),
        false => next.run(req).await,
    };
    let pending = res.extensions_mut().remove::<PendingError>();
    if res.extensions_mut().remove::<Panicked>().is_some() && !is_api {
        // a browser gets the error page, not JSON
        return error_page(lang, ApiError::internal());
    }
    let status = res.status();
    let e = match pending {
        Some(PendingError(e)) => e,
        None if is_api && (status.is_client_error() || status.is_server_error()) && !is_json(&res) => {
            framework_error(status)
        }
        None => return res,
    };
    if lang == Lang::Zh && !is_api_rewrite(&res) {
        return res;
    }
    let mut out = (e.status, axum::Json(e.body(lang))).into_response();
    if let Some(v) = res.headers().get(header::WWW_AUTHENTICATE) {
        out.headers_mut().insert(header::WWW_AUTHENTICATE, v.clone());
    }
    if lang == Lang::En {
        out.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static("en"));
    }
    out
}

fn is_json(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Whether the body still has to be written (an error that is not yet JSON).
fn is_api_rewrite(res: &Response) -> bool {
    !is_json(res)
}

fn framework_error(status: StatusCode) -> ApiError {
    let code = match status {
        StatusCode::BAD_REQUEST => {
            return ApiError::new(
                ErrorCode::BadRequest,
                "请求格式不正确（如路径中的编号不是数字）",
                "The request is malformed (an id in the path is not a number?)",
            )
        }
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        s if s.is_server_error() => ErrorCode::InternalError,
        _ => ErrorCode::BadRequest,
    };
    ApiError::code(code).with_status(status)
}

/// Body extractors' own rejections (bad JSON, wrong content type) in the same shape.
pub fn json_rejection(e: axum::extract::rejection::JsonRejection) -> ApiError {
    ApiError::new(
        ErrorCode::BadJson,
        format!("请求内容不是有效的JSON：{}", e.body_text()),
        format!("The request body is not valid JSON: {}", e.body_text()),
    )
}

/// Marks the answer to a request whose handler panicked.
#[derive(Clone)]
struct Panicked;

/// What a panicking handler answers: the contract's 500, logged. The process
/// and the connection go on; `localize` turns it into a page for browsers.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = %what, "a request handler panicked");
    let mut res = ApiError::internal().into_response();
    res.extensions_mut().insert(Panicked);
    res
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub lang: Lang,
    pub status: u16,
    pub message: String,
}

impl ErrorPage {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
}

/// An API error shown as a page.
pub fn error_page(lang: Lang, e: ApiError) -> Response {
    let page = ErrorPage { lang, status: e.status.as_u16(), message: lang.t(&e.zh, &e.en).to_string() };
    let mut res = match page.render() {
        Ok(html) => axum::response::Html(html).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "error").into_response(),
    };
    *res.status_mut() = e.status;
    res
}
