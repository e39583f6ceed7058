//! Service records, corrections, certificates, points, training and awards.

use super::Typed;
use crate::app::certificates::{self, CertificateView, PeriodQuery};
use crate::app::service_records::{
    self as app, Award, AwardInput, CorrectionRequest, PointsView, RulesInput, ServiceRecord, TownRules, Training,
    TrainingInput,
};
use crate::web::auth::Caller;
use crate::web::error::ApiResult;
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;

#[utoipa::path(get, path = "/api/v1/volunteers/{id}/service-records", tag = "service records", params(("id" = i64, Path, description = "the volunteer's id")), security(("bearer" = [])),
    responses((status = 200, body = [ServiceRecord], description = "corrected records included, with corrected_by set"), (status = 403), (status = 404)))]
pub async fn of_volunteer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<ServiceRecord>>> {
    Ok(Json(app::of_volunteer(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/service-records/{id}/corrections", tag = "service records", params(("id" = i64, Path, description = "the service record's id")), security(("bearer" = [])), request_body = CorrectionRequest,
    responses((status = 201, body = ServiceRecord, description = "the correcting record; the original stays with corrected_by set"), (status = 403), (status = 404), (status = 409, description = "already corrected: correct the newest record"), (status = 422)))]
pub async fn correct(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<CorrectionRequest>,
) -> ApiResult<(StatusCode, Json<ServiceRecord>)> {
    Ok((StatusCode::CREATED, Json(app::correct(&state, &caller, id, input).await?)))
}

/// Total counting hours and star level of a volunteer, under their town's rules.
pub async fn hours_and_stars(state: &AppState, volunteer_id: i64, region_path: &str) -> ApiResult<(f64, u8)> {
    app::hours_and_stars(state, volunteer_id, region_path).await
}

#[utoipa::path(get, path = "/api/v1/volunteers/{id}/certificate", tag = "service records", params(("id" = i64, Path, description = "the volunteer's id"), PeriodQuery), security(("bearer" = [])),
    responses((status = 200, body = CertificateView, description = "a newly issued certificate"), (status = 403), (status = 404), (status = 422)))]
pub async fn certificate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<CertificateView>> {
    Ok(Json(certificates::issue(&state, &caller, id, &q).await?.0))
}

#[utoipa::path(get, path = "/api/v1/volunteers/{id}/points", tag = "points", params(("id" = i64, Path, description = "the volunteer's id")), security(("bearer" = [])),
    responses((status = 200, body = PointsView), (status = 403), (status = 404)))]
pub async fn points_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<PointsView>> {
    Ok(Json(app::points_of(&state, &caller, id).await?))
}

#[utoipa::path(get, path = "/api/v1/volunteers/{id}/trainings", tag = "service records", params(("id" = i64, Path, description = "the volunteer's id")), security(("bearer" = [])),
    responses((status = 200, body = [Training]), (status = 403), (status = 404)))]
pub async fn trainings_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Training>>> {
    Ok(Json(app::trainings_of(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/volunteers/{id}/trainings", tag = "service records", params(("id" = i64, Path, description = "the volunteer's id")), security(("bearer" = [])),
    request_body = TrainingInput,
    responses((status = 201, body = [Training]), (status = 403), (status = 404), (status = 422)))]
pub async fn add_training(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<TrainingInput>,
) -> ApiResult<(StatusCode, Json<Vec<Training>>)> {
    Ok((StatusCode::CREATED, Json(app::add_training(&state, &caller, id, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/volunteers/{id}/awards", tag = "service records", params(("id" = i64, Path, description = "the volunteer's id")), security(("bearer" = [])),
    responses((status = 200, body = [Award]), (status = 403), (status = 404)))]
pub async fn awards_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Award>>> {
    Ok(Json(app::awards_of(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/volunteers/{id}/awards", tag = "service records", params(("id" = i64, Path, description = "the volunteer's id")), security(("bearer" = [])),
    request_body = AwardInput,
    responses((status = 201, body = [Award]), (status = 403), (status = 404), (status = 422)))]
pub async fn add_award(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<AwardInput>,
) -> ApiResult<(StatusCode, Json<Vec<Award>>)> {
    Ok((StatusCode::CREATED, Json(app::add_award(&state, &caller, id, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/regions/{id}/rules", tag = "settings", params(("id" = i64, Path, description = "the region's id")), security(("bearer" = [])),
    responses((status = 200, body = TownRules), (status = 403), (status = 404)))]
pub async fn rules(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<TownRules>> {
    Ok(Json(app::rules(&state, &caller, id).await?))
}

#[utoipa::path(put, path = "/api/v1/regions/{id}/rules", tag = "settings", params(("id" = i64, Path, description = "the region's id")), security(("bearer" = [])), request_body = RulesInput,
    responses((status = 200, body = TownRules), (status = 403), (status = 404), (status = 422)))]
pub async fn set_rules(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Typed(input): Typed<RulesInput>,
) -> ApiResult<Json<TownRules>> {
    Ok(Json(app::set_rules(&state, &caller, id, input).await?))
}
