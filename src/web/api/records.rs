//! Service records, corrections, certificates, points, training and awards.

use super::volunteers::visible as visible_volunteer;
use super::Body;
use crate::domain::activity::parse_time;
use crate::domain::input::Fields;
use crate::domain::service::{hours, star_level, valid_thresholds};
use crate::domain::validation::Problem;
use crate::store::awards::{self, Award};
use crate::store::certificates::{self, Certificate, NewCertificate};
use crate::store::points::{self, PointsEntry};
use crate::store::service_records::{self as store, ServiceRecord};
use crate::store::settings::{self, TownRules};
use crate::store::trainings::{self, Training};
use crate::store::{regions as region_store, volunteers as volunteer_store};
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[utoipa::path(get, path = "/api/v1/volunteers/{id}/service-records", tag = "service records", security(("bearer" = [])),
    responses((status = 200, body = [ServiceRecord], description = "corrected records included, with corrected_by set"), (status = 403), (status = 404)))]
pub async fn of_volunteer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<ServiceRecord>>> {
    let v = visible_volunteer(&state, &caller, id).await?;
    Ok(Json(store::of_volunteer(&state.db.pool, v.id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CorrectionRequest {
    pub started_at: chrono::DateTime<Utc>,
    pub ended_at: chrono::DateTime<Utc>,
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/service-records/{id}/corrections", tag = "service records", security(("bearer" = [])), request_body = CorrectionRequest,
    responses((status = 201, body = ServiceRecord, description = "the correcting record; the original stays with corrected_by set"), (status = 403), (status = 404), (status = 409, description = "already corrected: correct the newest record"), (status = 422)))]
pub async fn correct(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<ServiceRecord>)> {
    let original = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    let v = volunteer_store::get(&state.db.pool, original.volunteer_id).await?.ok_or_else(ApiError::not_found)?;
    caller.ensure_covers(&v.region_path)?;
    // staff correct anything in their scope; a leader only what their own team ran
    if !caller.role.manages_roster() {
        caller.ensure(caller.role == crate::domain::account::Role::TeamLeader && original.source == "activity")?;
        let a =
            crate::store::activities::get(&state.db.pool, original.source_id).await?.ok_or_else(ApiError::forbidden)?;
        let led = super::activities::team_led_by(&state, &caller).await?;
        caller.ensure(super::activities::may_run(&caller, &a, led))?;
    }
    let mut f = Fields::new(&body);
    let started = parse_time(&mut f, "started_at");
    let ended = parse_time(&mut f, "ended_at");
    let reason = f.required_text("reason", 500);
    let mut problems = f.problems;
    for (k, t) in [("started_at", started), ("ended_at", ended)] {
        if t.is_none() && problems.get(k).is_none() {
            problems.push(Problem::required(k));
        }
    }
    if let (Some(s), Some(e)) = (started, ended) {
        if e <= s {
            problems.push(Problem::about("ended_at", "应晚于开始时间", "must be after the start"));
        }
        if e - s > chrono::Duration::hours(24) {
            problems.push(Problem::about("ended_at", "一次服务不能超过24小时", "one service lasts at most 24 hours"));
        }
    }
    let (Some(s), Some(e), Some(reason)) = (started, ended, reason) else { return Err(ApiError::invalid(problems)) };
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    // the rules in force on the day of the service, not today's
    let rules = settings::rules_at(&state.db.pool, &v.region_path, crate::domain::service::local_date(s)).await?;
    let fixed =
        store::correct(&state.db.pool, id, s, e, &reason, caller.user_id, &rules).await.map_err(|e| match e {
            crate::store::StoreError::Conflict(_) => ApiError::conflict(
                crate::domain::error_code::ErrorCode::AlreadyCorrected,
                "该记录已被更正，请更正最新的一条",
                "This record was already corrected; correct the newest one",
            ),
            other => other.into(),
        })?;
    caller.audit(&state, "correct", "service_record", &id.to_string(), &reason).await;
    Ok((StatusCode::CREATED, Json(fixed)))
}

/// Total counting hours and star level of a volunteer, under their town's rules.
pub async fn hours_and_stars(state: &AppState, volunteer_id: i64, region_path: &str) -> ApiResult<(f64, u8)> {
    let (minutes, _) = store::totals(&state.db.pool, volunteer_id, None).await?;
    let rules = settings::rules_for(&state.db.pool, region_path).await?;
    let h = hours(minutes);
    Ok((h, star_level(h, &rules.star_thresholds)))
}

#[derive(Deserialize, IntoParams)]
pub struct PeriodQuery {
    /// First day of service to count (YYYY-MM-DD); default: the first record.
    pub from: Option<String>,
    /// Last day (inclusive); default: today.
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CertificateView {
    pub code: String,
    pub volunteer_no: String,
    pub name: String,
    pub id_number: String,
    pub hours: f64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub records: i64,
    pub content: String,
    pub issued_by: String,
    pub issued_at: chrono::DateTime<Utc>,
    pub verify_url: String,
}

fn day_start(d: NaiveDate) -> chrono::DateTime<Utc> {
    // service days are local (UTC+8) days
    Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN)) - chrono::Duration::hours(8)
}

/// Issues a certificate from the stored records of a period; each call makes
/// a new one with its own code, and every issue is logged.
pub async fn issue_certificate(
    state: &AppState,
    caller: &Caller,
    volunteer_id: i64,
    q: &PeriodQuery,
) -> ApiResult<(CertificateView, Certificate)> {
    let v = visible_volunteer(state, caller, volunteer_id).await?;
    let mut problems = crate::domain::validation::Problems::new();
    let mut date = |k: &str, s: Option<&str>| match s.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(Problem::about(k, "应为 YYYY-MM-DD 格式的日期", "must be a date written YYYY-MM-DD"));
                None
            }
        },
    };
    let from_q = date("from", q.from.as_deref());
    let to_q = date("to", q.to.as_deref());
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let records: Vec<ServiceRecord> =
        store::of_volunteer(&state.db.pool, v.id).await?.into_iter().filter(|r| r.corrected_by.is_none()).collect();
    let first = records.iter().map(|r| crate::domain::service::local_date(r.started_at)).min();
    let to = to_q.unwrap_or_else(crate::today_local);
    let from = from_q.or(first).unwrap_or(to);
    if to < from {
        return Err(ApiError::field(Problem::about("to", "不能早于起始日期", "must not be before the start date")));
    }
    let (minutes, count) =
        store::totals(&state.db.pool, v.id, Some((day_start(from), day_start(to + chrono::Duration::days(1))))).await?;
    let mut kinds: Vec<String> = Vec::new();
    for r in records.iter().filter(|r| {
        let d = crate::domain::service::local_date(r.started_at);
        d >= from && d <= to
    }) {
        let (zh, _) = crate::domain::category::category_label(&r.category);
        if !kinds.iter().any(|k| k == zh) {
            kinds.push(zh.to_string());
        }
    }
    let content = if kinds.is_empty() { "—".to_string() } else { kinds.join("、") };
    let issued_by =
        crate::domain::region::station_name(&region_store::town_of(&state.db.pool, v.region_id).await?.name);
    let cert = certificates::issue(
        &state.db.pool,
        &NewCertificate {
            volunteer_id: v.id,
            minutes,
            from,
            to,
            records: count,
            content: &content,
            issued_by: &issued_by,
            issued_by_user: Some(caller.user_id),
        },
    )
    .await?;
    caller.audit(state, "issue_certificate", "volunteer", &v.id.to_string(), &cert.code).await;
    let view = CertificateView {
        code: cert.code.clone(),
        volunteer_no: v.volunteer_no.clone(),
        name: v.name.clone(),
        // certificates are handed to others: the ID number is always masked
        id_number: v.id_masked.clone(),
        hours: hours(minutes),
        from,
        to,
        records: count,
        content,
        issued_by,
        issued_at: cert.issued_at,
        verify_url: format!("/verify/{}", cert.code),
    };
    Ok((view, cert))
}

