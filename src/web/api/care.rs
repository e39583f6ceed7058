//! `/api/v1/care-recipients`: martyrs' families and veterans in difficulty,
//! and the visits to them.

use super::{list_scope, Body};
use crate::domain::care::{coverage, default_campaign, is_targeted, CAMPAIGN_KINDS, DEFAULT_TARGETS};
use crate::domain::input::Fields;
use crate::domain::phone::Phone;
use crate::domain::region::RegionKind;
use crate::domain::validation::Problem;
use crate::store::care::{self as store, Campaign, CareRecipient, NewCampaign, NewRecipient, Visit};
use crate::store::{regions as region_store, volunteers as volunteer_store};
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use utoipa::{IntoParams, ToSchema};

use crate::domain::care::CATEGORIES;

#[derive(Deserialize, IntoParams)]
pub struct CareQuery {
    pub region_id: Option<String>,
    /// With `unvisited_to`: only those with no visit in this period (YYYY-MM-DD, inclusive).
    pub unvisited_from: Option<String>,
    pub unvisited_to: Option<String>,
}

fn date(field: &str, v: Option<&str>) -> ApiResult<Option<NaiveDate>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| {
            ApiError::field(Problem::new(field, "日期应为 YYYY-MM-DD", "must be a date written YYYY-MM-DD"))
        }),
    }
}

#[utoipa::path(get, path = "/api/v1/care-recipients", tag = "care", params(CareQuery), security(("bearer" = [])),
    responses((status = 200, body = [CareRecipient]), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CareQuery>,
) -> ApiResult<Json<Vec<CareRecipient>>> {
    caller.ensure(caller.role.reads_roster())?;
    let within = list_scope(&state, &caller, q.region_id.as_deref()).await?;
    let period = match (
        date("unvisited_from", q.unvisited_from.as_deref())?,
        date("unvisited_to", q.unvisited_to.as_deref())?,
    ) {
        (None, None) => None,
        (Some(f), Some(t)) if f <= t => Some((f, t)),
        (Some(_), Some(_)) => {
            return Err(ApiError::field(Problem::new(
                "unvisited_to",
                "不能早于起始日期",
                "must not be before unvisited_from",
            )))
        }
        _ => {
            return Err(ApiError::field(Problem::new(
                "unvisited_to",
                "起止日期须同时给出",
                "unvisited_from and unvisited_to go together",
            )))
        }
    };
    Ok(Json(store::list(&state.db.pool, &within, period).await?))
}

#[derive(Serialize, ToSchema)]
pub struct RecipientDetail {
    #[serde(flatten)]
    pub recipient: CareRecipient,
    pub visits: Vec<Visit>,
}

async fn visible(state: &AppState, caller: &Caller, id: i64) -> ApiResult<CareRecipient> {
    let r = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    caller.ensure(caller.role.reads_roster())?;
    caller.ensure_covers(&r.region_path)?;
    Ok(r)
}

#[utoipa::path(get, path = "/api/v1/care-recipients/{id}", tag = "care", security(("bearer" = [])),
    responses((status = 200, body = RecipientDetail), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<RecipientDetail>> {
    let recipient = visible(&state, &caller, id).await?;
    let visits = store::visits(&state.db.pool, id).await?;
    Ok(Json(RecipientDetail { recipient, visits }))
}

#[utoipa::path(post, path = "/api/v1/care-recipients", tag = "care", security(("bearer" = [])),
    request_body(content = Object, description = "{name, category, categories, region_id, address, phone, hardship, living_alone, low_income, honour_plaque, notes}"),
    responses((status = 201, body = RecipientDetail), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<RecipientDetail>)> {
    caller.ensure(caller.role.manages_roster())?;
    let d = checked_input(&state, &caller, &body).await?;
    let id = store::create(&state.db.pool, &state.db.vault, &d.as_new()).await?;
    caller.audit(&state, "create", "care_recipient", &id.to_string(), "").await;
    let recipient = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(RecipientDetail { recipient, visits: vec![] })))
}

