//! `/api/v1/volunteers`: the roster.

use super::{list_scope, paging, query_int, Body};
use crate::domain::validation::Problem;
use crate::domain::volunteer::{self, skill_code, Gender, VolunteerStatus};
use crate::store::volunteers::{self as store, Filter, VolunteerRow};
use crate::store::{regions as region_store, teams as team_store};
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

#[derive(Serialize, ToSchema, Clone)]
pub struct TeamRef {
    pub id: i64,
    pub name: String,
    pub kind: String,
}

/// A volunteer as the API shows it. `id_number` and `phone` are masked
/// (`410***********1234`, `138****5678`) unless the caller may see them in full.
#[derive(Serialize, ToSchema, Clone)]
pub struct VolunteerView {
    pub id: i64,
    pub volunteer_no: String,
    pub name: String,
    #[schema(value_type = Gender)]
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
    pub availability: Option<String>,
    #[schema(value_type = VolunteerStatus)]
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The grid (网格) of the volunteer's village they are attached to.
    pub grid_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams: Option<Vec<TeamRef>>,
    /// Hours of service that count (corrected records excluded); on a single volunteer's GET.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_hours: Option<f64>,
    /// 0–5 stars by cumulative hours, at the town's thresholds; on a single volunteer's GET.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub star_level: Option<u8>,
}

pub fn view(state: &AppState, v: VolunteerRow, reveal: bool) -> VolunteerView {
    let (id_number, phone) = if reveal {
        (
            state.db.vault.open(&v.id_sealed).unwrap_or_else(|| v.id_masked.clone()),
            state.db.vault.open(&v.phone_sealed).unwrap_or_else(|| v.phone_masked.clone()),
        )
    } else {
        (v.id_masked.clone(), v.phone_masked.clone())
    };
    let skills = v.skill_list();
    let honors = v.honor_list();
    VolunteerView {
        id: v.id,
        volunteer_no: v.volunteer_no,
        name: v.name,
        gender: v.gender,
        birth_date: v.birth_date,
        id_number,
        phone,
        region_id: v.region_id,
        region_name: v.region_name,
        address: v.address,
        lat: v.lat,
        lon: v.lon,
        branch: v.branch,
        enlisted_on: v.enlisted_on,
        discharged_on: v.discharged_on,
        veteran_category: v.veteran_category,
        party_member: v.party_member,
        cadre_role: v.cadre_role,
        honors,
        skills,
        availability: v.availability,
        status: v.status,
        created_at: v.created_at,
        updated_at: v.updated_at,
        grid_id: v.grid_id,
        teams: None,
        service_hours: None,
        star_level: None,
    }
}

#[derive(Deserialize, IntoParams, Default)]
pub struct VolunteerQuery {
    /// Only volunteers of this region's subtree.
    pub region_id: Option<String>,
    pub team_id: Option<String>,
    /// A skill code such as `driving`, or its Chinese name.
    pub skill: Option<String>,
    /// applicant, active or inactive.
    pub status: Option<String>,
    /// Part of a name, a volunteer number, or a whole phone or ID number.
    pub q: Option<String>,
    /// 1–1000, default 100.
    pub limit: Option<String>,
    pub offset: Option<String>,
    /// `true` keeps ID numbers and phones masked even for staff (no audit entry).
    pub masked: Option<String>,
    /// `true` adds the `X-Total-Count` header.
    pub with_total: Option<String>,
}

pub async fn filter_from(state: &AppState, caller: &Caller, q: &VolunteerQuery) -> ApiResult<Filter> {
    let within = list_scope(state, caller, q.region_id.as_deref()).await?;
    let (limit, offset) = paging(q.limit.as_deref(), q.offset.as_deref())?;
    let skill = match q.skill.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            skill_code(s)
                .ok_or_else(|| ApiError::field(Problem::about("skills", "不是可选技能", "is not a known skill")))?
                .to_string(),
        ),
    };
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(VolunteerStatus::parse(s).ok_or_else(|| {
            ApiError::field(Problem::about(
                "status",
                "应为 applicant、active 或 inactive",
                "must be applicant, active or inactive",
            ))
        })?),
    };
    Ok(Filter {
        within,
        team_id: query_int("team_id", q.team_id.as_deref())?,
        skill,
        status,
        text: q.q.clone(),
        personal_lookup: caller.role.sees_personal_data(),
        limit,
        offset,
    })
}

