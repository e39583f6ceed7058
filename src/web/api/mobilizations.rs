//! `/api/v1/mobilizations`: floods, fires, epidemics — call every active
//! volunteer with the skills inside a radius and count who comes.

use super::{list_scope, Body};
use crate::domain::category::{category_code, is_emergency};
use crate::domain::geo::LatLon;
use crate::domain::input::Fields;
use crate::domain::validation::Problem;
use crate::domain::volunteer::skill_code;
use crate::store::mobilizations::{self as store, Call, Mobilization, NewMobilization};
use crate::store::{needs as need_store, regions as region_store};
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct MobilizationView {
    #[serde(flatten)]
    pub mobilization: Mobilization,
    /// Everyone called, nearest first, with their answer.
    pub calls: Vec<Call>,
}

#[derive(Deserialize, IntoParams)]
pub struct MobilizationQuery {
    pub region_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/mobilizations", tag = "mobilizations", params(MobilizationQuery), security(("bearer" = [])), responses((status = 200, body = [Mobilization])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<MobilizationQuery>,
) -> ApiResult<Json<Vec<Mobilization>>> {
    caller.ensure(caller.role.reads_roster())?;
    let within = list_scope(&state, &caller, q.region_id.as_deref()).await?;
    Ok(Json(store::list(&state.db.pool, &within).await?))
}

pub async fn visible(state: &AppState, caller: &Caller, id: i64) -> ApiResult<Mobilization> {
    let m = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    if caller.role.reads_roster() && caller.covers(&m.region_path) {
        return Ok(m);
    }
    if let Some(v) = caller.volunteer_id {
        if store::calls(&state.db.pool, id).await?.iter().any(|c| c.volunteer_id == v) {
            return Ok(m);
        }
    }
    Err(ApiError::forbidden())
}

pub async fn view(state: &AppState, caller: &Caller, id: i64) -> ApiResult<MobilizationView> {
    let m = visible(state, caller, id).await?;
    let mut calls = store::calls(&state.db.pool, id).await?;
    if !caller.role.reads_roster() {
        // a volunteer sees the headcount, not who else was called
        calls.retain(|c| Some(c.volunteer_id) == caller.volunteer_id);
    }
    Ok(MobilizationView { mobilization: m, calls })
}

