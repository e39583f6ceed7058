//! One error type for the API, turned into the contract's JSON:
//! `{"error": {"code", "message", "fields"}}`. The message is chosen in the
//! request's language by `localize`, a layer that sees the request headers.

use crate::domain::lang::Lang;
use crate::domain::validation::{Problem, Problems};
use crate::store::StoreError;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
    pub fields: Vec<Problem>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        ApiError { status, code, zh: zh.into(), en: en.into(), fields: vec![] }
    }

    pub fn unauthorized() -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "请先登录", "Please sign in first")
    }

    pub fn forbidden() -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", "无权访问该数据", "You may not access this")
    }

    pub fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "找不到该记录", "Not found")
    }

    pub fn conflict(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        ApiError::new(StatusCode::CONFLICT, code, zh, en)
    }

    pub fn invalid(problems: Problems) -> Self {
        ApiError {
            fields: problems.0,
            ..ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "提交的内容有误，请按提示修改",
                "Some fields are not valid",
            )
        }
    }

    pub fn field(p: Problem) -> Self {
        ApiError::invalid(p.into())
    }

    pub fn bad_request(zh: impl Into<String>, en: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", zh, en)
    }

    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "服务器内部错误，请稍后再试",
            "Internal error; please try again later",
        )
    }

    pub fn body(&self, lang: Lang) -> Value {
        let mut fields = Map::new();
        for p in &self.fields {
            fields.insert(p.field.clone(), Value::String(p.bilingual()));
        }
        json!({"error": {"code": self.code, "message": lang.t(&self.zh, &self.en), "fields": fields}})
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Invalid(p) => ApiError::invalid(p),
            StoreError::Conflict(code) => conflict_text(code),
            StoreError::Db(e) => {
                // The detail goes to the log only; the user gets a plain message.
                tracing::error!(error = %e, "database error");
                ApiError::internal()
            }
            StoreError::Other(msg) => {
                tracing::error!(error = %msg, "store error");
                ApiError::internal()
            }
        }
    }
}

fn conflict_text(code: &'static str) -> ApiError {
    let (zh, en) = match code {
        "leader_cannot_leave" => {
            ("队长不能移出本队，请先更换队长", "The leader cannot leave the team; appoint another leader first")
        }
        _ => ("当前状态不允许此操作", "Not allowed in the current state"),
    };
    ApiError::conflict(code, zh, en)
}

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

/// Rewrites error bodies in the language the request asked for, and gives
/// the framework's own API errors (a bad path number, a wrong method, a body
/// too large) the contract's JSON shape.
pub async fn localize(req: Request, next: Next) -> Response {
    let lang = crate::web::auth::request_lang(req.headers(), req.uri().query());
    let is_api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    let pending = res.extensions_mut().remove::<PendingError>();
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
    let (code, zh, en) = match status {
        StatusCode::BAD_REQUEST => (
            "bad_request",
            "请求格式不正确（如路径中的编号不是数字）",
            "The request is malformed (an id in the path is not a number?)",
        ),
        StatusCode::NOT_FOUND => ("not_found", "找不到该记录", "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method_not_allowed", "该地址不支持此操作", "This method is not allowed here")
        }
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "上传内容太大", "The request body is too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "请以 application/json 提交", "Send the body as application/json")
        }
        s if s.is_server_error() => {
            ("internal_error", "服务器内部错误，请稍后再试", "Internal error; please try again later")
        }
        _ => ("bad_request", "请求不正确", "The request is not valid"),
    };
    ApiError::new(status, code, zh, en)
}

/// Body extractors' own rejections (bad JSON, wrong content type) in the same shape.
pub fn json_rejection(e: axum::extract::rejection::JsonRejection) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "bad_json",
        format!("请求内容不是有效的JSON：{}", e.body_text()),
        format!("The request body is not valid JSON: {}", e.body_text()),
    )
}