#[utoipa::path(get, path = "/api/v1/volunteers", tag = "volunteers", params(VolunteerQuery), security(("bearer" = [])),
    responses((status = 200, body = [VolunteerView]), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<VolunteerQuery>,
) -> ApiResult<(HeaderMap, Json<Vec<VolunteerView>>)> {
    caller.ensure(caller.role.reads_roster())?;
    let f = filter_from(&state, &caller, &q).await?;
    let rows = store::list(&state.db.pool, &state.db.vault, &f).await?;
    let mut headers = HeaderMap::new();
    if q.with_total.as_deref() == Some("true") {
        let total = store::count(&state.db.pool, &state.db.vault, &f).await?;
        headers.insert("x-total-count", HeaderValue::from(total));
    }
    // Every row of a list lies inside the caller's scope, so the role decides.
    let reveal = caller.role.sees_personal_data() && q.masked.as_deref() != Some("true");
    if reveal && !rows.is_empty() {
        let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
        caller.audit_view(&state, "volunteer_list", &f.within, &ids.join(",")).await?;
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok((headers, Json(rows.into_iter().map(|r| view(&state, r, reveal)).collect())))
}

/// Loads a volunteer the caller may see: 404 unknown, 403 outside scope. A
/// volunteer's own account sees only itself.
pub async fn visible(state: &AppState, caller: &Caller, id: i64) -> ApiResult<VolunteerRow> {
    let v = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    if caller.volunteer_id == Some(id) {
        return Ok(v);
    }
    caller.ensure(caller.role.reads_roster())?;
    caller.ensure_covers(&v.region_path)?;
    Ok(v)
}

/// The full view of one volunteer, with teams; unmasked only for those allowed,
/// and then audited.
pub async fn detail(state: &AppState, caller: &Caller, v: VolunteerRow) -> ApiResult<VolunteerView> {
    let reveal = caller.sees_personal_data_of(v.id, &v.region_path);
    if reveal {
        caller.audit_view(state, "volunteer", &v.id.to_string(), &v.volunteer_no).await?;
    }
    let teams = team_store::of_volunteer(&state.db.pool, v.id)
        .await?
        .into_iter()
        .map(|(id, name, kind)| TeamRef { id, name, kind })
        .collect();
    let (hours, stars) = super::records::hours_and_stars(state, v.id, &v.region_path).await?;
    let mut out = view(state, v, reveal);
    out.teams = Some(teams);
    out.service_hours = Some(hours);
    out.star_level = Some(stars);
    Ok(out)
}

#[utoipa::path(get, path = "/api/v1/volunteers/{id}", tag = "volunteers", security(("bearer" = [])),
    responses((status = 200, body = VolunteerView), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<(HeaderMap, Json<VolunteerView>)> {
    let v = visible(&state, &caller, id).await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok((headers, Json(detail(&state, &caller, v).await?)))
}

/// Validates a whole profile and checks its region: 422 when the region does
/// not exist, 403 when it lies outside the caller's scope.
pub async fn checked_draft(
    state: &AppState,
    caller: &Caller,
    map: &Map<String, Value>,
) -> ApiResult<volunteer::VolunteerDraft> {
    let today = crate::today_local();
    // numbers sent as text ("3") are read as the validator reads them
    let region_id =
        map.get("region_id").and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())));
    let region = match region_id {
        Some(id) => region_store::get(&state.db.pool, id).await?,
        None => None,
    };
    let mut draft = volunteer::validate(map, today);
    if region_id.is_some() && region.is_none() {
        let p = Problem::about("region_id", "不存在", "does not exist");
        draft = match draft {
            Ok(_) => Err(p.into()),
            Err(mut ps) => {
                ps.push(p);
                Err(ps)
            }
        };
    }
    let draft = draft.map_err(ApiError::invalid)?;
    if let Some(r) = region {
        caller.ensure_covers(&r.path)?;
    }
    Ok(draft)
}

