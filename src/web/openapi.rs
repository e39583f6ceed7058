//! The OpenAPI document, generated from the handlers' annotations.

use super::api;
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Laobing 老兵 API", description = "退役军人学雷锋志愿服务平台 · veterans' volunteer service platform"),
    paths(
        super::healthz,
        api::auth::token, api::auth::revoke, api::auth::me, api::auth::inbox, api::auth::read,
        api::regions::list, api::regions::show, api::regions::create, api::regions::update, api::regions::coverage,
        api::teams::list, api::teams::show, api::teams::create, api::teams::update, api::teams::add_member, api::teams::remove_member,
        api::volunteers::list, api::volunteers::show, api::volunteers::create, api::volunteers::update,
        api::records::of_volunteer, api::records::correct, api::records::certificate, api::records::points_of,
        api::records::trainings_of, api::records::add_training, api::records::awards_of, api::records::add_award,
        api::records::rules, api::records::set_rules,
        api::activities::list, api::activities::show, api::activities::create, api::activities::update,
        api::activities::sign_up, api::activities::cancel, api::activities::attendance, api::activities::sheet,
        api::activities::close, api::activities::outcomes,
        super::checkin::verify_json,
        api::incentives::adjust, api::incentives::list, api::incentives::show, api::incentives::create,
        api::incentives::update, api::incentives::reconciliation, api::incentives::redeem, api::incentives::history,
        api::care::list, api::care::show, api::care::create, api::care::visit,
        api::care::update, api::care::campaigns, api::care::campaign, api::care::create_campaign,
        api::care::update_campaign, api::care::campaign_coverage,
        api::grids::stats,
        api::announcements::list, api::announcements::show, api::announcements::create,
        api::announcements::read, api::announcements::reads, api::announcements::update,
        api::mobilizations::list, api::mobilizations::show, api::mobilizations::create, api::mobilizations::respond,
        api::mobilizations::update,
        api::needs::list, api::needs::show, api::needs::create, api::needs::reject, api::needs::cancel,
        api::needs::suggestions, api::needs::dispatch, api::needs::accept, api::needs::decline, api::needs::offers,
        api::needs::complete, api::needs::rating, api::needs::batch_dispatch, api::needs::update,
        api::incentives::evaluate, api::incentives::evaluations_of, api::incentives::assessment, api::incentives::leaderboards,
        api::reports::summary,
        api::mentoring::list, api::mentoring::show, api::mentoring::create, api::mentoring::update,
        api::leads::list, api::leads::show, api::leads::create, api::leads::update,
        api::applications::list, api::applications::show, api::applications::create, api::applications::update,
        api::applications::approve, api::applications::reject,
        api::imports::volunteers, api::imports::template,
        api::exports::volunteers, api::exports::service_records, api::exports::certificates,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

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

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
