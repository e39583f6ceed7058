//! `/api/v1/needs`: the needs list, suggestions, offers and the workflow.

use super::{list_scope, Body};
use crate::domain::account::Role;
use crate::domain::activity::parse_time;
use crate::domain::category::is_emergency;
use crate::domain::input::Fields;
use crate::domain::matching::{Suggestion, VolunteerIndex};
use crate::domain::needs::{self as rules, Move, NeedDraft};
use crate::domain::validation::Problem;
use crate::store::needs::{self as store, Need, NeedOutcomes, Offer, Served};
use crate::store::{regions as region_store, settings, volunteers as volunteer_store, StoreError};
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// Tells each volunteer offered a need, in their inbox and by the senders.
async fn offer_notice(state: &AppState, n: &Need, ids: &[i64]) -> ApiResult<()> {
    let to: Vec<crate::store::notifications::To> =
        ids.iter().map(|v| crate::store::notifications::To::Volunteer(*v)).collect();
    let body = format!("{}，请在手机上接单或回复不能参加", n.place.clone().unwrap_or_default());
    crate::store::notifications::notify(
        &state.db.pool,
        &to,
        "offer",
        &format!("新派单：{}", n.title),
        &body,
        &format!("/needs/{}", n.id),
    )
    .await?;
    Ok(())
}

fn workflow_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(crate::domain::error_code::ErrorCode::NeedFull) => ApiError::conflict(
            crate::domain::error_code::ErrorCode::NeedFull,
            "所需人数已满",
            "Enough volunteers have already accepted",
        ),
        StoreError::Conflict(crate::domain::error_code::ErrorCode::NotOffered) => ApiError::conflict(
            crate::domain::error_code::ErrorCode::NotOffered,
            "没有待回复的派单",
            "There is no open offer for this volunteer",
        ),
        StoreError::Conflict(crate::domain::error_code::ErrorCode::NotAccepted) => ApiError::field(Problem::new(
            "service",
            "服务明细中有未接单的志愿者",
            "Only volunteers who accepted can be recorded as serving",
        )),
        StoreError::Conflict(_) => ApiError::conflict(
            crate::domain::error_code::ErrorCode::InvalidState,
            "当前状态不允许此操作",
            "Not allowed in the need's current state",
        ),
        other => other.into(),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct NeedQuery {
    pub region_id: Option<String>,
    /// submitted, dispatched, accepted, completed, rated, rejected or cancelled
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/needs", tag = "needs", params(NeedQuery), security(("bearer" = [])), responses((status = 200, body = [Need])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<NeedQuery>,
) -> ApiResult<Json<Vec<Need>>> {
    caller.ensure(caller.role != Role::Volunteer)?;
    let within = list_scope(&state, &caller, q.region_id.as_deref()).await?;
    Ok(Json(store::list(&state.db.pool, &within, q.status.as_deref().filter(|s| !s.is_empty()), 500).await?))
}

/// A need the caller may see: in scope, or offered to them, or filed by them.
pub async fn visible(state: &AppState, caller: &Caller, id: i64) -> ApiResult<Need> {
    let n = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    if caller.role != Role::Volunteer && caller.covers(&n.region_path) {
        return Ok(n);
    }
    if let Some(v) = caller.volunteer_id {
        if store::offers(&state.db.pool, id).await?.iter().any(|o| o.volunteer_id == v) {
            return Ok(n);
        }
    }
    Err(ApiError::forbidden())
}

#[utoipa::path(get, path = "/api/v1/needs/{id}", tag = "needs", security(("bearer" = [])), responses((status = 200, body = Need), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Need>> {
    let mut n = visible(&state, &caller, id).await?;
    if caller.role.sees_personal_data() && caller.covers(&n.region_path) {
        if let Some(sealed) = n.requester_phone_sealed.clone() {
            caller.audit_view(&state, "need", &id.to_string(), "requester_phone").await?;
            n.requester_phone = state.db.vault.open(&sealed);
        }
    }
    Ok(Json(n))
}

