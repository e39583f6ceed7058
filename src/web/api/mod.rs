//! The JSON API of the contract, under `/api/v1`.

pub mod accounts;
pub mod activities;
pub mod announcements;
pub mod applications;
pub mod auth;
pub mod care;
pub mod exports;
pub mod field;
pub mod grids;
pub mod imports;
pub mod incentives;
pub mod leads;
pub mod ledger;
pub mod mentoring;
pub mod mobilizations;
pub mod needs;
pub mod photos;
pub mod privacy;
pub mod records;
pub mod regions;
pub mod reports;
pub mod teams;
pub mod volunteers;

use super::error::{json_rejection, ApiError};
use super::AppState;
use axum::extract::{FromRequest, Request};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every API route, each registered with its OpenAPI operation: the document
/// is read off this router (`openapi::ApiDoc`), so a route cannot go
/// undocumented or a documented path unrouted. Paths are written whole in the
/// handlers' annotations.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(activities::list, activities::create))
        .routes(routes!(activities::show, activities::update))
        .routes(routes!(activities::sign_up))
        .routes(routes!(activities::cancel))
        .routes(routes!(activities::attendance, activities::sheet))
        .routes(routes!(activities::close))
        .routes(routes!(activities::outcomes))
        .routes(routes!(field::apply))
        .routes(routes!(field::live_code))
        .routes(routes!(announcements::list, announcements::create))
        .routes(routes!(announcements::show, announcements::update))
        .routes(routes!(announcements::read))
        .routes(routes!(announcements::reads))
        .routes(routes!(applications::list, applications::create))
        .routes(routes!(applications::show, applications::update))
        .routes(routes!(applications::approve))
        .routes(routes!(applications::reject))
        .routes(routes!(accounts::list, accounts::create))
        .routes(routes!(accounts::reset_password))
        .routes(routes!(accounts::end_sessions))
        .routes(routes!(accounts::totp_roles, accounts::set_totp_roles))
        .routes(routes!(accounts::change_password))
        .routes(routes!(accounts::totp_status, accounts::totp_start))
        .routes(routes!(accounts::totp_confirm))
        .routes(routes!(accounts::totp_disable))
        .routes(routes!(accounts::my_sessions))
        .routes(routes!(accounts::end_my_session))
        .routes(routes!(privacy::my_data))
        .routes(routes!(privacy::search))
        .routes(routes!(privacy::export))
        .routes(routes!(auth::token, auth::revoke))
        .routes(routes!(auth::me))
        .routes(routes!(auth::inbox))
        .routes(routes!(auth::read))
        .routes(routes!(care::list, care::create))
        .routes(routes!(care::show, care::update))
        .routes(routes!(care::visit))
        .routes(routes!(care::campaigns, care::create_campaign))
        .routes(routes!(care::campaign, care::update_campaign))
        .routes(routes!(care::campaign_coverage))
        .routes(routes!(exports::volunteers))
        .routes(routes!(exports::service_records))
        .routes(routes!(exports::certificates))
        .routes(routes!(exports::needs))
        .routes(routes!(exports::activities))
        .routes(routes!(exports::mentorships))
        .routes(routes!(exports::care_visits))
        .routes(routes!(ledger::workbook))
        .routes(routes!(grids::stats))
        .routes(routes!(imports::template))
        .routes(routes!(incentives::adjust))
        .routes(routes!(incentives::list, incentives::create))
        .routes(routes!(incentives::show, incentives::update))
        .routes(routes!(incentives::reconciliation))
        .routes(routes!(incentives::redeem, incentives::history))
        .routes(routes!(incentives::evaluate, incentives::evaluations_of))
        .routes(routes!(incentives::assessment))
        .routes(routes!(incentives::leaderboards))
        .routes(routes!(leads::list, leads::create))
        .routes(routes!(leads::show, leads::update))
        .routes(routes!(mentoring::list, mentoring::create))
        .routes(routes!(mentoring::show, mentoring::update))
        .routes(routes!(mobilizations::list, mobilizations::create))
        .routes(routes!(mobilizations::show, mobilizations::update))
        .routes(routes!(mobilizations::respond))
        .routes(routes!(needs::list, needs::create))
        .routes(routes!(needs::show, needs::update))
        .routes(routes!(needs::reject))
        .routes(routes!(needs::cancel))
        .routes(routes!(needs::suggestions))
        .routes(routes!(needs::dispatch))
        .routes(routes!(needs::accept))
        .routes(routes!(needs::decline))
        .routes(routes!(needs::offers))
        .routes(routes!(needs::complete))
        .routes(routes!(needs::rating))
        .routes(routes!(needs::batch_dispatch))
        .routes(routes!(photos::show, photos::delete))
        .routes(routes!(photos::thumb))
        .routes(routes!(records::of_volunteer))
        .routes(routes!(records::correct))
        .routes(routes!(records::certificate))
        .routes(routes!(records::points_of))
        .routes(routes!(records::trainings_of, records::add_training))
        .routes(routes!(records::awards_of, records::add_award))
        .routes(routes!(records::rules, records::set_rules))
        .routes(routes!(regions::list, regions::create))
        .routes(routes!(regions::show, regions::update))
        .routes(routes!(regions::coverage))
        .routes(routes!(reports::summary))
        .routes(routes!(teams::list, teams::create))
        .routes(routes!(teams::show, teams::update))
        .routes(routes!(teams::add_member))
        .routes(routes!(teams::remove_member))
        .routes(routes!(volunteers::list, volunteers::create))
        .routes(routes!(volunteers::show, volunteers::update))
        .routes(routes!(volunteers::erase))
}

/// Routes that take bodies larger than the app-wide limit (a county's roster
/// workbook); merged outside that limit, each with its own.
pub fn uploads() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(imports::volunteers))
        .routes(routes!(imports::errors))
        .layer(axum::extract::DefaultBodyLimit::max(imports::MAX_UPLOAD))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(photos::add_to_activity, photos::of_activity))
                .routes(routes!(photos::add_to_need, photos::of_need))
                .routes(routes!(photos::add_to_care_visit, photos::of_care_visit))
                .layer(axum::extract::DefaultBodyLimit::max(photos::MAX_PHOTO_REQUEST)),
        )
}

/// A typed JSON body: parsed into the use case's input struct, naming the
/// field that does not fit (`app::input`). Bad JSON and a body that is not an
/// object are answered in the contract's error shape.
pub struct Typed<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for Typed<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(v) = axum::Json::<Value>::from_request(req, state).await.map_err(json_rejection)?;
        crate::app::input::parse(v).map(Typed)
    }
}

pub use crate::app::{list_scope, paging, query_int};