/// A recipient's profile as checked: the same rules for a create and for a
/// PATCH laid over the stored profile.
pub struct RecipientInput {
    name: String,
    category: String,
    categories: Vec<String>,
    region_id: i64,
    address: Option<String>,
    phone: Option<Phone>,
    flags: [bool; 4],
    notes: Option<String>,
}

impl RecipientInput {
    fn as_new(&self) -> NewRecipient<'_> {
        NewRecipient {
            name: &self.name,
            category: &self.category,
            categories: &self.categories,
            region_id: self.region_id,
            address: self.address.as_deref(),
            phone: self.phone.as_ref(),
            hardship: self.flags[0],
            living_alone: self.flags[1],
            low_income: self.flags[2],
            honour_plaque: self.flags[3],
            notes: self.notes.as_deref(),
        }
    }
}

/// Validates a whole profile (422 naming each field) and its region (422 when
/// unknown, 403 outside the caller's scope).
async fn checked_input(state: &AppState, caller: &Caller, body: &Map<String, Value>) -> ApiResult<RecipientInput> {
    let mut f = Fields::new(body);
    let name = f.required_text("name", 32);
    let category = f.required_text("category", 40);
    let mut categories = f.text_list("categories", 6);
    let region_id = f.required_int("region_id");
    let address = f.text("address", 200);
    let phone_text = f.text("phone", 40);
    let flags = ["hardship", "living_alone", "low_income", "honour_plaque"].map(|k| f.boolean(k).unwrap_or(false));
    let notes = f.text("notes", 1000);
    let mut problems = f.problems;
    if category.as_deref().is_some_and(|c| !CATEGORIES.contains(&c)) {
        problems.push(Problem::about(
            "category",
            "应为 martyr_family、veteran_in_difficulty、disabled_veteran 或 other",
            "must be martyr_family, veteran_in_difficulty, disabled_veteran or other",
        ));
    }
    if let Some(c) = &category {
        if !categories.contains(c) {
            categories.insert(0, c.clone());
        }
    }
    if categories.iter().any(|c| !CATEGORIES.contains(&c.as_str())) {
        problems.push(Problem::about("categories", "含有未知类别", "holds an unknown category"));
    }
    let phone = phone_text.and_then(|p| problems.take(Phone::parse(&p)));
    let (Some(name), Some(category), Some(region_id)) = (name, category, region_id) else {
        return Err(ApiError::invalid(problems));
    };
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let region = region_store::get(&state.db.pool, region_id)
        .await?
        .ok_or_else(|| ApiError::field(Problem::about("region_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&region.path)?;
    Ok(RecipientInput { name, category, categories, region_id, address, phone, flags, notes })
}

#[utoipa::path(patch, path = "/api/v1/care-recipients/{id}", tag = "care", security(("bearer" = [])),
    request_body(content = Object, description = "any fields of the POST; null clears an optional field"),
    responses((status = 200, body = RecipientDetail), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<RecipientDetail>> {
    let current = visible(&state, &caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    let phone = store::sealed_phone(&state.db.pool, id).await?.and_then(|s| state.db.vault.open(&s));
    let mut merged = match json!({
        "name": current.name, "category": current.category, "categories": current.categories,
        "region_id": current.region_id, "address": current.address, "phone": phone,
        "hardship": current.hardship, "living_alone": current.living_alone, "low_income": current.low_income,
        "honour_plaque": current.honour_plaque, "notes": current.notes,
    }) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    // A new main category without a new list replaces the old main one and
    // keeps the others.
    if body.contains_key("category") && !body.contains_key("categories") {
        let others: Vec<&String> = current.categories.iter().filter(|c| **c != current.category).collect();
        merged.insert("categories".into(), json!(others));
    }
    for (k, v) in body {
        if !matches!(k.as_str(), "id" | "last_visited_on" | "visits") {
            merged.insert(k, v);
        }
    }
    let d = checked_input(&state, &caller, &merged).await?;
    if !store::update(&state.db.pool, &state.db.vault, id, &d.as_new()).await? {
        return Err(ApiError::not_found());
    }
    caller.audit(&state, "update", "care_recipient", &id.to_string(), "").await;
    let recipient = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    let visits = store::visits(&state.db.pool, id).await?;
    Ok(Json(RecipientDetail { recipient, visits }))
}

#[utoipa::path(post, path = "/api/v1/care-recipients/{id}/visits", tag = "care", security(("bearer" = [])),
    request_body(content = Object, description = "{visited_on, volunteer_ids, notes, help_given}"),
    responses((status = 201, body = RecipientDetail), (status = 403), (status = 404), (status = 422)))]
pub async fn visit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<RecipientDetail>)> {
    let recipient = visible(&state, &caller, id).await?;
    caller.ensure(caller.role.runs_service())?;
    let mut f = Fields::new(&body);
    let on = f.date("visited_on");
    let notes = f.text("notes", 1000);
    let help = f.text("help_given", 500);
    let mut problems = f.problems;
    if on.is_none() && problems.get("visited_on").is_none() {
        problems.push(Problem::new("visited_on", "走访日期不能为空", "visited_on is required"));
    }
    if on.is_some_and(|d| d > crate::today_local()) {
        problems.push(Problem::new("visited_on", "不能晚于今天", "visited_on cannot be in the future"));
    }
    let ids: Vec<i64> = match body.get("volunteer_ids") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(a)) if a.iter().all(|v| v.as_i64().is_some()) => a.iter().filter_map(Value::as_i64).collect(),
        _ => {
            problems.push(Problem::new("volunteer_ids", "应为志愿者编号列表", "volunteer_ids must be a list of ids"));
            vec![]
        }
    };
    let Some(on) = on.filter(|_| problems.is_empty()) else { return Err(ApiError::invalid(problems)) };
    for v in &ids {
        let row = volunteer_store::get(&state.db.pool, *v).await?.ok_or_else(|| {
            ApiError::field(Problem::new(
                "volunteer_ids",
                format!("志愿者{v}不存在"),
                format!("volunteer {v} does not exist"),
            ))
        })?;
        caller.ensure_covers(&row.region_path)?;
    }
    store::add_visit(&state.db.pool, recipient.id, on, &ids, notes.as_deref(), help.as_deref(), caller.user_id).await?;
    caller.audit(&state, "visit", "care_recipient", &id.to_string(), &on.to_string()).await;
    let recipient = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::internal)?;
    let visits = store::visits(&state.db.pool, id).await?;
    Ok((StatusCode::CREATED, Json(RecipientDetail { recipient, visits })))
}

