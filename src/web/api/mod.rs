//! The JSON API of the contract, under `/api/v1`.

pub mod activities;
pub mod announcements;
pub mod applications;
pub mod auth;
pub mod care;
pub mod exports;
pub mod grids;
pub mod imports;
pub mod incentives;
pub mod leads;
pub mod mentoring;
pub mod mobilizations;
pub mod needs;
pub mod records;
pub mod regions;
pub mod reports;
pub mod teams;
pub mod volunteers;

use super::auth::Caller;
use super::error::{json_rejection, ApiError, ApiResult};
use super::AppState;
use crate::domain::validation::Problem;
use crate::store::regions as region_store;
use axum::extract::{FromRequest, Request};
use axum::routing::{delete, get, post};
use axum::Router;
use serde_json::{Map, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/token", post(auth::token).delete(auth::revoke))
        .route("/me", get(auth::me))
        .route("/notifications", get(auth::inbox))
        .route("/notifications/{id}/read", post(auth::read))
        .route("/regions", get(regions::list).post(regions::create))
        .route("/regions/{id}", get(regions::show).patch(regions::update))
        .route("/coverage", get(regions::coverage))
        .route("/teams", get(teams::list).post(teams::create))
        .route("/teams/{id}", get(teams::show).patch(teams::update))
        .route("/teams/{id}/members", post(teams::add_member))
        .route("/teams/{id}/members/{volunteer_id}", delete(teams::remove_member))
        .route("/volunteers", get(volunteers::list).post(volunteers::create))
        .route("/volunteers/{id}", get(volunteers::show).patch(volunteers::update))
        .route("/volunteers/{id}/service-records", get(records::of_volunteer))
        .route("/volunteers/{id}/certificate", get(records::certificate))
        .route("/volunteers/{id}/points", get(records::points_of))
        .route("/volunteers/{id}/trainings", get(records::trainings_of).post(records::add_training))
        .route("/volunteers/{id}/awards", get(records::awards_of).post(records::add_award))
        .route("/service-records/{id}/corrections", post(records::correct))
        .route("/regions/{id}/rules", get(records::rules).put(records::set_rules))
        .route("/activities", get(activities::list).post(activities::create))
        .route("/activities/{id}", get(activities::show).patch(activities::update))
        .route("/activities/{id}/signups", post(activities::sign_up))
        .route("/activities/{id}/signups/{volunteer_id}", delete(activities::cancel))
        .route("/activities/{id}/attendance", post(activities::attendance).get(activities::sheet))
        .route("/activities/{id}/close", post(activities::close))
        .route("/activities/{id}/outcomes", axum::routing::put(activities::outcomes))
        .route("/points/adjustments", post(incentives::adjust))
        .route("/rewards", get(incentives::list).post(incentives::create))
        .route("/rewards/{id}", get(incentives::show).patch(incentives::update))
        .route("/rewards/{id}/reconciliation", get(incentives::reconciliation))
        .route("/redemptions", post(incentives::redeem).get(incentives::history))
        .route("/volunteers/{id}/evaluations", post(incentives::evaluate).get(incentives::evaluations_of))
        .route("/assessments", get(incentives::assessment))
        .route("/leaderboards", get(incentives::leaderboards))
        .route("/care-recipients", get(care::list).post(care::create))
        .route("/care-recipients/{id}", get(care::show).patch(care::update))
        .route("/care-campaigns", get(care::campaigns).post(care::create_campaign))
        .route("/care-campaigns/{id}", get(care::campaign).patch(care::update_campaign))
        .route("/care-campaigns/{id}/coverage", get(care::campaign_coverage))
        .route("/grids/stats", get(grids::stats))
        .route("/announcements", get(announcements::list).post(announcements::create))
        .route("/announcements/{id}", get(announcements::show).patch(announcements::update))
        .route("/announcements/{id}/read", post(announcements::read))
        .route("/announcements/{id}/reads", get(announcements::reads))
        .route("/care-recipients/{id}/visits", post(care::visit))
        .route("/mobilizations", get(mobilizations::list).post(mobilizations::create))
        .route("/mobilizations/{id}", get(mobilizations::show).patch(mobilizations::update))
        .route("/mobilizations/{id}/responses", post(mobilizations::respond))
        .route("/needs", get(needs::list).post(needs::create))
        .route("/needs/batch-dispatch", post(needs::batch_dispatch))
        .route("/needs/{id}", get(needs::show).patch(needs::update))
        .route("/needs/{id}/reject", post(needs::reject))
        .route("/needs/{id}/cancel", post(needs::cancel))
        .route("/needs/{id}/suggestions", get(needs::suggestions))
        .route("/needs/{id}/dispatch", post(needs::dispatch))
        .route("/needs/{id}/accept", post(needs::accept))
        .route("/needs/{id}/decline", post(needs::decline))
        .route("/needs/{id}/offers", get(needs::offers))
        .route("/needs/{id}/complete", post(needs::complete))
        .route("/needs/{id}/rating", post(needs::rating))
        .route("/reports/summary", get(reports::summary))
        .route("/mentorships", get(mentoring::list).post(mentoring::create))
        .route("/mentorships/{id}", get(mentoring::show).patch(mentoring::update))
        .route("/leads", get(leads::list).post(leads::create))
        .route("/leads/{id}", get(leads::show).patch(leads::update))
        .route("/applications", get(applications::list).post(applications::create))
        .route("/applications/{id}", get(applications::show).patch(applications::update))
        .route("/applications/{id}/approve", post(applications::approve))
        .route("/applications/{id}/reject", post(applications::reject))
        .route("/imports/volunteers/template", get(imports::template))
        .route("/exports/volunteers", get(exports::volunteers))
        .route("/exports/service-records", get(exports::service_records))
        .route("/exports/certificates", get(exports::certificates))
}

