//! `/api/v1/care-recipients`: martyrs' families and veterans in difficulty,
//! and the visits to them.

use super::{list_scope, Body};
use crate::domain::account::Role;
use crate::domain::input::Fields;
use crate::domain::phone::Phone;
use crate::domain::validation::Problem;
use crate::store::care::{self as store, CareRecipient, NewRecipient, Visit};
use crate::store::{regions as region_store, volunteers as volunteer_store};
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

const CATEGORIES: [&str; 4] = ["martyr_family", "veteran_in_difficulty", "disabled_veteran", "other"];

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
    let mut f = Fields::new(&body);
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
    let id = store::create(
        &state.db.pool,
        &state.db.vault,
        &NewRecipient {
            name: &name,
            category: &category,
            categories: &categories,
            region_id,
            address: address.as_deref(),
            phone: phone.as_ref(),
            hardship: flags[0],
            living_alone: flags[1],
            low_income: flags[2],
            honour_plaque: flags[3],
            notes: notes.as_deref(),
        },
    )
    .await?;
    caller.audit(&state, "create", "care_recipient", &id.to_string(), "").await;
    let recipient = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(RecipientDetail { recipient, visits: vec![] })))
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
    caller.ensure(matches!(caller.role, Role::Admin | Role::TownStaff | Role::TeamLeader))?;
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