#[derive(Deserialize, IntoParams)]
pub struct CampaignQuery {
    /// Campaigns over this region's subtree, or over a region above it.
    pub region_id: Option<String>,
}

/// Whether a caller sees a campaign: one over their subtree, or over a region
/// above it (a town's campaign reaches every village's team leader).
fn sees_campaign(caller: &Caller, c: &Campaign) -> bool {
    caller.covers(&c.region_path) || caller.scope_path().starts_with(&c.region_path)
}

async fn visible_campaign(state: &AppState, caller: &Caller, id: i64) -> ApiResult<Campaign> {
    let c = store::campaign(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    caller.ensure(caller.role.reads_roster())?;
    caller.ensure(sees_campaign(caller, &c))?;
    Ok(c)
}

#[utoipa::path(get, path = "/api/v1/care-campaigns", tag = "care", params(CampaignQuery), security(("bearer" = [])),
    responses((status = 200, body = [Campaign]), (status = 403), (status = 422)))]
pub async fn campaigns(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CampaignQuery>,
) -> ApiResult<Json<Vec<Campaign>>> {
    caller.ensure(caller.role.reads_roster())?;
    let within = list_scope(&state, &caller, q.region_id.as_deref()).await?;
    Ok(Json(store::campaigns(&state.db.pool, &within).await?))
}

#[utoipa::path(get, path = "/api/v1/care-campaigns/{id}", tag = "care", security(("bearer" = [])),
    responses((status = 200, body = Campaign), (status = 403), (status = 404)))]