#[utoipa::path(post, path = "/api/v1/needs", tag = "needs", security(("bearer" = [])),
    request_body(content = Object, description = "{title, category, region_id, lat, lon, place, required_skills, volunteers_needed, due_at, filed_at, requester_name, requester_phone, description}"),
    responses((status = 201, body = Need), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(mut body): Body,
) -> ApiResult<(StatusCode, Json<Need>)> {
    // volunteers ask for help for themselves, in their own village
    let source = match caller.role {
        Role::Admin | Role::TownStaff | Role::TeamLeader => "staff",
        Role::GridWorker => "grid",
        Role::Volunteer => "self",
    };
    if source == "self" {
        let v = caller.volunteer_id.ok_or_else(ApiError::forbidden)?;
        let me = volunteer_store::get(&state.db.pool, v).await?.ok_or_else(ApiError::forbidden)?;
        body.entry("region_id").or_insert(Value::from(me.region_id));
        body.entry("requester_name").or_insert(Value::from(me.name.clone()));
        if let Some(phone) = state.db.vault.open(&me.phone_sealed) {
            body.entry("requester_phone").or_insert(Value::from(phone));
        }
    }
    let mut d: NeedDraft = rules::validate(&body, Utc::now()).map_err(ApiError::invalid)?;
    let region = region_store::get(&state.db.pool, d.region_id)
        .await?
        .ok_or_else(|| ApiError::field(Problem::about("region_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&region.path)?;
    if d.due_at.is_none() {
        // the town's deadline for this kind of need
        let town_rules = settings::rules_for(&state.db.pool, &region.path).await?;
        d.due_at = Some(town_rules.due_for(&d.category, d.filed_at.unwrap_or_else(Utc::now)));
    }
    let id = store::create(&state.db.pool, &state.db.vault, &d, source, Some(caller.user_id)).await?;
    caller.audit(&state, "create", "need", &id.to_string(), &d.title).await;
    Ok((StatusCode::CREATED, Json(store::get(&state.db.pool, id).await?.ok_or_else(ApiError::internal)?)))
}

fn manage(caller: &Caller, n: &Need) -> ApiResult<()> {
    caller.ensure(
        matches!(caller.role, Role::Admin | Role::TownStaff | Role::TeamLeader) && caller.covers(&n.region_path),
    )
}

#[derive(Deserialize, ToSchema)]
pub struct ReasonRequest {
    pub reason: String,
}

async fn close(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: &serde_json::Map<String, Value>,
    m: Move,
) -> ApiResult<Json<Need>> {
    let n = visible(state, caller, id).await?;
    manage(caller, &n)?;
    let mut f = Fields::new(body);
    let Some(reason) = f.required_text("reason", 500) else { return Err(ApiError::invalid(f.problems)) };
    store::close(&state.db.pool, id, m, &reason).await.map_err(workflow_error)?;
    caller.audit(state, if m == Move::Reject { "reject" } else { "cancel" }, "need", &id.to_string(), &reason).await;
    Ok(Json(store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?))
}

#[utoipa::path(post, path = "/api/v1/needs/{id}/reject", tag = "needs", security(("bearer" = [])), request_body = ReasonRequest,
    responses((status = 200, body = Need), (status = 409), (status = 422)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Need>> {
    close(&state, &caller, id, &body, Move::Reject).await
}

#[utoipa::path(post, path = "/api/v1/needs/{id}/cancel", tag = "needs", security(("bearer" = [])), request_body = ReasonRequest,
    responses((status = 200, body = Need), (status = 409), (status = 422)))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Need>> {
    close(&state, &caller, id, &body, Move::Cancel).await
}

#[derive(Deserialize, IntoParams)]
pub struct SuggestQuery {
    /// How many, 1–100 (default 10).
    pub limit: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/needs/{id}/suggestions", tag = "needs", params(SuggestQuery), security(("bearer" = [])),
    responses((status = 200, body = [Suggestion], description = "ranked best first, with reasons in Chinese"), (status = 403), (status = 404), (status = 422)))]
pub async fn suggestions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<SuggestQuery>,
) -> ApiResult<Json<Vec<Suggestion>>> {
    let n = visible(&state, &caller, id).await?;
    manage(&caller, &n)?;
    let limit = super::query_int("limit", q.limit.as_deref())?.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::field(Problem::about("limit", "应在1到100之间", "must be between 1 and 100")));
    }
    // the town the need is in: its volunteers are the candidates
    let town = region_store::town_of(&state.db.pool, n.region_id).await?;
    let cands = store::candidates(&state.db.pool, &town.path, n.id).await?;
    let offered: Vec<i64> = store::offers(&state.db.pool, n.id)
        .await?
        .iter()
        .filter(|o| matches!(o.status.as_str(), "offered" | "accepted"))
        .map(|o| o.volunteer_id)
        .collect();
    let cands = cands.into_iter().filter(|c| !offered.contains(&c.id)).collect();
    let spec = crate::domain::matching::NeedSpec {
        pos: match (n.lat, n.lon) {
            (Some(lat), Some(lon)) => Some(crate::domain::geo::LatLon { lat, lon }),
            _ => None,
        },
        required_skills: n.required_skills.clone(),
        volunteers_needed: n.volunteers_needed as u32,
    };
    Ok(Json(VolunteerIndex::new(cands).suggest(&spec, limit as usize, 100.0)))
}