#[utoipa::path(get, path = "/api/v1/mobilizations/{id}", tag = "mobilizations", security(("bearer" = [])),
    responses((status = 200, body = MobilizationView, description = "who was called and who answered"), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<MobilizationView>> {
    Ok(Json(view(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/mobilizations", tag = "mobilizations", security(("bearer" = [])),
    request_body(content = Object, description = "{title, category, lat, lon, radius_km, required_skills, headcount, region_id, insurance}"),
    responses((status = 201, body = MobilizationView), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<MobilizationView>)> {
    caller.ensure(caller.role.manages_roster())?;
    let mut f = Fields::new(&body);
    let title = f.required_text("title", 80);
    let category = f.required_text("category", 40).and_then(|c| {
        let code = category_code(&c);
        if code.is_none() {
            f.problems.push(Problem::about("category", "不在可选类别中", "is not a known category"));
        }
        code.map(str::to_string)
    });
    let (lat, lon) = (f.float("lat"), f.float("lon"));
    let radius = f.float("radius_km");
    let headcount = f.int("headcount").unwrap_or(0);
    let region_id = f.int("region_id");
    let insurance = f.boolean("insurance").unwrap_or(false);
    let mut skills = Vec::new();
    for s in f.text_list("required_skills", 8) {
        match skill_code(&s) {
            Some(c) => skills.push(c.to_string()),
            None => f.problems.push(Problem::about(
                "required_skills",
                &format!("“{s}”不是可选技能"),
                &format!("'{s}' is not a known skill"),
            )),
        }
    }
    let mut problems = f.problems;
    if lat.is_none() && problems.get("lat").is_none() {
        problems.push(Problem::required("lat"));
    }
    if lon.is_none() && problems.get("lon").is_none() {
        problems.push(Problem::required("lon"));
    }
    let pos = LatLon::parse_pair(lat, lon, &mut problems);
    if !radius.is_some_and(|r| r > 0.0 && r <= 200.0) {
        problems.push(Problem::new(
            "radius_km",
            "召集半径应在0到200公里之间",
            "radius_km must be more than 0 and at most 200",
        ));
    }
    if !(0..=100_000).contains(&headcount) {
        problems.push(Problem::new("headcount", "所需人数不正确", "headcount must be 0 to 100000"));
    }
    if category.as_deref().is_some_and(is_emergency) && !insurance {
        problems.push(Problem::about(
            "insurance",
            "抢险救灾须先确认已购买意外保险",
            "must be confirmed before calling people to flood relief or rescue",
        ));
    }
    let (Some(title), Some(category), Some(pos), Some(radius)) = (title, category, pos, radius) else {
        return Err(ApiError::invalid(problems));
    };
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let region = match region_id {
        Some(id) => region_store::get(&state.db.pool, id)
            .await?
            .ok_or_else(|| ApiError::field(Problem::about("region_id", "不存在", "does not exist")))?,
        None => region_store::list(&state.db.pool, Some(caller.scope_path()), None)
            .await?
            .into_iter()
            .next()
            .ok_or_else(ApiError::forbidden)?,
    };
    caller.ensure_covers(&region.path)?;
    // everyone active with the skills inside the radius, within the caller's scope
    let called: Vec<(i64, f64)> = need_store::candidates(&state.db.pool, caller.scope_path(), 0)
        .await?
        .into_iter()
        .filter(|c| c.active && skills.iter().all(|s| c.skills.contains(s)))
        .filter_map(|c| c.pos.map(|p| (c.id, (p.distance_km(pos) * 100.0).round() / 100.0)))
        .filter(|(_, d)| *d <= radius)
        .collect();
    let id = store::create(
        &state.db.pool,
        &NewMobilization {
            title: &title,
            category: &category,
            region_id: region.id,
            lat: pos.lat,
            lon: pos.lon,
            radius_km: radius,
            required_skills: &skills,
            headcount,
            insurance,
            created_by: caller.user_id,
        },
        &called,
    )
    .await?;
    caller
        .audit(&state, "mobilize", "mobilization", &id.to_string(), &format!("{title}: {} called", called.len()))
        .await;
    let to: Vec<crate::store::notifications::To> =
        called.iter().map(|(v, _)| crate::store::notifications::To::Volunteer(*v)).collect();
    let link = format!("/mobilizations/{id}");
    crate::store::notifications::notify(
        &state.db.pool,
        &to,
        "mobilization",
        &format!("紧急召集：{title}"),
        "请立即回复能否到场",
        &link,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view(&state, &caller, id).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct ResponseRequest {
    pub volunteer_id: i64,
    /// yes or no
    pub answer: String,
}

#[utoipa::path(post, path = "/api/v1/mobilizations/{id}/responses", tag = "mobilizations", security(("bearer" = [])), request_body = ResponseRequest,
    responses((status = 200, body = MobilizationView), (status = 403), (status = 409, description = "not called, or the call-out is over"), (status = 422)))]
pub async fn respond(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<MobilizationView>> {
    let m = visible(&state, &caller, id).await?;
    let mut f = Fields::new(&body);
    let v = f.required_int("volunteer_id");
    let answer = f.required_text("answer", 5);
    let yes = match answer.as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        Some(_) => {
            f.problems.push(Problem::new("answer", "应为 yes 或 no", "answer must be yes or no"));
            None
        }
        None => None,
    };
    let (Some(v), Some(yes)) = (v, yes) else { return Err(ApiError::invalid(f.problems)) };
    // the volunteer answers for themselves; staff record answers given by phone
    caller.ensure(caller.volunteer_id == Some(v) || (caller.role.manages_roster() && caller.covers(&m.region_path)))?;
    store::answer(&state.db.pool, id, v, yes).await.map_err(|e| match e {
        crate::store::StoreError::Conflict(_) => ApiError::conflict(
            crate::domain::error_code::ErrorCode::NotCalled,
            "该志愿者未被召集或召集已结束",
            "This volunteer was not called, or the call-out is over",
        ),
        other => other.into(),
    })?;
    caller
        .audit(&state, "respond", "mobilization", &id.to_string(), &format!("{v} {}", if yes { "yes" } else { "no" }))
        .await;
    Ok(Json(view(&state, &caller, id).await?))
}

#[utoipa::path(patch, path = "/api/v1/mobilizations/{id}", tag = "mobilizations", security(("bearer" = [])),
    request_body(content = Object, description = "{households_relocated, persons_relocated, status: open|closed}"),
    responses((status = 200, body = MobilizationView), (status = 403), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<MobilizationView>> {
    let m = visible(&state, &caller, id).await?;
    caller.ensure(caller.role.manages_roster() && caller.covers(&m.region_path))?;
    let mut f = Fields::new(&body);
    let households = f.int("households_relocated").unwrap_or(m.households_relocated);
    let persons = f.int("persons_relocated").unwrap_or(m.persons_relocated);
    let status = f.text("status", 10).unwrap_or(m.status.clone());
    if households < 0 || persons < 0 {
        f.problems.push(Problem::new(
            "persons_relocated",
            "转移户数和人数不能为负",
            "relocated counts must not be negative",
        ));
    }
    if status != "open" && status != "closed" {
        f.problems.push(Problem::about("status", "应为 open 或 closed", "must be open or closed"));
    }
    if !f.problems.is_empty() {
        return Err(ApiError::invalid(f.problems));
    }
    store::update(&state.db.pool, id, households, persons, &status).await?;
    caller
        .audit(
            &state,
            "update",
            "mobilization",
            &id.to_string(),
            &format!("{households} households, {persons} persons, {status}"),
        )
        .await;
    Ok(Json(view(&state, &caller, id).await?))
}