#[utoipa::path(get, path = "/api/v1/volunteers/{id}/certificate", tag = "service records", params(PeriodQuery), security(("bearer" = [])),
    responses((status = 200, body = CertificateView, description = "a newly issued certificate"), (status = 403), (status = 404), (status = 422)))]
pub async fn certificate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<Json<CertificateView>> {
    Ok(Json(issue_certificate(&state, &caller, id, &q).await?.0))
}

#[derive(Serialize, ToSchema)]
pub struct PointsView {
    pub balance: i64,
    pub entries: Vec<PointsEntry>,
}

#[utoipa::path(get, path = "/api/v1/volunteers/{id}/points", tag = "points", security(("bearer" = [])),
    responses((status = 200, body = PointsView), (status = 403), (status = 404)))]
pub async fn points_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<PointsView>> {
    let v = visible_volunteer(&state, &caller, id).await?;
    Ok(Json(PointsView {
        balance: points::balance(&state.db.pool, v.id).await?,
        entries: points::entries(&state.db.pool, v.id).await?,
    }))
}

#[utoipa::path(get, path = "/api/v1/volunteers/{id}/trainings", tag = "service records", security(("bearer" = [])),
    responses((status = 200, body = [Training]), (status = 403), (status = 404)))]
pub async fn trainings_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Training>>> {
    let v = visible_volunteer(&state, &caller, id).await?;
    Ok(Json(trainings::of_volunteer(&state.db.pool, v.id).await?))
}

