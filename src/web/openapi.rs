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
        error_answers(&mut doc);
        doc
    }
}

/// Every error answer has the contract's shape, whatever the operation: each
/// declared 4xx or 5xx gets the error body, and `default` stands for the
/// errors an operation does not list (a missing token, a malformed body).
fn error_answers(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    if let Some(c) = doc.components.as_mut() {
        let error = ResponseBuilder::new()
            .description("an error: `{\"error\": {\"code\", \"message\", \"fields\"}}`")
            .content("application/json", body.clone())
            .build();
        c.responses.insert("Error".into(), error.into());
    }
    for item in doc.paths.paths.values_mut() {
        let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for op in ops.into_iter().flatten() {
            for (status, answer) in op.responses.responses.iter_mut() {
                if let RefOr::T(a) = answer {
                    if (status.starts_with('4') || status.starts_with('5')) && a.content.is_empty() {
                        a.content.insert("application/json".into(), body.clone());
                    }
                }
            }
            op.responses
                .responses
                .entry("default".into())
                .or_insert_with(|| Ref::new("#/components/responses/Error").into());
        }
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
