//! `/api/v1/applications`: recruitment (招募). Staff enter applications or the
//! public sends them through `/join`; reviewers fill the checklist, then
//! approve onto a team (the applicant becomes a volunteer) or reject with a reason.

use super::{list_scope, Body};
use crate::domain::input::Fields;
use crate::domain::recruitment::{self as rules, Applicant, Reason};
use crate::domain::region::RegionKind;
use crate::domain::validation::Problem;
use crate::domain::volunteer::{self, VolunteerDraft};
use crate::store::applications::{self as store, ApplicationRow, Review};
use crate::store::{regions as region_store, teams as team_store, StoreError};
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use utoipa::{IntoParams, ToSchema};

/// An application as the API shows it; `id_number` and `phone` are masked as a
/// volunteer's are, unless the caller may see them in full.
#[derive(Serialize, ToSchema)]
pub struct ApplicationView {
    pub id: i64,
    pub name: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub id_number: String,
    pub phone: String,
    pub region_id: i64,
    pub region_name: String,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub branch: Option<String>,
    pub enlisted_on: Option<NaiveDate>,
    pub discharged_on: Option<NaiveDate>,
    pub veteran_category: Option<String>,
    pub party_member: bool,
    pub cadre_role: Option<String>,
    pub honors: Vec<String>,
    pub skills: Vec<String>,
    /// staff or public
    pub source: String,
    /// pending, approved or rejected
    pub status: String,
    /// The reviewers' checklist: true, false, or null while unknown.
    pub political_record: Option<bool>,
    pub conduct: Option<bool>,
    pub public_spirit: Option<bool>,
    pub priority_score: i64,
    /// Why the score is what it is, one sentence with its points each ("退役不满3年 +30").
    pub reasons: Vec<String>,
    pub reasons_en: Vec<String>,
    pub reject_reason: Option<String>,
    /// The volunteer made by the approval, and the team he joined.
    pub volunteer_id: Option<i64>,
    pub team_id: Option<i64>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub fn view(state: &AppState, a: ApplicationRow, reveal: bool) -> ApplicationView {
    let (id_number, phone) = if reveal {
        (
            state.db.vault.open(&a.id_sealed).unwrap_or_else(|| a.id_masked.clone()),
            state.db.vault.open(&a.phone_sealed).unwrap_or_else(|| a.phone_masked.clone()),
        )
    } else {
        (a.id_masked.clone(), a.phone_masked.clone())
    };
    let reasons: Vec<Reason> = serde_json::from_str(&a.reasons).unwrap_or_default();
    ApplicationView {
        id: a.id,
        honors: a.honor_list(),
        skills: a.skill_list(),
        name: a.name,
        gender: a.gender,
        birth_date: a.birth_date,
        id_number,
        phone,
        region_id: a.region_id,
        region_name: a.region_name,
        address: a.address,
        lat: a.lat,
        lon: a.lon,
        branch: a.branch,
        enlisted_on: a.enlisted_on,
        discharged_on: a.discharged_on,
        veteran_category: a.veteran_category,
        party_member: a.party_member,
        cadre_role: a.cadre_role,
        source: a.source,
        status: a.status,
        political_record: a.political_record,
        conduct: a.conduct,
        public_spirit: a.public_spirit,
        priority_score: a.priority_score,
        reasons: reasons.iter().map(|r| r.zh.clone()).collect(),
        reasons_en: reasons.iter().map(|r| r.en.clone()).collect(),
        reject_reason: a.reject_reason,
        volunteer_id: a.volunteer_id,
        team_id: a.team_id,
        reviewed_at: a.reviewed_at,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

pub fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(crate::domain::error_code::ErrorCode::ApplicationDecided) => ApiError::conflict(
            crate::domain::error_code::ErrorCode::ApplicationDecided,
            "该申请已审核完毕，不能再次审核或修改",
            "This application has already been decided",
        ),
        e => e.into(),
    }
}

/// The priority score of an applicant, against the skills his village already has.
pub async fn score(state: &AppState, d: &VolunteerDraft) -> ApiResult<(i64, String)> {
    let region = region_store::get(&state.db.pool, d.region_id).await?.ok_or_else(ApiError::not_found)?;
    // an applicant living in a grid belongs to the village above it
    let village = match (region.kind(), region.parent_id) {
        (RegionKind::Grid, Some(parent)) => region_store::get(&state.db.pool, parent).await?.unwrap_or(region),
        _ => region,
    };
    let have = store::skills_within(&state.db.pool, &village.path).await?;
    let applicant = Applicant {
        discharged_on: d.discharged_on,
        honors: &d.honors,
        cadre_role: d.cadre_role.as_deref(),
        skills: &d.skills,
    };
    let (points, reasons) = rules::priority(&applicant, &have, crate::today_local());
    Ok((points, serde_json::to_string(&reasons).unwrap_or_else(|_| "[]".into())))
}

/// Keys that belong to the application, not to the applicant's profile.
const REVIEW_KEYS: [&str; 12] = [
    "id",
    "status",
    "source",
    "political_record",
    "conduct",
    "public_spirit",
    "priority_score",
    "reasons",
    "reasons_en",
    "reject_reason",
    "region_name",
    "availability",
];

/// The profile part of a request, checked exactly as a volunteer's is.
pub fn profile(map: &Map<String, Value>) -> Map<String, Value> {
    let mut m = map.clone();
    m.retain(|k, _| !REVIEW_KEYS.contains(&k.as_str()) && !matches!(k.as_str(), "volunteer_id" | "team_id"));
    m.retain(|k, _| !matches!(k.as_str(), "created_at" | "updated_at" | "reviewed_at"));
    m
}

/// The checklist answers a request gives: absent keeps `current`; true, false,
/// or null / "unknown" for not yet known.
fn checklist(map: &Map<String, Value>, current: [Option<bool>; 3]) -> ApiResult<[Option<bool>; 3]> {
    let mut f = Fields::new(map);
    let mut out = current;
    for (i, (field, _, _)) in rules::CRITERIA.iter().enumerate() {
        match map.get(*field) {
            None => {}
            Some(Value::Null) => out[i] = None,
            Some(Value::String(s)) if s == "unknown" || s.is_empty() => out[i] = None,
            Some(_) => out[i] = f.boolean(field),
        }
    }
    if f.problems.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::invalid(f.problems))
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ApplicationQuery {
    /// Only applicants of this region's subtree.
    pub region_id: Option<String>,
    /// pending, approved or rejected.
    pub status: Option<String>,
    /// `true` keeps ID numbers and phones masked even for staff (no audit entry).
    pub masked: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/applications", tag = "recruitment", params(ApplicationQuery), security(("bearer" = [])),
    responses((status = 200, body = [ApplicationView], description = "highest priority_score first"), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ApplicationQuery>,
) -> ApiResult<(HeaderMap, Json<Vec<ApplicationView>>)> {
    caller.ensure(caller.role.reads_roster())?;
    let within = list_scope(&state, &caller, q.region_id.as_deref()).await?;
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) if rules::STATUSES.contains(&s) => Some(s),
        Some(_) => {
            return Err(ApiError::field(Problem::new(
                "status",
                "状态应为 pending、approved 或 rejected",
                "status must be pending, approved or rejected",
            )))
        }
    };
    let rows = store::list(&state.db.pool, &within, status).await?;
    // as for volunteers: every row lies in the caller's scope, so the role decides
    let reveal = caller.role.sees_personal_data() && q.masked.as_deref() != Some("true");
    if reveal && !rows.is_empty() {
        let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
        caller.audit_view(&state, "application_list", &within, &ids.join(",")).await?;
    }
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok((headers, Json(rows.into_iter().map(|r| view(&state, r, reveal)).collect())))
}

