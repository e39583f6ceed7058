//! The one error type of the use cases. Web adapters turn it into the
//! contract's JSON (`web::error`) or an error page; the CLI prints it.

use crate::domain::error_code::ErrorCode;
use crate::domain::lang::Lang;
use crate::domain::validation::{Problem, Problems};
use crate::store::StoreError;
use axum::http::StatusCode;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone)]
pub struct Error {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub zh: String,
    pub en: String,
    pub fields: Vec<Problem>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with the code's own status and the given text.
    pub fn new(code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> Self {
        let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Error { status, code, zh: zh.into(), en: en.into(), fields: vec![] }
    }

    /// An error with the code's default text.
    pub fn code(code: ErrorCode) -> Self {
        let (zh, en) = code.text();
        Error::new(code, zh, en)
    }

    /// The same error answered with another status (the few codes that mean
    /// "not found" in one place and "forbidden" in another).
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn unauthorized() -> Self {
        Error::code(ErrorCode::Unauthorized)
    }

    pub fn forbidden() -> Self {
        Error::code(ErrorCode::Forbidden)
    }

    pub fn not_found() -> Self {
        Error::code(ErrorCode::NotFound)
    }

    pub fn conflict(code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Error::new(code, zh, en).with_status(StatusCode::CONFLICT)
    }

    pub fn invalid(problems: Problems) -> Self {
        Error { fields: problems.0, ..Error::code(ErrorCode::ValidationFailed) }
    }

    pub fn field(p: Problem) -> Self {
        Error::invalid(p.into())
    }

    pub fn bad_request(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Error::new(ErrorCode::BadRequest, zh, en)
    }

    pub fn internal() -> Self {
        Error::code(ErrorCode::InternalError)
    }

    /// The text in one language.
    pub fn message(&self, lang: Lang) -> &str {
        lang.t(&self.zh, &self.en)
    }

    /// The contract's body: `{"error": {"code", "message", "fields"}}`.
    pub fn body(&self, lang: Lang) -> Value {
        let mut fields = Map::new();
        for p in &self.fields {
            fields.insert(p.field.clone(), Value::String(p.bilingual()));
        }
        json!({"error": {"code": self.code.as_str(), "message": lang.t(&self.zh, &self.en), "fields": fields}})
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Error::not_found(),
            StoreError::Invalid(p) => Error::invalid(p),
            StoreError::Conflict(code) => Error::code(code),
            StoreError::Db(e) => {
                // The detail goes to the log only; the user gets a plain message.
                tracing::error!(error = %e, "database error");
                Error::internal()
            }
            StoreError::Other(msg) => {
                tracing::error!(error = %msg, "store error");
                Error::internal()
            }
        }
    }
}

impl From<Problems> for Error {
    fn from(p: Problems) -> Self {
        Error::invalid(p)
    }
}

impl From<Problem> for Error {
    fn from(p: Problem) -> Self {
        Error::field(p)
    }
}