#[derive(Deserialize, ToSchema)]
pub struct DispatchRequest {
    pub volunteer_ids: Vec<i64>,
    /// Accident insurance is in place (required for flood relief and emergency rescue).
    pub insurance: Option<bool>,
}

#[utoipa::path(post, path = "/api/v1/needs/{id}/dispatch", tag = "needs", security(("bearer" = [])), request_body = DispatchRequest,
    responses((status = 200, body = Need), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn dispatch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Need>> {
    let n = visible(&state, &caller, id).await?;
    manage(&caller, &n)?;
    // the state decides first: a closed need is a conflict whatever the body says
    if !rules::allowed(&n.status, Move::Dispatch, n.accepted >= n.volunteers_needed) {
        return Err(workflow_error(StoreError::Conflict(crate::domain::error_code::ErrorCode::InvalidState)));
    }
    let ids: Vec<i64> = match body.get("volunteer_ids") {
        Some(Value::Array(a)) if !a.is_empty() && a.len() <= 200 && a.iter().all(|v| v.as_i64().is_some()) => {
            a.iter().filter_map(Value::as_i64).collect()
        }
        _ => {
            return Err(ApiError::field(Problem::about(
                "volunteer_ids",
                "应为1到200个志愿者编号的列表",
                "must list 1 to 200 volunteer ids",
            )))
        }
    };
    let insurance = body.get("insurance").and_then(Value::as_bool).unwrap_or(false) || n.insurance;
    if is_emergency(&n.category) && !insurance {
        return Err(ApiError::field(Problem::about(
            "insurance",
            "抢险救灾类派单前须确认已购买意外保险",
            "must be confirmed before dispatching flood relief or rescue work",
        )));
    }
    for v in &ids {
        let row = volunteer_store::get(&state.db.pool, *v).await?.ok_or_else(|| {
            ApiError::field(Problem::about(
                "volunteer_ids",
                &format!("中的{v}不存在"),
                &format!("contain {v}, which does not exist"),
            ))
        })?;
        caller.ensure_covers(&row.region_path)?;
        if row.status != "active" {
            return Err(ApiError::field(Problem::about(
                "volunteer_ids",
                &format!("中的{}不是在册志愿者", row.name),
                &format!("contain {}, who is not active", row.volunteer_no),
            )));
        }
    }
    store::dispatch(&state.db.pool, id, &ids, insurance).await.map_err(workflow_error)?;
    caller.audit(&state, "dispatch", "need", &id.to_string(), &format!("{ids:?}")).await;
    offer_notice(&state, &n, &ids).await?;
    Ok(Json(store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?))
}

/// The volunteer answers for themselves; staff may record an answer given by phone.
async fn answering(state: &AppState, caller: &Caller, n: &Need, volunteer_id: i64) -> ApiResult<()> {
    if caller.volunteer_id == Some(volunteer_id) {
        return Ok(());
    }
    manage(caller, n)?;
    let v = volunteer_store::get(&state.db.pool, volunteer_id).await?.ok_or_else(ApiError::not_found)?;
    caller.ensure_covers(&v.region_path)
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerRequest {
    pub volunteer_id: i64,
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/needs/{id}/accept", tag = "needs", security(("bearer" = [])), request_body = AnswerRequest,
    responses((status = 200, body = Need), (status = 403), (status = 409, description = "need full, no open offer, or wrong state")))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Need>> {
    let n = visible(&state, &caller, id).await?;
    let mut f = Fields::new(&body);
    let Some(v) = f.required_int("volunteer_id") else { return Err(ApiError::invalid(f.problems)) };
    answering(&state, &caller, &n, v).await?;
    store::accept(&state.db.pool, id, v).await.map_err(workflow_error)?;
    caller.audit(&state, "accept", "need", &id.to_string(), &v.to_string()).await;
    Ok(Json(store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?))
}

#[utoipa::path(post, path = "/api/v1/needs/{id}/decline", tag = "needs", security(("bearer" = [])), request_body = AnswerRequest,
    responses((status = 200, body = Need), (status = 403), (status = 409)))]