async fn visible(state: &AppState, caller: &Caller, id: i64) -> ApiResult<ApplicationRow> {
    let a = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    caller.ensure(caller.role.reads_roster())?;
    caller.ensure_covers(&a.region_path)?;
    Ok(a)
}

/// One application, unmasked for those allowed, and then audited.
pub async fn detail(state: &AppState, caller: &Caller, a: ApplicationRow) -> ApiResult<ApplicationView> {
    let reveal = caller.role.sees_personal_data() && caller.covers(&a.region_path);
    if reveal {
        caller.audit_view(state, "application", &a.id.to_string(), "").await?;
    }
    Ok(view(state, a, reveal))
}

#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "recruitment", security(("bearer" = [])),
    responses((status = 200, body = ApplicationView), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<(HeaderMap, Json<ApplicationView>)> {
    let a = visible(&state, &caller, id).await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok((headers, Json(detail(&state, &caller, a).await?)))
}

#[utoipa::path(post, path = "/api/v1/applications", tag = "recruitment", security(("bearer" = [])),
    request_body(content = Object, description = "the volunteer fields (name, id_number, phone, region_id, …) and optionally the checklist {political_record, conduct, public_spirit}"),
    responses((status = 201, body = ApplicationView), (status = 403), (status = 422, description = "invalid fields, or id_number already on the roster")))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<ApplicationView>)> {
    caller.ensure(caller.role.manages_roster())?;
    let draft = super::volunteers::checked_draft(&state, &caller, &profile(&body)).await?;
    let [political_record, conduct, public_spirit] = checklist(&body, [None, None, None])?;
    let (priority_score, reasons_json) = score(&state, &draft).await?;
    let review = Review { priority_score, reasons_json: &reasons_json, political_record, conduct, public_spirit };
    let id = store::create(&state.db.pool, &state.db.vault, &draft, "staff", &review, None).await?;
    caller.audit(&state, "create", "application", &id.to_string(), "").await;
    let a = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(detail(&state, &caller, a).await?)))
}

