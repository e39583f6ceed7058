//! Evaluation and incentives: points adjustments, the rewards shop,
//! redemptions, evaluations, the yearly assessment and leaderboards.

use super::volunteers::visible as visible_volunteer;
use super::{list_scope, Body};
use crate::domain::account::Role;
use crate::domain::assessment::{assess, Grade, YearFacts};
use crate::domain::input::Fields;
use crate::domain::service::hours;
use crate::domain::validation::Problem;
use crate::store::evaluations::{self, Evaluation};
use crate::store::rewards::{self, Reconciliation, Redemption, Reward};
use crate::store::{regions as region_store, settings, volunteers as volunteer_store, StoreError};
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Prices and stock stay far from integer overflow.
const MAX_AMOUNT: i64 = 1_000_000;

fn shop_conflict(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(crate::domain::error_code::ErrorCode::InsufficientPoints) => ApiError::conflict(
            crate::domain::error_code::ErrorCode::InsufficientPoints,
            "积分不足",
            "Not enough points",
        ),
        StoreError::Conflict(crate::domain::error_code::ErrorCode::OutOfStock) => ApiError::conflict(
            crate::domain::error_code::ErrorCode::OutOfStock,
            "库存不足或已下架",
            "Out of stock or withdrawn",
        ),
        other => other.into(),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct AdjustmentRequest {
    pub volunteer_id: i64,
    /// Positive to add, negative to take away.
    pub points: i64,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Adjusted {
    pub id: i64,
    pub balance: i64,
}

#[utoipa::path(post, path = "/api/v1/points/adjustments", tag = "points", security(("bearer" = [])), request_body = AdjustmentRequest,
    responses((status = 201, body = Adjusted), (status = 403), (status = 404), (status = 409, description = "would make the balance negative"), (status = 422)))]