#[utoipa::path(post, path = "/api/v1/volunteers/{id}/trainings", tag = "service records", security(("bearer" = [])),
    request_body(content = Object, description = "{title, organiser, held_on, hours}"),
    responses((status = 201, body = [Training]), (status = 403), (status = 404), (status = 422)))]
pub async fn add_training(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<Vec<Training>>)> {
    let v = visible_volunteer(&state, &caller, id).await?;
    caller.ensure(caller.role.manages_roster() && caller.covers(&v.region_path))?;
    let mut f = Fields::new(&body);
    let title = f.required_text("title", 100);
    let organiser = f.text("organiser", 100);
    let held_on = f.date("held_on");
    let hours = f.float("hours");
    let mut problems = f.problems;
    if held_on.is_none() && problems.get("held_on").is_none() {
        problems.push(Problem::required("held_on"));
    }
    if hours.is_some_and(|h| !(0.0..=200.0).contains(&h)) {
        problems.push(Problem::about("hours", "应在0到200之间", "must be between 0 and 200"));
    }
    let (Some(title), Some(held_on)) = (title, held_on) else { return Err(ApiError::invalid(problems)) };
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    trainings::add(&state.db.pool, v.id, &title, organiser.as_deref(), held_on, hours).await?;
    caller.audit(&state, "add_training", "volunteer", &v.id.to_string(), &title).await;
    Ok((StatusCode::CREATED, Json(trainings::of_volunteer(&state.db.pool, v.id).await?)))
}

#[utoipa::path(get, path = "/api/v1/volunteers/{id}/awards", tag = "service records", security(("bearer" = [])),
    responses((status = 200, body = [Award]), (status = 403), (status = 404)))]
pub async fn awards_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Award>>> {
    let v = visible_volunteer(&state, &caller, id).await?;
    Ok(Json(awards::of_volunteer(&state.db.pool, v.id).await?))
}

#[utoipa::path(post, path = "/api/v1/volunteers/{id}/awards", tag = "service records", security(("bearer" = [])),
    request_body(content = Object, description = "{title, awarded_by, awarded_on}"),
    responses((status = 201, body = [Award]), (status = 403), (status = 404), (status = 422)))]