pub async fn campaign(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Campaign>> {
    Ok(Json(visible_campaign(&state, &caller, id).await?))
}

/// A campaign as checked: the same rules for a create and a PATCH.
struct CampaignInput {
    name: String,
    kind: String,
    region_id: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    categories: Vec<String>,
}

/// Validates a campaign. Spring Festival and Army Day campaigns given only a
/// `year` get their usual name and dates.
async fn checked_campaign(state: &AppState, caller: &Caller, body: &Map<String, Value>) -> ApiResult<CampaignInput> {
    let mut f = Fields::new(body);
    let kind = f.required_text("kind", 20);
    let year = f.int("year");
    let mut name = f.text("name", 60);
    let region_id = f.required_int("region_id");
    let mut starts_on = f.date("starts_on");
    let mut ends_on = f.date("ends_on");
    let mut categories = f.text_list("categories", 4);
    let mut problems = f.problems;
    if kind.as_deref().is_some_and(|k| !CAMPAIGN_KINDS.contains(&k)) {
        problems.push(Problem::about(
            "kind",
            "应为 spring_festival、army_day 或 custom",
            "must be spring_festival, army_day or custom",
        ));
    }
    let defaults = match (&kind, year) {
        (Some(k), Some(y)) => default_campaign(k, y as i32),
        _ => None,
    };
    if let Some((n, from, to)) = defaults {
        name.get_or_insert(n);
        starts_on.get_or_insert(from);
        ends_on.get_or_insert(to);
    } else if year.is_some() && starts_on.is_none() && kind.as_deref() == Some("spring_festival") {
        problems.push(Problem::about(
            "year",
            "没有该年的春节日期，请填写起止日期",
            "has no known Spring Festival date; give the dates",
        ));
    }
    for (field, v) in [("name", name.is_none()), ("starts_on", starts_on.is_none()), ("ends_on", ends_on.is_none())] {
        if v && problems.get(field).is_none() {
            problems.push(Problem::required(field));
        }
    }
    if let (Some(a), Some(b)) = (starts_on, ends_on) {
        if b < a {
            problems.push(Problem::about("ends_on", "不能早于开始日期", "must not be before starts_on"));
        }
    }
    if categories.is_empty() {
        categories = DEFAULT_TARGETS.iter().map(|s| s.to_string()).collect();
    }
    if categories.iter().any(|c| !CATEGORIES.contains(&c.as_str())) {
        problems.push(Problem::about("categories", "含有未知类别", "holds an unknown category"));
    }
    let (Some(name), Some(kind), Some(region_id), Some(starts_on), Some(ends_on)) =
        (name, kind, region_id, starts_on, ends_on)
    else {
        return Err(ApiError::invalid(problems));
    };
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let region = region_store::get(&state.db.pool, region_id)
        .await?
        .ok_or_else(|| ApiError::field(Problem::about("region_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&region.path)?;
    Ok(CampaignInput { name, kind, region_id, starts_on, ends_on, categories })
}

impl CampaignInput {
    fn as_new(&self) -> NewCampaign<'_> {
        NewCampaign {
            name: &self.name,
            kind: &self.kind,
            region_id: self.region_id,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            categories: &self.categories,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/care-campaigns", tag = "care", security(("bearer" = [])),
    request_body(content = Object, description = "{name, kind: spring_festival|army_day|custom, region_id, starts_on, ends_on, categories}; for spring_festival and army_day, {kind, region_id, year} is enough"),
    responses((status = 201, body = Campaign), (status = 403), (status = 422)))]
pub async fn create_campaign(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<Campaign>)> {
    caller.ensure(caller.role.manages_roster())?;
    let c = checked_campaign(&state, &caller, &body).await?;
    let id = store::create_campaign(&state.db.pool, &c.as_new(), caller.user_id).await?;
    caller.audit(&state, "create", "care_campaign", &id.to_string(), &c.name).await;
    let c = store::campaign(&state.db.pool, id).await?.ok_or_else(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[utoipa::path(patch, path = "/api/v1/care-campaigns/{id}", tag = "care", security(("bearer" = [])),
    request_body(content = Object, description = "any fields of the POST"),
    responses((status = 200, body = Campaign), (status = 403), (status = 404), (status = 422)))]
pub async fn update_campaign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Campaign>> {
    let current = store::campaign(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    caller.ensure(caller.role.manages_roster())?;
    caller.ensure_covers(&current.region_path)?;
    let mut merged = match json!({
        "name": current.name, "kind": current.kind, "region_id": current.region_id,
        "starts_on": current.starts_on, "ends_on": current.ends_on, "categories": current.categories,
    }) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    for (k, v) in body {
        if !matches!(k.as_str(), "id" | "region_name") {
            merged.insert(k, v);
        }
    }
    let c = checked_campaign(&state, &caller, &merged).await?;
    if !store::update_campaign(&state.db.pool, id, &c.as_new()).await? {
        return Err(ApiError::not_found());
    }
    caller.audit(&state, "update", "care_campaign", &id.to_string(), &c.name).await;
    Ok(Json(store::campaign(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?))
}

/// One village of a visit campaign's coverage. Named apart from the regions'
/// `VillageCoverage` (teams per village), which is another thing.
#[derive(Serialize, ToSchema, Clone)]
#[schema(as = CampaignVillageCoverage)]
pub struct VillageCoverage {
    pub region_id: i64,
    pub name: String,
    pub targeted: i64,
    pub visited: i64,
}

#[derive(Serialize, ToSchema, Clone)]
pub struct Unvisited {
    pub id: i64,
    pub name: String,
    pub category: String,
    pub region_id: i64,
    pub region_name: String,
}

#[derive(Serialize, ToSchema, Clone)]
pub struct CampaignCoverage {
    pub targeted: i64,
    pub visited: i64,
    /// visited / targeted, 0..1 (1 when nobody is targeted).
    pub coverage: f64,
    pub by_village: Vec<VillageCoverage>,
    pub unvisited: Vec<Unvisited>,
}

/// The coverage of a campaign as far as the caller sees it: a team leader sees
/// their own village's part of a town campaign.
pub async fn coverage_of(state: &AppState, caller: &Caller, c: &Campaign) -> ApiResult<CampaignCoverage> {
    let within = if c.region_path.len() >= caller.scope_path().len() {
        c.region_path.clone()
    } else {
        caller.scope_path().to_string()
    };
    let rows = store::campaign_recipients(&state.db.pool, c, &within).await?;
    let villages = region_store::list(&state.db.pool, Some(&within), Some(RegionKind::Village)).await?;
    let mut by_village: Vec<VillageCoverage> = Vec::new();
    let mut unvisited = Vec::new();
    let (mut targeted, mut visited) = (0, 0);
    for r in rows.iter().filter(|r| is_targeted(&r.categories(), &c.categories)) {
        targeted += 1;
        // the village a recipient lives in; one living above any village counts where they are
        let (vid, vname) = villages
            .iter()
            .find(|v| r.region_path.starts_with(&v.path))
            .map(|v| (v.id, v.name.clone()))
            .unwrap_or((r.region_id, r.region_name.clone()));
        let pos = match by_village.iter().position(|v| v.region_id == vid) {
            Some(p) => p,
            None => {
                by_village.push(VillageCoverage { region_id: vid, name: vname, targeted: 0, visited: 0 });
                by_village.len() - 1
            }
        };
        by_village[pos].targeted += 1;
        if r.visited {
            visited += 1;
            by_village[pos].visited += 1;
        } else {
            unvisited.push(Unvisited {
                id: r.id,
                name: r.name.clone(),
                category: r.category.clone(),
                region_id: r.region_id,
                region_name: r.region_name.clone(),
            });
        }
    }
    Ok(CampaignCoverage { targeted, visited, coverage: coverage(targeted, visited), by_village, unvisited })
}

#[utoipa::path(get, path = "/api/v1/care-campaigns/{id}/coverage", tag = "care", security(("bearer" = [])),
    responses((status = 200, body = CampaignCoverage), (status = 403), (status = 404)))]
pub async fn campaign_coverage(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<CampaignCoverage>> {
    let c = visible_campaign(&state, &caller, id).await?;
    Ok(Json(coverage_of(&state, &caller, &c).await?))
}
