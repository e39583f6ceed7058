//! `/api/v1/activities`: organised events, sign-ups, attendance and outcomes.

use super::{list_scope, Body};
use crate::domain::account::Role;
use crate::domain::activity::{self, parse_time};
use crate::domain::input::Fields;
use crate::domain::validation::Problem;
use crate::store::activities::{self as store, Activity, Outcomes, SheetLine, SignupOutcome};
use crate::store::{regions as region_store, settings, teams as team_store, volunteers as volunteer_store};
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct ActivityQuery {
    pub region_id: Option<String>,
    /// `true`: only open activities that have not ended.
    pub upcoming: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/activities", tag = "activities", params(ActivityQuery), security(("bearer" = [])),
    responses((status = 200, body = [Activity]), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ActivityQuery>,
) -> ApiResult<Json<Vec<Activity>>> {
    let within = list_scope(&state, &caller, q.region_id.as_deref()).await?;
    let upcoming = q.upcoming.as_deref() == Some("true");
    Ok(Json(store::list(&state.db.pool, &within, upcoming, 500).await?))
}

/// An activity the caller may see. Volunteers see those of their own town and
/// above, so they can sign up for town-wide events.
pub async fn visible(state: &AppState, caller: &Caller, id: i64) -> ApiResult<Activity> {
    let a = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    if caller.covers(&a.region_path)
        || (caller.role == Role::Volunteer && caller.scope_path().starts_with(&a.region_path))
    {
        Ok(a)
    } else {
        Err(ApiError::forbidden())
    }
}

#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities", security(("bearer" = [])),
    responses((status = 200, body = Activity), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Activity>> {
    Ok(Json(visible(&state, &caller, id).await?))
}

/// Staff run every activity in scope; a team leader runs their own team's.
pub fn may_run(caller: &Caller, a: &Activity, leader_of: Option<i64>) -> bool {
    (caller.role.manages_roster() && caller.covers(&a.region_path))
        || (caller.role == Role::TeamLeader
            && caller.covers(&a.region_path)
            && leader_of.is_some()
            && a.team_id == leader_of)
}

/// The team the caller leads, if any: a team leader's account names their volunteer.
pub async fn team_led_by(state: &AppState, caller: &Caller) -> ApiResult<Option<i64>> {
    let Some(v) = caller.volunteer_id else { return Ok(None) };
    let teams = team_store::list(&state.db.pool, caller.scope_path(), None).await?;
    Ok(teams.into_iter().find(|t| t.leader_id == Some(v)).map(|t| t.id))
}

async fn draft(
    state: &AppState,
    caller: &Caller,
    map: &Map<String, Value>,
) -> ApiResult<(activity::ActivityDraft, String, Option<String>)> {
    let d = activity::validate(map).map_err(ApiError::invalid)?;
    let region = region_store::get(&state.db.pool, d.region_id)
        .await?
        .ok_or_else(|| ApiError::field(Problem::about("region_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&region.path)?;
    let (organiser, in_charge) = match d.team_id {
        Some(t) => {
            let team = team_store::get(&state.db.pool, t)
                .await?
                .ok_or_else(|| ApiError::field(Problem::about("team_id", "不存在", "does not exist")))?;
            if !team.region_path.starts_with(&region.path) && !region.path.starts_with(&team.region_path) {
                return Err(ApiError::field(Problem::about(
                    "team_id",
                    "不属于该区域",
                    "does not belong to the region",
                )));
            }
            let leader = match team.leader_id {
                Some(l) => volunteer_store::get(&state.db.pool, l).await?.map(|v| v.name),
                None => None,
            };
            (team.name, leader)
        }
        None => {
            (crate::domain::region::station_name(&region_store::town_of(&state.db.pool, region.id).await?.name), None)
        }
    };
    if caller.role == Role::TeamLeader {
        let led = team_led_by(state, caller).await?;
        caller.ensure(led.is_some() && d.team_id == led)?;
    } else {
        caller.ensure(caller.role.manages_roster())?;
    }
    Ok((d, organiser, in_charge))
}

#[utoipa::path(post, path = "/api/v1/activities", tag = "activities", security(("bearer" = [])),
    request_body(content = Object, description = "{title, category, team_id, region_id, starts_at, ends_at, place, lat, lon, capacity, description}"),
    responses((status = 201, body = Activity), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<Activity>)> {
    let (d, organiser, in_charge) = draft(&state, &caller, &body).await?;
    let id = store::create(&state.db.pool, &d, &organiser, in_charge.as_deref()).await?;
    caller.audit(&state, "create", "activity", &id.to_string(), &d.title).await;
    Ok((StatusCode::CREATED, Json(store::get(&state.db.pool, id).await?.ok_or_else(ApiError::internal)?)))
}

#[utoipa::path(patch, path = "/api/v1/activities/{id}", tag = "activities", security(("bearer" = [])),
    request_body(content = Object, description = "any fields of an activity"),
    responses((status = 200, body = Activity), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Activity>> {
    let a = visible(&state, &caller, id).await?;
    let led = team_led_by(&state, &caller).await?;
    caller.ensure(may_run(&caller, &a, led))?;
    if a.status != "open" {
        return Err(closed_to_changes());
    }
    let mut merged = serde_json::json!({
        "title": a.title, "category": a.category, "team_id": a.team_id, "region_id": a.region_id,
        "starts_at": a.starts_at.to_rfc3339(), "ends_at": a.ends_at.to_rfc3339(), "place": a.place,
        "lat": a.lat, "lon": a.lon, "capacity": a.capacity, "description": a.description,
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    for (k, v) in body {
        merged.insert(k, v);
    }
    let (d, _, _) = draft(&state, &caller, &merged).await?;
    // the capacity and the status are checked again under the sign-ups' lock
    store::update(&state.db.pool, id, &d).await.map_err(|e| match e {
        crate::store::StoreError::Conflict(crate::domain::error_code::ErrorCode::ActivityNotOpen) => {
            closed_to_changes()
        }
        other => other.into(),
    })?;
    caller.audit(&state, "update", "activity", &id.to_string(), &d.title).await;
    Ok(Json(store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?))
}

fn closed_to_changes() -> ApiError {
    ApiError::conflict(
        crate::domain::error_code::ErrorCode::ActivityNotOpen,
        "活动已结束或取消，不能修改",
        "The activity is closed or cancelled",
    )
}

#[derive(Deserialize, ToSchema)]
pub struct SignupRequest {
    pub volunteer_id: i64,
}

/// Volunteers sign themselves up; staff and the team's leader may sign up
/// anyone of their scope.
async fn may_act_for(state: &AppState, caller: &Caller, a: &Activity, volunteer_id: i64) -> ApiResult<()> {
    if caller.volunteer_id == Some(volunteer_id) {
        return Ok(());
    }
    let led = team_led_by(state, caller).await?;
    caller.ensure(may_run(caller, a, led))?;
    let v = volunteer_store::get(&state.db.pool, volunteer_id)
        .await?
        .ok_or_else(|| ApiError::field(Problem::about("volunteer_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&v.region_path)
}

fn signup_conflict(e: crate::store::StoreError) -> ApiError {
    match e {
        crate::store::StoreError::Conflict(crate::domain::error_code::ErrorCode::AlreadySignedUp) => {
            ApiError::conflict(
                crate::domain::error_code::ErrorCode::AlreadySignedUp,
                "已经报过名了",
                "Already signed up for this activity",
            )
        }
        crate::store::StoreError::Conflict(crate::domain::error_code::ErrorCode::ActivityNotOpen) => {
            ApiError::conflict(
                crate::domain::error_code::ErrorCode::ActivityNotOpen,
                "活动已结束或已取消，不能报名",
                "The activity is over or cancelled",
            )
        }
        other => other.into(),
    }
}

#[utoipa::path(post, path = "/api/v1/activities/{id}/signups", tag = "activities", security(("bearer" = [])), request_body = SignupRequest,
    responses((status = 201, body = SignupOutcome, description = "signed_up with a place, or waiting with a position"), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn sign_up(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<SignupOutcome>)> {
    let a = visible(&state, &caller, id).await?;
    let mut f = Fields::new(&body);
    let Some(volunteer_id) = f.required_int("volunteer_id") else { return Err(ApiError::invalid(f.problems)) };
    may_act_for(&state, &caller, &a, volunteer_id).await?;
    let v = volunteer_store::get(&state.db.pool, volunteer_id)
        .await?
        .ok_or_else(|| ApiError::field(Problem::about("volunteer_id", "不存在", "does not exist")))?;
    if v.status != "active" {
        return Err(ApiError::field(Problem::about("volunteer_id", "不是在册志愿者", "is not an active volunteer")));
    }
    // Signed up but absent too often: the town's rule may pause new sign-ups for a while.
    let rules = settings::rules_for(&state.db.pool, &v.region_path).await?;
    if rules.no_show.limit > 0 {
        let since = Utc::now() - chrono::Duration::days(rules.no_show.window_days);
        let (count, last) = crate::store::evaluations::no_shows(&state.db.pool, volunteer_id, since).await?;
        if count >= rules.no_show.limit
            && last.is_some_and(|l| l + chrono::Duration::days(rules.no_show.block_days) > Utc::now())
        {
            return Err(ApiError::conflict(
                crate::domain::error_code::ErrorCode::BlockedForNoShows,
                format!(
                    "近{}天内报名后缺席{}次，暂停报名{}天",
                    rules.no_show.window_days, count, rules.no_show.block_days
                ),
                format!(
                    "{count} no-shows in {} days: sign-ups are paused for {} days",
                    rules.no_show.window_days, rules.no_show.block_days
                ),
            ));
        }
    }
    let out = store::sign_up(&state.db.pool, id, volunteer_id).await.map_err(signup_conflict)?;
    caller.audit(&state, "sign_up", "activity", &id.to_string(), &format!("{} {}", v.volunteer_no, out.status)).await;
    Ok((StatusCode::CREATED, Json(out)))
}

#[derive(Serialize, ToSchema)]
pub struct Cancelled {
    /// The volunteer who moved up from the waiting list, if anyone did.
    pub promoted: Option<i64>,
}

#[utoipa::path(delete, path = "/api/v1/activities/{id}/signups/{volunteer_id}", tag = "activities", security(("bearer" = [])),
    responses((status = 200, body = Cancelled), (status = 403), (status = 404)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, volunteer_id)): Path<(i64, i64)>,
) -> ApiResult<Json<Cancelled>> {
    let a = visible(&state, &caller, id).await?;
    may_act_for(&state, &caller, &a, volunteer_id).await?;
    let promoted = store::cancel(&state.db.pool, id, volunteer_id).await.map_err(signup_conflict)?;
    caller.audit(&state, "cancel_signup", "activity", &id.to_string(), &volunteer_id.to_string()).await;
    Ok(Json(Cancelled { promoted }))
}

#[derive(Deserialize, ToSchema)]
pub struct AttendanceRequest {
    pub volunteer_id: i64,
    pub check_in: DateTime<Utc>,
    pub check_out: Option<DateTime<Utc>>,
}

/// How far outside an activity's own hours a leader may record attendance
/// (early set-up, clearing up afterwards).
pub const ATTENDANCE_SLACK_HOURS: i64 = 6;

#[derive(Serialize, ToSchema)]
pub struct AttendanceResult {
    pub volunteer_id: i64,
    /// The service record made by this check-out, if one was made now.
    pub service_record_id: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/activities/{id}/attendance", tag = "activities", security(("bearer" = [])), request_body = AttendanceRequest,
    responses((status = 200, body = AttendanceResult), (status = 403), (status = 404), (status = 422)))]
pub async fn attendance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<AttendanceResult>> {
    let a = visible(&state, &caller, id).await?;
    let led = team_led_by(&state, &caller).await?;
    caller.ensure(may_run(&caller, &a, led))?;
    if a.status != "open" {
        return Err(ApiError::conflict(
            crate::domain::error_code::ErrorCode::ActivityNotOpen,
            "活动已结束，出勤不能再改；如有差错请更正服务记录",
            "The activity is closed; correct the service record instead",
        ));
    }
    let mut f = Fields::new(&body);
    let volunteer_id = f.required_int("volunteer_id");
    let check_in = parse_time(&mut f, "check_in");
    let check_out = parse_time(&mut f, "check_out");
    let mut problems = f.problems;
    if check_in.is_none() && problems.get("check_in").is_none() {
        problems.push(Problem::required("check_in"));
    }
    if let (Some(i), Some(o)) = (check_in, check_out) {
        if o <= i {
            problems.push(Problem::about("check_out", "应晚于签到时间", "must be after the check-in"));
        }
        if o - i > chrono::Duration::hours(24) {
            problems.push(Problem::about("check_out", "一次服务不能超过24小时", "one service lasts at most 24 hours"));
        }
    }
    if let Some(o) = check_out {
        if o > Utc::now() + chrono::Duration::minutes(5) {
            problems.push(Problem::about("check_out", "不能晚于现在", "cannot be in the future"));
        }
        if o > a.ends_at + chrono::Duration::hours(ATTENDANCE_SLACK_HOURS) {
            problems.push(Problem::about("check_out", "超出活动时间太多", "is too far after the activity's end"));
        }
    }
    if check_in.is_some_and(|i| i < a.starts_at - chrono::Duration::hours(ATTENDANCE_SLACK_HOURS) || i > a.ends_at) {
        problems.push(Problem::about("check_in", "不在活动时间内", "is outside the activity's time"));
    }
    let (Some(volunteer_id), Some(check_in)) = (volunteer_id, check_in) else {
        return Err(ApiError::invalid(problems));
    };
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let v = volunteer_store::get(&state.db.pool, volunteer_id)
        .await?
        .ok_or_else(|| ApiError::field(Problem::about("volunteer_id", "不存在", "does not exist")))?;
    // only people the caller answers for: a leader their own villagers, staff their town's
    caller.ensure_covers(&v.region_path)?;
    if let (Some(out), Some(existing)) =
        (check_out, crate::store::service_records::for_source(&state.db.pool, "activity", a.id, volunteer_id).await?)
    {
        if existing.started_at != check_in || existing.ended_at != out {
            return Err(ApiError::conflict(
                crate::domain::error_code::ErrorCode::RecordExists,
                "该志愿者本次服务已有记录，请通过更正修改",
                "This service is already recorded; change it through a correction",
            ));
        }
    }
    let rules =
        settings::rules_at(&state.db.pool, &a.region_path, crate::domain::service::local_date(a.starts_at)).await?;
    let made = store::attend(
        &state.db.pool,
        &a,
        volunteer_id,
        check_in,
        check_out,
        "leader",
        Some(caller.user_id),
        &rules,
        crate::today_local(),
    )
    .await?;
    caller.audit(&state, "attendance", "activity", &id.to_string(), &v.volunteer_no).await;
    Ok(Json(AttendanceResult { volunteer_id, service_record_id: made }))
}

#[utoipa::path(get, path = "/api/v1/activities/{id}/attendance", tag = "activities", security(("bearer" = [])),
    responses((status = 200, body = [SheetLine]), (status = 403), (status = 404)))]
pub async fn sheet(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<SheetLine>>> {
    let a = visible(&state, &caller, id).await?;
    caller.ensure(caller.role.reads_roster())?;
    Ok(Json(store::sheet(&state.db.pool, a.id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Closed {
    pub service_records: usize,
    /// Check-outs the volunteers forgot, set to the activity's end for the leader to confirm.
    pub closed_by_system: usize,
}

#[utoipa::path(post, path = "/api/v1/activities/{id}/close", tag = "activities", security(("bearer" = [])),
    responses((status = 200, body = Closed), (status = 403), (status = 404), (status = 409)))]
pub async fn close(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Closed>> {
    let a = visible(&state, &caller, id).await?;
    let led = team_led_by(&state, &caller).await?;
    caller.ensure(may_run(&caller, &a, led))?;
    let rules =
        settings::rules_at(&state.db.pool, &a.region_path, crate::domain::service::local_date(a.starts_at)).await?;
    let (made, auto) = store::close(&state.db.pool, &a, Some(caller.user_id), &rules, crate::today_local())
        .await
        .map_err(|e| match e {
            crate::store::StoreError::Conflict(_) => ApiError::conflict(
                crate::domain::error_code::ErrorCode::ActivityNotOpen,
                "活动已经结束",
                "The activity is already closed",
            ),
            other => other.into(),
        })?;
    caller.audit(&state, "close", "activity", &id.to_string(), &format!("{made} records")).await;
    Ok(Json(Closed { service_records: made, closed_by_system: auto }))
}

#[utoipa::path(put, path = "/api/v1/activities/{id}/outcomes", tag = "activities", security(("bearer" = [])),
    request_body(content = Object, description = "{beneficiaries, audience, households_relocated, persons_relocated, notes}"),
    responses((status = 200, body = Activity), (status = 403), (status = 404), (status = 422)))]
pub async fn outcomes(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Activity>> {
    let a = visible(&state, &caller, id).await?;
    let led = team_led_by(&state, &caller).await?;
    caller.ensure(may_run(&caller, &a, led))?;
    let mut f = Fields::new(&body);
    let count = |f: &mut Fields<'_>, k: &str| {
        let v = f.int(k).unwrap_or(0);
        if !(0..=10_000_000).contains(&v) {
            f.problems.push(Problem::about(k, "不能为负数", "must not be negative"));
        }
        v
    };
    let o = Outcomes {
        beneficiaries: count(&mut f, "beneficiaries"),
        audience: count(&mut f, "audience"),
        households_relocated: count(&mut f, "households_relocated"),
        persons_relocated: count(&mut f, "persons_relocated"),
        notes: f.text("notes", 2000),
    };
    if !f.problems.is_empty() {
        return Err(ApiError::invalid(f.problems));
    }
    store::set_outcomes(&state.db.pool, id, &o).await?;
    caller.audit(&state, "outcomes", "activity", &id.to_string(), "").await;
    Ok(Json(store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?))
}