pub async fn add_award(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<Vec<Award>>)> {
    let v = visible_volunteer(&state, &caller, id).await?;
    caller.ensure(caller.role.manages_roster() && caller.covers(&v.region_path))?;
    let mut f = Fields::new(&body);
    let title = f.required_text("title", 100);
    let by = f.required_text("awarded_by", 100);
    let on = f.date("awarded_on");
    let mut problems = f.problems;
    if on.is_none() && problems.get("awarded_on").is_none() {
        problems.push(Problem::required("awarded_on"));
    }
    let (Some(title), Some(by), Some(on)) = (title, by, on) else { return Err(ApiError::invalid(problems)) };
    awards::add(&state.db.pool, v.id, &title, &by, on).await?;
    caller.audit(&state, "add_award", "volunteer", &v.id.to_string(), &title).await;
    Ok((StatusCode::CREATED, Json(awards::of_volunteer(&state.db.pool, v.id).await?)))
}

#[utoipa::path(get, path = "/api/v1/regions/{id}/rules", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = TownRules), (status = 403), (status = 404)))]
pub async fn rules(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<TownRules>> {
    let r = super::regions::visible(&state, &caller, id).await?;
    Ok(Json(settings::rules_for(&state.db.pool, &r.path).await?))
}

#[utoipa::path(put, path = "/api/v1/regions/{id}/rules", tag = "settings", security(("bearer" = [])), request_body = TownRules,
    responses((status = 200, body = TownRules), (status = 403), (status = 404), (status = 422)))]
pub async fn set_rules(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(mut body): Body,
) -> ApiResult<Json<TownRules>> {
    let r = super::regions::visible(&state, &caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    // Rules apply from a date on (today unless given); what was booked before stays as it was.
    let effective_from = match body.remove("effective_from") {
        None | Some(serde_json::Value::Null) => crate::today_local(),
        Some(v) => v.as_str().and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()).ok_or_else(|| {
            ApiError::field(Problem::new(
                "effective_from",
                "生效日期应为 YYYY-MM-DD 格式",
                "effective_from must be a date written YYYY-MM-DD",
            ))
        })?,
    };
    let rules: TownRules = serde_json::from_value(serde_json::Value::Object(body)).map_err(|e| {
        ApiError::field(Problem::new(
            "rules",
            format!("规则格式不正确：{e}"),
            format!("The rules are not well formed: {e}"),
        ))
    })?;
    if rules.need_deadline_days.iter().any(|(k, v)| {
        !(0..=15).contains(v) || (k != "default" && crate::domain::category::category_code(k) != Some(k.as_str()))
    }) {
        return Err(ApiError::field(Problem::new(
            "need_deadline_days",
            "办结时限应为0到15天，类别须为可选类别",
            "Deadlines must be 0 to 15 days for known categories",
        )));
    }
    if !valid_thresholds(&rules.star_thresholds) {
        return Err(ApiError::field(Problem::new(
            "star_thresholds",
            "星级时长应为递增的正数",
            "Star thresholds must be positive and rising",
        )));
    }
    if !rules.earning.is_sane() {
        return Err(ApiError::field(Problem::new(
            "earning",
            "积分规则应在合理范围内（每小时0到1000分，类别须为可选类别）",
            "Earning rules must be within bounds (0 to 1000 points an hour, known categories)",
        )));
    }
    let w = &rules.assessment;
    if !(0.0..=1.0).contains(&w.pass_at) || !(0.0..=1.0).contains(&w.excellent_at) || w.pass_at > w.excellent_at {
        return Err(ApiError::field(Problem::new(
            "assessment",
            "合格线和优秀线应在0到1之间，且合格线不高于优秀线",
            "pass_at and excellent_at must lie in 0..1 with pass_at ≤ excellent_at",
        )));
    }
    settings::set_rules(&state.db.pool, r.id, &rules, effective_from, Some(caller.user_id)).await?;
    let detail = format!("from {effective_from}: {}", serde_json::to_string(&rules).unwrap_or_default());
    caller.audit(&state, "set_rules", "region", &r.id.to_string(), &detail).await;
    Ok(Json(rules))
}