/// A grid a volunteer may be attached to: a region of kind grid under the
/// volunteer's village (422 naming `grid_id` otherwise). Null detaches.
pub async fn checked_grid(state: &AppState, v: Option<&Value>, region_id: i64) -> ApiResult<Option<i64>> {
    let id = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(v) => v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())),
    };
    let Some(id) = id else {
        return Err(ApiError::field(Problem::about("grid_id", "应为整数", "must be a whole number")));
    };
    let not_under = || {
        ApiError::field(Problem::about(
            "grid_id",
            "应为该志愿者所在村(社区)下的网格",
            "must be a grid under the volunteer's village",
        ))
    };
    let grid = region_store::get(&state.db.pool, id).await?.ok_or_else(not_under)?;
    let home = region_store::get(&state.db.pool, region_id).await?.ok_or_else(not_under)?;
    if grid.kind != "grid" || !grid.path.starts_with(&home.path) {
        return Err(not_under());
    }
    Ok(Some(id))
}

#[utoipa::path(post, path = "/api/v1/volunteers", tag = "volunteers", security(("bearer" = [])),
    request_body(content = Object, description = "the fields of VolunteerView; id_number, phone, name and region_id are required; gender and birth_date are read from the ID number; grid_id must be a grid under the volunteer's village"),
    responses((status = 201, body = VolunteerView), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<VolunteerView>)> {
    caller.ensure(caller.role.manages_roster())?;
    let draft = checked_draft(&state, &caller, &body).await?;
    let grid_id = checked_grid(&state, body.get("grid_id"), draft.region_id).await?;
    let id = store::create_in_grid(&state.db.pool, &state.db.vault, &draft, grid_id).await?;
    let v = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::internal)?;
    caller.audit(&state, "create", "volunteer", &id.to_string(), &v.volunteer_no).await;
    Ok((StatusCode::CREATED, Json(detail(&state, &caller, v).await?)))
}

/// The stored profile as the JSON object a client would send, so a PATCH can be
/// laid over it and the whole result checked by the same rules as a create.
pub fn as_input(state: &AppState, v: &VolunteerRow) -> Map<String, Value> {
    let full = view(state, v.clone(), true);
    let mut m = match json!({
        "name": full.name, "id_number": full.id_number, "phone": full.phone, "region_id": full.region_id,
        "address": full.address, "lat": full.lat, "lon": full.lon, "branch": full.branch,
        "enlisted_on": full.enlisted_on, "discharged_on": full.discharged_on,
        "veteran_category": full.veteran_category, "party_member": full.party_member,
        "cadre_role": full.cadre_role, "honors": full.honors, "skills": full.skills,
        "availability": full.availability, "status": full.status,
    }) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    m.retain(|_, v| !v.is_null());
    m
}

#[utoipa::path(patch, path = "/api/v1/volunteers/{id}", tag = "volunteers", security(("bearer" = [])),
    request_body(content = Object, description = "any fields of VolunteerView; null clears an optional field"),
    responses((status = 200, body = VolunteerView), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<VolunteerView>> {
    let current = visible(&state, &caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    let mut merged = as_input(&state, &current);
    // The system's own fields may be echoed back unchanged, never changed.
    if body.get("id").is_some_and(|v| v.as_i64() != Some(current.id)) {
        return Err(ApiError::field(Problem::about(
            "id",
            "由系统生成，不能修改",
            "is set by the system and cannot be changed",
        )));
    }
    if body.get("volunteer_no").is_some_and(|v| v.as_str() != Some(current.volunteer_no.as_str())) {
        return Err(ApiError::field(Problem::about(
            "volunteer_no",
            "由系统生成，不能修改",
            "is set by the system and cannot be changed",
        )));
    }
    let grid_sent = body.get("grid_id").cloned();
    for (k, v) in body {
        if !matches!(
            k.as_str(),
            "id" | "volunteer_no" | "created_at" | "updated_at" | "region_name" | "teams" | "grid_id"
        ) {
            merged.insert(k, v);
        }
    }
    let draft = checked_draft(&state, &caller, &merged).await?;
    let grid = match grid_sent {
        Some(g) => Some(checked_grid(&state, Some(&g), draft.region_id).await?),
        // a move to another village leaves the old village's grid behind
        None if draft.region_id != current.region_id => {
            Some(checked_grid(&state, current.grid_id.map(Value::from).as_ref(), draft.region_id).await.ok().flatten())
        }
        None => None,
    };
    store::update_in_grid(&state.db.pool, &state.db.vault, id, &draft, grid).await?;
    caller.audit(&state, "update", "volunteer", &id.to_string(), &current.volunteer_no).await;
    let v = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(detail(&state, &caller, v).await?))
}