pub async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Need>> {
    let n = visible(&state, &caller, id).await?;
    let mut f = Fields::new(&body);
    let v = f.required_int("volunteer_id");
    let reason = f.text("reason", 200);
    let Some(v) = v else { return Err(ApiError::invalid(f.problems)) };
    answering(&state, &caller, &n, v).await?;
    store::decline(&state.db.pool, id, v, reason.as_deref()).await.map_err(workflow_error)?;
    caller.audit(&state, "decline", "need", &id.to_string(), &v.to_string()).await;
    Ok(Json(store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?))
}

#[utoipa::path(get, path = "/api/v1/needs/{id}/offers", tag = "needs", security(("bearer" = [])), responses((status = 200, body = [Offer])))]
pub async fn offers(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Vec<Offer>>> {
    let n = visible(&state, &caller, id).await?;
    manage(&caller, &n)?;
    Ok(Json(store::offers(&state.db.pool, id).await?))
}

#[utoipa::path(post, path = "/api/v1/needs/{id}/complete", tag = "needs", security(("bearer" = [])),
    request_body(content = Object, description = "{completed_at, service: [{volunteer_id, started_at, ended_at}], outcomes: {beneficiaries, households_relocated, persons_relocated, notes}}"),
    responses((status = 200, body = Need), (status = 403), (status = 409), (status = 422)))]