/// Routes that take bodies larger than the app-wide limit (a county's roster
/// workbook); merged outside that limit, each with its own.
pub fn uploads() -> Router<AppState> {
    Router::new().route(
        "/api/v1/imports/volunteers",
        post(imports::volunteers).layer(axum::extract::DefaultBodyLimit::max(imports::MAX_UPLOAD)),
    )
}

/// A JSON object body; anything else is answered in the contract's error shape.
pub struct Body(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(v) = axum::Json::<Value>::from_request(req, state).await.map_err(json_rejection)?;
        match v {
            Value::Object(m) => Ok(Body(m)),
            _ => Err(ApiError::bad_request("请求内容应为JSON对象", "The request body must be a JSON object")),
        }
    }
}

/// Parses an optional whole-number query parameter, naming it when it is not one.
pub fn query_int(field: &str, v: Option<&str>) -> ApiResult<Option<i64>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::field(Problem::about(field, "应为整数", "must be a whole number"))),
    }
}

/// The region subtree a list is narrowed to: the one asked for, which must be
/// inside the caller's scope, or the caller's whole scope.
pub async fn list_scope(state: &AppState, caller: &Caller, region_id: Option<&str>) -> ApiResult<String> {
    match query_int("region_id", region_id)? {
        None => Ok(caller.scope_path().to_string()),
        Some(id) => {
            let r = region_store::get(&state.db.pool, id)
                .await?
                .ok_or_else(|| ApiError::field(Problem::about("region_id", "不存在", "does not exist")))?;
            caller.ensure_covers(&r.path)?;
            Ok(r.path)
        }
    }
}

/// Paging: `limit` (1–1000, default 100) and `offset`.
pub fn paging(limit: Option<&str>, offset: Option<&str>) -> ApiResult<(i64, i64)> {
    let limit = query_int("limit", limit)?.unwrap_or(100);
    let offset = query_int("offset", offset)?.unwrap_or(0);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::field(Problem::about("limit", "应在1到1000之间", "must be between 1 and 1000")));
    }
    if offset < 0 {
        return Err(ApiError::field(Problem::about("offset", "不能为负数", "must not be negative")));
    }
    Ok((limit, offset))
}