pub async fn adjust(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<Adjusted>)> {
    caller.ensure(caller.role.manages_roster())?;
    let mut f = Fields::new(&body);
    let volunteer_id = f.required_int("volunteer_id");
    let points = f.required_int("points");
    let reason = f.required_text("reason", 200);
    let mut problems = f.problems;
    if points == Some(0) || points.is_some_and(|p| p.abs() > 100_000) {
        problems.push(Problem::about(
            "points",
            "应为非零整数，绝对值不超过100000",
            "must be non-zero and at most 100000 either way",
        ));
    }
    let (Some(volunteer_id), Some(points), Some(reason)) = (volunteer_id, points, reason) else {
        return Err(ApiError::invalid(problems));
    };
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let v = volunteer_store::get(&state.db.pool, volunteer_id)
        .await?
        .ok_or_else(|| ApiError::field(Problem::about("volunteer_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&v.region_path)?;
    let id =
        rewards::adjust(&state.db.pool, volunteer_id, points, &reason, caller.user_id).await.map_err(shop_conflict)?;
    caller
        .audit(&state, "adjust_points", "volunteer", &volunteer_id.to_string(), &format!("{points:+} {reason}"))
        .await;
    let balance = crate::store::points::balance(&state.db.pool, volunteer_id).await?;
    Ok((StatusCode::CREATED, Json(Adjusted { id, balance })))
}

#[derive(Deserialize, IntoParams)]
pub struct RewardQuery {
    pub region_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/rewards", tag = "rewards", params(RewardQuery), security(("bearer" = [])), responses((status = 200, body = [Reward])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RewardQuery>,
) -> ApiResult<Json<Vec<Reward>>> {
    let path = if caller.role == Role::Volunteer {
        caller.scope_path().to_string()
    } else {
        list_scope(&state, &caller, q.region_id.as_deref()).await?
    };
    Ok(Json(rewards::list_around(&state.db.pool, &path).await?))
}

async fn visible_reward(state: &AppState, caller: &Caller, id: i64) -> ApiResult<Reward> {
    let r = rewards::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    // a reward of a town is visible to everyone in that town
    if caller.covers(&r.region_path) || caller.scope_path().starts_with(&r.region_path) {
        Ok(r)
    } else {
        Err(ApiError::forbidden())
    }
}

#[utoipa::path(get, path = "/api/v1/rewards/{id}", tag = "rewards", security(("bearer" = [])), responses((status = 200, body = Reward), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Reward>> {
    Ok(Json(visible_reward(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/rewards", tag = "rewards", security(("bearer" = [])),
    request_body(content = Object, description = "{name, points, stock, region_id}"),
    responses((status = 201, body = Reward), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<Reward>)> {
    caller.ensure(caller.role.manages_roster())?;
    let mut f = Fields::new(&body);
    let name = f.required_text("name", 60);
    let points = f.required_int("points");
    let stock = f.required_int("stock");
    let region_id = f.required_int("region_id");
    let mut problems = f.problems;
    if points.is_some_and(|p| !(1..=MAX_AMOUNT).contains(&p)) {
        problems.push(Problem::new(
            "points",
            "所需积分应为1到1000000的整数",
            "points must be a whole number from 1 to 1000000",
        ));
    }
    if stock.is_some_and(|s| !(0..=MAX_AMOUNT).contains(&s)) {
        problems.push(Problem::new("stock", "库存应为0到1000000", "stock must be from 0 to 1000000"));
    }
    let (Some(name), Some(points), Some(stock), Some(region_id)) = (name, points, stock, region_id) else {
        return Err(ApiError::invalid(problems));
    };
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let region = region_store::get(&state.db.pool, region_id)
        .await?
        .ok_or_else(|| ApiError::field(Problem::about("region_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&region.path)?;
    let id = rewards::create(&state.db.pool, region_id, &name, points, stock, caller.user_id).await?;
    caller.audit(&state, "create", "reward", &id.to_string(), &name).await;
    Ok((StatusCode::CREATED, Json(rewards::get(&state.db.pool, id).await?.ok_or_else(ApiError::internal)?)))
}

#[utoipa::path(patch, path = "/api/v1/rewards/{id}", tag = "rewards", security(("bearer" = [])),
    request_body(content = Object, description = "{name, points, active, stock_change, reason}: stock changes only by a counted move"),
    responses((status = 200, body = Reward), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Reward>> {
    let r = visible_reward(&state, &caller, id).await?;
    caller.ensure(caller.role.manages_roster() && caller.covers(&r.region_path))?;
    if body.contains_key("stock") {
        return Err(ApiError::field(Problem::new(
            "stock",
            "库存只能通过 stock_change（入库为正、报损为负）调整，以便对账",
            "stock changes only through stock_change (positive to restock, negative to write off), so it reconciles",
        )));
    }
    let mut f = Fields::new(&body);
    let name = f.text("name", 60).unwrap_or(r.name.clone());
    let points = f.int("points").unwrap_or(r.points);
    let active = f.boolean("active").unwrap_or(r.active);
    let change = f.int("stock_change").unwrap_or(0);
    let reason = f.text("reason", 200).unwrap_or_else(|| if change > 0 { "入库".into() } else { "报损".into() });
    if !(1..=MAX_AMOUNT).contains(&points) {
        f.problems.push(Problem::new(
            "points",
            "所需积分应为1到1000000的整数",
            "points must be a whole number from 1 to 1000000",
        ));
    }
    if change.abs() > MAX_AMOUNT {
        f.problems.push(Problem::new(
            "stock_change",
            "一次调整不超过1000000",
            "one change is at most 1000000 either way",
        ));
    }
    if !f.problems.is_empty() {
        return Err(ApiError::invalid(f.problems));
    }
    rewards::update(&state.db.pool, id, &name, points, active, change, &reason, caller.user_id)
        .await
        .map_err(shop_conflict)?;
    caller.audit(&state, "update", "reward", &id.to_string(), &format!("{name} stock {change:+}")).await;
    Ok(Json(rewards::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?))
}

#[utoipa::path(get, path = "/api/v1/rewards/{id}/reconciliation", tag = "rewards", security(("bearer" = [])),
    responses((status = 200, body = Reconciliation), (status = 403), (status = 404)))]
pub async fn reconciliation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Reconciliation>> {
    let r = visible_reward(&state, &caller, id).await?;
    caller.ensure(caller.role.reads_roster())?;
    Ok(Json(rewards::reconcile(&state.db.pool, r.id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct RedemptionRequest {
    pub volunteer_id: i64,
    pub reward_id: i64,
    pub quantity: i64,
}

#[utoipa::path(post, path = "/api/v1/redemptions", tag = "rewards", security(("bearer" = [])), request_body = RedemptionRequest,
    responses((status = 201, body = Redemption), (status = 403), (status = 404), (status = 409, description = "not enough points, or out of stock"), (status = 422)))]
pub async fn redeem(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<Redemption>)> {
    let mut f = Fields::new(&body);
    let volunteer_id = f.required_int("volunteer_id");
    let reward_id = f.required_int("reward_id");
    let quantity = f.int("quantity").unwrap_or(1);
    if !(1..=100).contains(&quantity) {
        f.problems.push(Problem::new("quantity", "数量应在1到100之间", "quantity must be between 1 and 100"));
    }
    let (Some(volunteer_id), Some(reward_id)) = (volunteer_id, reward_id) else {
        return Err(ApiError::invalid(f.problems));
    };
    if !f.problems.is_empty() {
        return Err(ApiError::invalid(f.problems));
    }
    // the volunteer redeems for themselves; staff in scope at the counter
    let v = visible_volunteer(&state, &caller, volunteer_id).await?;
    caller.ensure(caller.volunteer_id == Some(volunteer_id) || caller.role.manages_roster())?;
    let reward = visible_reward(&state, &caller, reward_id)
        .await
        .map_err(|_| ApiError::field(Problem::new("reward_id", "找不到该商品", "No such reward")))?;
    if !v.region_path.starts_with(&reward.region_path) {
        return Err(ApiError::field(Problem::new(
            "reward_id",
            "不是本乡镇爱心超市的商品",
            "This reward belongs to another town's shop",
        )));
    }
    let done = rewards::redeem(&state.db.pool, volunteer_id, reward_id, quantity, caller.user_id)
        .await
        .map_err(shop_conflict)?;
    caller
        .audit(&state, "redeem", "volunteer", &volunteer_id.to_string(), &format!("{} x{}", reward.name, quantity))
        .await;
    Ok((StatusCode::CREATED, Json(done)))
}

#[derive(Deserialize, IntoParams)]
pub struct RedemptionQuery {
    pub volunteer_id: Option<String>,
    pub reward_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/redemptions", tag = "rewards", params(RedemptionQuery), security(("bearer" = [])), responses((status = 200, body = [Redemption])))]
pub async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RedemptionQuery>,
) -> ApiResult<Json<Vec<Redemption>>> {
    let vid = super::query_int("volunteer_id", q.volunteer_id.as_deref())?;
    let rid = super::query_int("reward_id", q.reward_id.as_deref())?;
    match (vid, rid) {
        (Some(v), _) => {
            visible_volunteer(&state, &caller, v).await?;
        }
        (None, Some(r)) => {
            let reward = visible_reward(&state, &caller, r).await?;
            caller.ensure(caller.role.manages_roster() && caller.covers(&reward.region_path))?;
        }
        (None, None) => {
            return Err(ApiError::field(Problem::new(
                "volunteer_id",
                "请指定志愿者或商品",
                "Give a volunteer_id or a reward_id",
            )));
        }
    }
    Ok(Json(rewards::redemptions(&state.db.pool, vid, rid).await?))
}

#[utoipa::path(post, path = "/api/v1/volunteers/{id}/evaluations", tag = "evaluations", security(("bearer" = [])),
    request_body(content = Object, description = "{period, score: 1..5, comment}"),
    responses((status = 201, body = [Evaluation]), (status = 403), (status = 404), (status = 422)))]
pub async fn evaluate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<Vec<Evaluation>>)> {
    let v = visible_volunteer(&state, &caller, id).await?;
    caller.ensure(
        matches!(caller.role, Role::Admin | Role::TownStaff | Role::TeamLeader) && caller.covers(&v.region_path),
    )?;
    caller.ensure(caller.volunteer_id != Some(id))?;
    let mut f = Fields::new(&body);
    let period = f.required_text("period", 20);
    let score = f.required_int("score");
    let comment = f.text("comment", 500);
    let mut problems = f.problems;
    if score.is_some_and(|s| !(1..=5).contains(&s)) {
        problems.push(Problem::new("score", "评分应为1到5", "score must be 1 to 5"));
    }
    if let Some(Err(p)) = period.as_deref().map(crate::domain::assessment::period_kind) {
        problems.push(p);
    }
    let (Some(period), Some(score)) = (period, score) else { return Err(ApiError::invalid(problems)) };
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    evaluations::add(&state.db.pool, id, &period, score, comment.as_deref(), caller.user_id, &caller.username).await?;
    caller.audit(&state, "evaluate", "volunteer", &id.to_string(), &format!("{period} {score}")).await;
    Ok((StatusCode::CREATED, Json(evaluations::of_volunteer(&state.db.pool, id).await?)))
}

#[utoipa::path(get, path = "/api/v1/volunteers/{id}/evaluations", tag = "evaluations", security(("bearer" = [])), responses((status = 200, body = [Evaluation])))]
pub async fn evaluations_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Evaluation>>> {
    let v = visible_volunteer(&state, &caller, id).await?;
    Ok(Json(evaluations::of_volunteer(&state.db.pool, v.id).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct YearQuery {
    pub region_id: Option<String>,
    /// The year to assess; default this year.
    pub year: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Assessed {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub region_name: String,
    pub hours: f64,
    pub average_evaluation: Option<f64>,
    /// Requesters' mean stars for needs served this year.
    pub average_rating: Option<f64>,
    pub no_shows: i64,
    pub score: f64,
    pub grade: Grade,
    pub reasons: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Ranked {
    pub name: String,
    pub volunteers: i64,
    pub hours: f64,
    pub points: i64,
    pub average_score: f64,
}

#[derive(Serialize, ToSchema)]
pub struct Assessment {
    pub year: i32,
    pub volunteers: Vec<Assessed>,
    /// Teams by average score, best first.
    pub teams: Vec<Ranked>,
    /// Villages by average score, best first.
    pub villages: Vec<Ranked>,
}

fn year_bounds(year: i32) -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    let start = |y: i32| {
        let d = NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
        Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default()) - chrono::Duration::hours(8)
    };
    (start(year), start(year + 1))
}

fn rank(groups: Vec<(String, Vec<&Assessed>, i64)>) -> Vec<Ranked> {
    let mut out: Vec<Ranked> = groups
        .into_iter()
        .filter(|(_, m, _)| !m.is_empty())
        .map(|(name, members, points)| Ranked {
            volunteers: members.len() as i64,
            hours: (members.iter().map(|m| m.hours).sum::<f64>() * 100.0).round() / 100.0,
            points,
            average_score: ((members.iter().map(|m| m.score).sum::<f64>() / members.len() as f64) * 100.0).round()
                / 100.0,
            name,
        })
        .collect();
    out.sort_by(|a, b| b.average_score.total_cmp(&a.average_score).then(b.hours.total_cmp(&a.hours)));
    out
}

pub async fn build_assessment(state: &AppState, caller: &Caller, q: &YearQuery) -> ApiResult<Assessment> {
    caller.ensure(caller.role.reads_roster())?;
    let within = list_scope(state, caller, q.region_id.as_deref()).await?;
    let year =
        match q.year.as_deref().filter(|y| !y.is_empty()) {
            None => crate::today_local().year(),
            Some(y) => y.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(|| {
                ApiError::field(Problem::new("year", "年份不正确", "year must be a year such as 2026"))
            })?,
        };
    let (from, to) = year_bounds(year);
    let rows = evaluations::year_rows(&state.db.pool, &within, from, to, &year.to_string()).await?;
    let rules = settings::rules_for(&state.db.pool, &within).await?;
    let volunteers: Vec<Assessed> = rows
        .iter()
        .map(|r| {
            let facts = YearFacts {
                hours: hours(r.minutes),
                average_rating: r.rating,
                average_evaluation: r.evaluation,
                no_shows: r.no_shows,
            };
            let o = assess(&facts, &rules.assessment);
            Assessed {
                volunteer_id: r.volunteer_id,
                volunteer_no: r.volunteer_no.clone(),
                name: r.name.clone(),
                region_name: r.region_name.clone(),
                hours: facts.hours,
                average_evaluation: r.evaluation.map(|e| (e * 10.0).round() / 10.0),
                average_rating: r.rating.map(|e| (e * 10.0).round() / 10.0),
                no_shows: r.no_shows,
                score: o.score,
                grade: o.grade,
                reasons: o.reasons,
            }
        })
        .collect();
    let points_of = |ids: &[i64]| rows.iter().filter(|r| ids.contains(&r.volunteer_id)).map(|r| r.points).sum::<i64>();
    let mut team_groups: Vec<(i64, String, Vec<i64>)> = Vec::new();
    for (tid, tname, vid) in evaluations::team_members(&state.db.pool, &within).await? {
        match team_groups.iter_mut().find(|(id, _, _)| *id == tid) {
            Some(g) => g.2.push(vid),
            None => team_groups.push((tid, tname, vec![vid])),
        }
    }
    let teams = rank(
        team_groups
            .iter()
            .map(|(_, name, ids)| {
                (name.clone(), volunteers.iter().filter(|a| ids.contains(&a.volunteer_id)).collect(), points_of(ids))
            })
            .collect(),
    );
    let mut village_names: Vec<String> = rows.iter().map(|r| r.region_name.clone()).collect();
    village_names.sort();
    village_names.dedup();
    let villages = rank(
        village_names
            .into_iter()
            .map(|n| {
                let ids: Vec<i64> = rows.iter().filter(|r| r.region_name == n).map(|r| r.volunteer_id).collect();
                let members = volunteers.iter().filter(|a| ids.contains(&a.volunteer_id)).collect();
                (n, members, points_of(&ids))
            })
            .collect(),
    );
    Ok(Assessment { year, volunteers, teams, villages })
}

#[utoipa::path(get, path = "/api/v1/assessments", tag = "evaluations", params(YearQuery), security(("bearer" = [])),
    responses((status = 200, body = Assessment), (status = 403), (status = 422)))]
pub async fn assessment(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<YearQuery>,
) -> ApiResult<Json<Assessment>> {
    Ok(Json(build_assessment(&state, &caller, &q).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Leaderboards {
    pub year: i32,
    /// Volunteers by hours this year, most first (top 20).
    pub volunteers_by_hours: Vec<Ranked>,
    /// Volunteers by points earned this year, most first (top 20).
    pub volunteers_by_points: Vec<Ranked>,
    pub teams_by_hours: Vec<Ranked>,
    pub villages_by_hours: Vec<Ranked>,
}

#[utoipa::path(get, path = "/api/v1/leaderboards", tag = "evaluations", params(YearQuery), security(("bearer" = [])),
    responses((status = 200, body = Leaderboards), (status = 403), (status = 422)))]
pub async fn leaderboards(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<YearQuery>,
) -> ApiResult<Json<Leaderboards>> {
    Ok(Json(build_leaderboards(&state, &caller, &q).await?))
}

pub async fn build_leaderboards(state: &AppState, caller: &Caller, q: &YearQuery) -> ApiResult<Leaderboards> {
    let a = build_assessment(state, caller, q).await?;
    let single = |v: &Assessed, points: i64| Ranked {
        name: v.name.clone(),
        volunteers: 1,
        hours: v.hours,
        points,
        average_score: v.score,
    };
    let (from, to) = year_bounds(a.year);
    let within = list_scope(state, caller, q.region_id.as_deref()).await?;
    let rows = evaluations::year_rows(&state.db.pool, &within, from, to, &a.year.to_string()).await?;
    let pts = |id: i64| rows.iter().find(|r| r.volunteer_id == id).map(|r| r.points).unwrap_or(0);
    let mut by_hours: Vec<Ranked> = a.volunteers.iter().map(|v| single(v, pts(v.volunteer_id))).collect();
    by_hours.sort_by(|x, y| y.hours.total_cmp(&x.hours));
    by_hours.truncate(20);
    let mut by_points: Vec<Ranked> = a.volunteers.iter().map(|v| single(v, pts(v.volunteer_id))).collect();
    by_points.sort_by_key(|x| std::cmp::Reverse(x.points));
    by_points.truncate(20);
    let mut teams = a.teams;
    teams.sort_by(|x, y| y.hours.total_cmp(&x.hours));
    let mut villages = a.villages;
    villages.sort_by(|x, y| y.hours.total_cmp(&x.hours));
    Ok(Leaderboards {
        year: a.year,
        volunteers_by_hours: by_hours,
        volunteers_by_points: by_points,
        teams_by_hours: teams,
        villages_by_hours: villages,
    })
}