pub async fn complete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Need>> {
    let n = visible(&state, &caller, id).await?;
    manage(&caller, &n)?;
    let mut f = Fields::new(&body);
    let completed_at = parse_time(&mut f, "completed_at").unwrap_or_else(Utc::now);
    let mut problems = f.problems;
    let mut served = Vec::new();
    match body.get("service") {
        Some(Value::Array(items)) if !items.is_empty() => {
            for item in items {
                let Some(obj) = item.as_object() else {
                    problems.push(Problem::about("service", "每项应为对象", "items must be objects"));
                    break;
                };
                let mut g = Fields::new(obj);
                let v = g.required_int("volunteer_id");
                let s = parse_time(&mut g, "started_at");
                let e = parse_time(&mut g, "ended_at");
                match (v, s, e) {
                    (Some(v), Some(s), Some(e)) if e > s && e - s <= chrono::Duration::hours(24) => {
                        served.push(Served { volunteer_id: v, started_at: s, ended_at: e })
                    }
                    _ => {
                        problems.push(Problem::about(
                            "service",
                            "每项需有志愿者、开始和结束时间，且结束晚于开始",
                            "each item needs volunteer_id, started_at and a later ended_at",
                        ));
                        break;
                    }
                }
            }
        }
        _ => problems.push(Problem::about(
            "service",
            "至少记录一名志愿者的服务时间",
            "must record at least one volunteer's service",
        )),
    }
    if completed_at > Utc::now() + chrono::Duration::minutes(5) {
        problems.push(Problem::about("completed_at", "不能晚于现在", "cannot be in the future"));
    }
    let o = body.get("outcomes").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut g = Fields::new(&o);
    let outcomes = NeedOutcomes {
        beneficiaries: g.int("beneficiaries").unwrap_or(0).max(0),
        households_relocated: g.int("households_relocated").unwrap_or(0).max(0),
        persons_relocated: g.int("persons_relocated").unwrap_or(0).max(0),
        notes: g.text("notes", 2000),
    };
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let rules =
        settings::rules_at(&state.db.pool, &n.region_path, crate::domain::service::local_date(completed_at)).await?;
    let organiser =
        crate::domain::region::station_name(&region_store::town_of(&state.db.pool, n.region_id).await?.name);
    store::complete(
        &state.db.pool,
        &n,
        completed_at,
        &served,
        &outcomes,
        &organiser,
        Some(caller.user_id),
        &rules,
        crate::today_local(),
    )
    .await
    .map_err(workflow_error)?;
    caller.audit(&state, "complete", "need", &id.to_string(), &format!("{} served", served.len())).await;
    Ok(Json(store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct RatingRequest {
    /// 1–5
    pub stars: i64,
    pub comment: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/needs/{id}/rating", tag = "needs", security(("bearer" = [])), request_body = RatingRequest,
    responses((status = 200, body = Need), (status = 403), (status = 409, description = "the need is not completed"), (status = 422)))]
pub async fn rating(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Need>> {
    let n = visible(&state, &caller, id).await?;
    manage(&caller, &n)?;
    let mut f = Fields::new(&body);
    let stars = f.required_int("stars");
    let comment = f.text("comment", 500);
    if stars.is_some_and(|s| !(1..=5).contains(&s)) {
        f.problems.push(Problem::about("stars", "应为1到5星", "must be 1 to 5"));
    }
    let Some(stars) = stars.filter(|_| f.problems.is_empty()) else { return Err(ApiError::invalid(f.problems)) };
    store::rate(&state.db.pool, id, stars, comment.as_deref()).await.map_err(workflow_error)?;
    caller.audit(&state, "rate", "need", &id.to_string(), &stars.to_string()).await;
    Ok(Json(store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?))
}

#[derive(Serialize, ToSchema)]
pub struct BatchLine {
    pub need_id: i64,
    pub volunteer_ids: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct BatchResult {
    pub dispatched: Vec<BatchLine>,
    /// Needs left out, with why (emergency work without insurance, nobody fit).
    pub skipped: Vec<(i64, String)>,
    /// Total cost of the optimal assignment (metres plus fairness), and what
    /// sending the nearest need by need would have cost.
    pub total_cost: i64,
    pub greedy_cost: i64,
}

#[utoipa::path(post, path = "/api/v1/needs/batch-dispatch", tag = "needs", security(("bearer" = [])),
    request_body(content = Object, description = "{need_ids: [..]} (default: every submitted need in scope)"),
    responses((status = 200, body = BatchResult), (status = 403), (status = 422)))]
pub async fn batch_dispatch(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> ApiResult<Json<BatchResult>> {
    caller.ensure(matches!(caller.role, Role::Admin | Role::TownStaff))?;
    let wanted: Option<Vec<i64>> = match body.get("need_ids") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) if a.iter().all(|v| v.as_i64().is_some()) && a.len() <= 2000 => {
            Some(a.iter().filter_map(Value::as_i64).collect())
        }
        _ => {
            return Err(ApiError::field(Problem::new(
                "need_ids",
                "应为需求编号列表",
                "need_ids must be a list of need ids",
            )))
        }
    };
    let all = store::list(&state.db.pool, caller.scope_path(), Some("submitted"), 2000).await?;
    let mut chosen = Vec::new();
    let mut skipped = Vec::new();
    for n in all.into_iter().filter(|n| wanted.as_ref().is_none_or(|w| w.contains(&n.id))) {
        if is_emergency(&n.category) && !n.insurance {
            skipped.push((n.id, "抢险救灾类须先确认意外保险".to_string()));
        } else {
            chosen.push(n);
        }
    }
    let specs: Vec<crate::domain::matching::NeedSpec> = chosen
        .iter()
        .map(|n| crate::domain::matching::NeedSpec {
            pos: match (n.lat, n.lon) {
                (Some(lat), Some(lon)) => Some(crate::domain::geo::LatLon { lat, lon }),
                _ => None,
            },
            required_skills: n.required_skills.clone(),
            volunteers_needed: n.volunteers_needed as u32,
        })
        .collect();
    let index = VolunteerIndex::new(store::candidates(&state.db.pool, caller.scope_path(), 0).await?);
    let greedy = crate::domain::matching::greedy(&specs, &index, 30);
    let best = crate::domain::matching::assign(&specs, &index, 30);
    let mut dispatched = Vec::new();
    for (n, ids) in chosen.iter().zip(best.assigned.iter()) {
        if ids.is_empty() {
            skipped.push((n.id, "没有符合条件的志愿者".to_string()));
            continue;
        }
        store::dispatch(&state.db.pool, n.id, ids, n.insurance).await.map_err(workflow_error)?;
        offer_notice(&state, n, ids).await?;
        dispatched.push(BatchLine { need_id: n.id, volunteer_ids: ids.clone() });
    }
    caller.audit(&state, "batch_dispatch", "need", "batch", &format!("{} needs", dispatched.len())).await;
    Ok(Json(BatchResult { dispatched, skipped, total_cost: best.total_cost, greedy_cost: greedy.total_cost }))
}

#[utoipa::path(patch, path = "/api/v1/needs/{id}", tag = "needs", security(("bearer" = [])),
    request_body(content = Object, description = "any of the fields of a need, while nobody has accepted it"),
    responses((status = 200, body = Need), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Need>> {
    let n = visible(&state, &caller, id).await?;
    manage(&caller, &n)?;
    // the stored need as the object a client would send, with the change laid over it
    let mut merged = serde_json::json!({
        "title": n.title, "category": n.category, "description": n.description, "region_id": n.region_id,
        "place": n.place, "lat": n.lat, "lon": n.lon, "required_skills": n.required_skills,
        "volunteers_needed": n.volunteers_needed, "due_at": n.due_at.map(|d| d.to_rfc3339()),
        "filed_at": n.filed_at.to_rfc3339(), "requester_name": n.requester_name,
        "requester_phone": n.requester_phone_sealed.as_deref().and_then(|s| state.db.vault.open(s)),
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    merged.retain(|_, v| !v.is_null());
    for (k, v) in body {
        if !matches!(k.as_str(), "id" | "status" | "source" | "filed_at" | "accepted" | "offered") {
            merged.insert(k, v);
        }
    }
    let d: NeedDraft = rules::validate(&merged, Utc::now()).map_err(ApiError::invalid)?;
    let region = region_store::get(&state.db.pool, d.region_id)
        .await?
        .ok_or_else(|| ApiError::field(Problem::about("region_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&region.path)?;
    store::update(&state.db.pool, &state.db.vault, id, &d).await.map_err(workflow_error)?;
    caller.audit(&state, "update", "need", &id.to_string(), &d.title).await;
    Ok(Json(store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?))
}
