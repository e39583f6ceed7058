//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document's frame: title, the error shape, the bearer scheme. The
/// paths come from the router (`web::documented`), never from a list here.
#[derive(OpenApi)]
#[openapi(
    info(title = "Laobing 老兵 API", description = "退役军人学雷锋志愿服务平台 · veterans' volunteer service platform"),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth),
)]
struct Frame;

/// The whole document: the frame with every documented route's operation.
pub struct ApiDoc;

impl OpenApi for ApiDoc {
    fn openapi() -> utoipa::openapi::OpenApi {
        let (_, paths) = super::documented().merge(super::api::uploads()).split_for_parts();
        let mut doc = Frame::openapi();
        doc.merge(paths);
        // the bearer scheme is added after the merge, which keeps the frame's components
        BearerAuth.modify(&mut doc);
        doc
    }
}

/// The contract's error shape, for the document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ErrorDetail {
    /// A stable snake_case code such as `validation_failed`.
    code: String,
    /// In the request's language (Chinese unless `Accept-Language` or `?lang=` says English).
    message: String,
    /// Field name → what is wrong with it, in Chinese and English.
    fields: std::collections::BTreeMap<String, String>,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

pub async fn document() -> Json<&'static utoipa::openapi::OpenApi> {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    Json(DOC.get_or_init(ApiDoc::openapi))
}