fn as_input(state: &AppState, a: &ApplicationRow) -> Map<String, Value> {
    let full = view(state, a.clone(), true);
    let mut m = json!({
        "name": full.name, "id_number": full.id_number, "phone": full.phone, "region_id": full.region_id,
        "address": full.address, "lat": full.lat, "lon": full.lon, "branch": full.branch,
        "enlisted_on": full.enlisted_on, "discharged_on": full.discharged_on,
        "veteran_category": full.veteran_category, "party_member": full.party_member,
        "cadre_role": full.cadre_role, "honors": full.honors, "skills": full.skills,
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    m.retain(|_, v| !v.is_null());
    m
}

#[utoipa::path(patch, path = "/api/v1/applications/{id}", tag = "recruitment", security(("bearer" = [])),
    request_body(content = Object, description = "the checklist {political_record, conduct, public_spirit} (true, false or null) and any volunteer fields; only while pending"),
    responses((status = 200, body = ApplicationView), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<ApplicationView>> {
    let current = visible(&state, &caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    if current.status != "pending" {
        return Err(store_error(StoreError::Conflict(crate::domain::error_code::ErrorCode::ApplicationDecided)));
    }
    let mut merged = as_input(&state, &current);
    for (k, v) in profile(&body) {
        merged.insert(k, v);
    }
    let draft = super::volunteers::checked_draft(&state, &caller, &merged).await?;
    let [political_record, conduct, public_spirit] =
        checklist(&body, [current.political_record, current.conduct, current.public_spirit])?;
    let (priority_score, reasons_json) = score(&state, &draft).await?;
    let review = Review { priority_score, reasons_json: &reasons_json, political_record, conduct, public_spirit };
    store::update(&state.db.pool, &state.db.vault, id, &draft, &review).await.map_err(store_error)?;
    caller.audit(&state, "update", "application", &id.to_string(), "").await;
    let a = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(detail(&state, &caller, a).await?))
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/approve", tag = "recruitment", security(("bearer" = [])),
    request_body(content = Object, description = "{team_id}: the team the new volunteer joins"),
    responses((status = 200, body = ApplicationView, description = "approved: volunteer_id names the new volunteer"), (status = 403), (status = 404),
        (status = 409, description = "already approved or rejected"), (status = 422, description = "team_id missing or unknown, or a criterion not confirmed")))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<ApplicationView>> {
    visible(&state, &caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    let mut f = Fields::new(&body);
    let team_id = f.required_int("team_id").ok_or_else(|| ApiError::invalid(f.problems))?;
    let team = team_store::get(&state.db.pool, team_id)
        .await?
        .ok_or_else(|| ApiError::field(Problem::about("team_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&team.region_path)?;
    let vid = store::approve(&state.db.pool, id, team_id, caller.user_id).await.map_err(store_error)?;
    caller.audit(&state, "approve", "application", &id.to_string(), &format!("volunteer {vid}")).await;
    let a = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(detail(&state, &caller, a).await?))
}

#[utoipa::path(post, path = "/api/v1/applications/{id}/reject", tag = "recruitment", security(("bearer" = [])),
    request_body(content = Object, description = "{reason}"),
    responses((status = 200, body = ApplicationView), (status = 403), (status = 404), (status = 409), (status = 422, description = "reason missing")))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<ApplicationView>> {
    visible(&state, &caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    let mut f = Fields::new(&body);
    let reason = f.required_text("reason", 500).ok_or_else(|| ApiError::invalid(f.problems))?;
    store::reject(&state.db.pool, id, &reason, caller.user_id).await.map_err(store_error)?;
    caller.audit(&state, "reject", "application", &id.to_string(), "").await;
    let a = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(detail(&state, &caller, a).await?))
}

/// Checks a profile sent by the public: the same rules as a volunteer's, but
/// without a caller's scope (any village of the installation will do).
pub fn public_draft(map: &Map<String, Value>) -> Result<VolunteerDraft, crate::domain::validation::Problems> {
    volunteer::validate(&profile(map), crate::today_local())
}
