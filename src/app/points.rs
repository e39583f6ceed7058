//! Points and rewards: staff adjustments of the ledger, the shop (爱心超市)
//! with its stock and reconciliation, redemptions, evaluations, and the yearly
//! assessment with its leaderboards.

use super::{list_scope, query_int, App, Caller, Error, Result};
use crate::domain::account::Role;
use crate::domain::assessment::{assess, period_kind, YearFacts};
use crate::domain::clock;
use crate::domain::error_code::ErrorCode;
use crate::domain::service::hours;
use crate::domain::validation::{Problem, Problems};
use crate::store::volunteers::VolunteerRow;
use crate::store::{evaluations, points as ledger, regions as region_store, rewards, settings};
use crate::store::{volunteers as volunteer_store, StoreError};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

pub use crate::domain::assessment::Grade;
pub use crate::domain::points::LedgerSource;
pub use crate::store::evaluations::Evaluation;
pub use crate::store::points::PointsEntry;
pub use crate::store::rewards::{Reconciliation, Redemption, Reward};

/// Prices and stock stay far from integer overflow.
const MAX_AMOUNT: i64 = 1_000_000;

/// Tidied text within a length, as the validators have always read it: blank
/// is absent, too long is a problem named after the field.
fn text(problems: &mut Problems, field: &str, v: Option<&str>, max_chars: usize) -> Option<String> {
    let t = crate::domain::text::typed(field, v)?;
    if t.chars().count() > max_chars {
        problems.push(Problem::about(
            field,
            &format!("不能超过{max_chars}个字"),
            &format!("must be at most {max_chars} characters"),
        ));
        return None;
    }
    Some(t)
}

fn required_text(problems: &mut Problems, field: &str, v: Option<&str>, max_chars: usize) -> Option<String> {
    let t = text(problems, field, v, max_chars);
    if t.is_none() && problems.get(field).is_none() {
        problems.push(Problem::required(field));
    }
    t
}

fn required<T: Copy>(problems: &mut Problems, field: &str, v: Option<T>) -> Option<T> {
    if v.is_none() {
        problems.push(Problem::required(field));
    }
    v
}

fn shop_conflict(e: StoreError) -> Error {
    match e {
        StoreError::Conflict(ErrorCode::InsufficientPoints) => {
            Error::conflict(ErrorCode::InsufficientPoints, "积分不足", "Not enough points")
        }
        StoreError::Conflict(ErrorCode::OutOfStock) => {
            Error::conflict(ErrorCode::OutOfStock, "库存不足或已下架", "Out of stock or withdrawn")
        }
        other => other.into(),
    }
}

/// A volunteer the caller may see: themselves, or one in scope for those who
/// read the roster. (The same rule as the volunteers' own use cases.)
async fn visible_volunteer(app: &App, caller: &Caller, id: i64) -> Result<VolunteerRow> {
    let v = volunteer_store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    if caller.volunteer_id == Some(id) {
        return Ok(v);
    }
    caller.ensure(caller.role.reads_roster())?;
    caller.ensure_covers(&v.region_path)?;
    Ok(v)
}

// ---------------------------------------------------------------- adjustments

/// A staff adjustment of a volunteer's points.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Adjustment {
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub volunteer_id: Option<i64>,
    /// Positive to add, negative to take away.
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub points: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Adjusted {
    pub id: i64,
    pub balance: i64,
}

/// Adds or takes points with a reason: an audited ledger entry, never an edit.
pub async fn adjust(app: &App, caller: &Caller, input: Adjustment) -> Result<Adjusted> {
    caller.ensure(caller.role.manages_roster())?;
    let mut problems = Problems::new();
    let volunteer_id = required(&mut problems, "volunteer_id", input.volunteer_id);
    let points = required(&mut problems, "points", input.points);
    let reason = required_text(&mut problems, "reason", input.reason.as_deref(), 200);
    if points == Some(0) || points.is_some_and(|p| p.abs() > 100_000) {
        problems.push(Problem::about(
            "points",
            "应为非零整数，绝对值不超过100000",
            "must be non-zero and at most 100000 either way",
        ));
    }
    let (Some(volunteer_id), Some(points), Some(reason)) = (volunteer_id, points, reason) else {
        return Err(Error::invalid(problems));
    };
    if !problems.is_empty() {
        return Err(Error::invalid(problems));
    }
    let v = volunteer_store::get(&app.db.pool, volunteer_id)
        .await?
        .ok_or_else(|| Error::field(Problem::about("volunteer_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&v.region_path)?;
    let record = caller.record("adjust_points", "volunteer", volunteer_id, &format!("{points:+} {reason}"));
    let id = rewards::adjust(&app.db.pool, volunteer_id, points, &reason, caller.user_id, &record)
        .await
        .map_err(shop_conflict)?;
    let balance = ledger::balance(&app.db.pool, volunteer_id).await?;
    Ok(Adjusted { id, balance })
}

// ---------------------------------------------------------------- the shop

/// The rewards a caller sees: a volunteer their town's shop, staff their
/// scope's (or the region asked for, inside it).
pub async fn rewards(app: &App, caller: &Caller, region_id: Option<&str>) -> Result<Vec<Reward>> {
    let path = if caller.role == Role::Volunteer {
        caller.scope_path().to_string()
    } else {
        list_scope(app, caller, region_id).await?
    };
    Ok(rewards::list_around(&app.db.pool, &path).await?)
}

/// One reward; a reward of a town is visible to everyone in that town.
pub async fn reward(app: &App, caller: &Caller, id: i64) -> Result<Reward> {
    let r = rewards::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    if caller.covers(&r.region_path) || caller.scope_path().starts_with(&r.region_path) {
        Ok(r)
    } else {
        Err(Error::forbidden())
    }
}

/// A new reward for a town's shop.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewReward {
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub name: Option<String>,
    /// Points for one.
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub points: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub stock: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub region_id: Option<i64>,
}

fn price_problem() -> Problem {
    Problem::new("points", "所需积分应为1到1000000的整数", "points must be a whole number from 1 to 1000000")
}

pub async fn create_reward(app: &App, caller: &Caller, input: NewReward) -> Result<Reward> {
    caller.ensure(caller.role.manages_roster())?;
    let mut problems = Problems::new();
    let name = required_text(&mut problems, "name", input.name.as_deref(), 60);
    let points = required(&mut problems, "points", input.points);
    let stock = required(&mut problems, "stock", input.stock);
    let region_id = required(&mut problems, "region_id", input.region_id);
    if points.is_some_and(|p| !(1..=MAX_AMOUNT).contains(&p)) {
        problems.push(price_problem());
    }
    if stock.is_some_and(|s| !(0..=MAX_AMOUNT).contains(&s)) {
        problems.push(Problem::new("stock", "库存应为0到1000000", "stock must be from 0 to 1000000"));
    }
    let (Some(name), Some(points), Some(stock), Some(region_id)) = (name, points, stock, region_id) else {
        return Err(Error::invalid(problems));
    };
    if !problems.is_empty() {
        return Err(Error::invalid(problems));
    }
    let region = region_store::get(&app.db.pool, region_id)
        .await?
        .ok_or_else(|| Error::field(Problem::about("region_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&region.path)?;
    let record = caller.record("create", "reward", 0, &name);
    let id = rewards::create(&app.db.pool, region_id, &name, points, stock, caller.user_id, Some(&record)).await?;
    rewards::get(&app.db.pool, id).await?.ok_or_else(Error::internal)
}

/// Any field present, even `null`: the request named it.
fn present<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Value>, D::Error> {
    Ok(Some(Value::deserialize(d)?))
}

/// A change to a reward: what is given overrides what is stored. Stock moves
/// only by a counted change, so the shop reconciles.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RewardChange {
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub points: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::input::de::flag")]
    pub active: Option<bool>,
    /// Positive to restock, negative to write off.
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub stock_change: Option<i64>,
    /// Why the stock moves; default 入库 or 报损.
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub reason: Option<String>,
    /// Refused: stock changes only through `stock_change`.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub stock: Option<Value>,
}

pub async fn update_reward(app: &App, caller: &Caller, id: i64, input: RewardChange) -> Result<Reward> {
    let r = reward(app, caller, id).await?;
    caller.ensure(caller.role.manages_roster() && caller.covers(&r.region_path))?;
    if input.stock.is_some() {
        return Err(Error::field(Problem::new(
            "stock",
            "库存只能通过 stock_change（入库为正、报损为负）调整，以便对账",
            "stock changes only through stock_change (positive to restock, negative to write off), so it reconciles",
        )));
    }
    let mut problems = Problems::new();
    let name = text(&mut problems, "name", input.name.as_deref(), 60).unwrap_or(r.name.clone());
    let points = input.points.unwrap_or(r.points);
    let active = input.active.unwrap_or(r.active);
    let change = input.stock_change.unwrap_or(0);
    let reason = text(&mut problems, "reason", input.reason.as_deref(), 200).unwrap_or_else(|| {
        if change > 0 {
            "入库".into()
        } else {
            "报损".into()
        }
    });
    if !(1..=MAX_AMOUNT).contains(&points) {
        problems.push(price_problem());
    }
    if change.abs() > MAX_AMOUNT {
        problems.push(Problem::new(
            "stock_change",
            "一次调整不超过1000000",
            "one change is at most 1000000 either way",
        ));
    }
    if !problems.is_empty() {
        return Err(Error::invalid(problems));
    }
    let record = caller.record("update", "reward", id, &format!("{name} stock {change:+}"));
    rewards::update(&app.db.pool, id, &name, points, active, change, &reason, caller.user_id, &record)
        .await
        .map_err(shop_conflict)?;
    rewards::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)
}

/// Stock put in, handed out and written off, against the stock on the shelf.
pub async fn reconciliation(app: &App, caller: &Caller, id: i64) -> Result<Reconciliation> {
    let r = reward(app, caller, id).await?;
    caller.ensure(caller.role.reads_roster())?;
    Ok(rewards::reconcile(&app.db.pool, r.id).await?)
}

// ---------------------------------------------------------------- redemptions

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Redeem {
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub volunteer_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub reward_id: Option<i64>,
    /// 1–100, default 1.
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub quantity: Option<i64>,
}

/// Spends a volunteer's points on a reward of their town's shop: the
/// volunteer for themselves, or staff in scope at the counter.
pub async fn redeem(app: &App, caller: &Caller, input: Redeem) -> Result<Redemption> {
    let mut problems = Problems::new();
    let volunteer_id = required(&mut problems, "volunteer_id", input.volunteer_id);
    let reward_id = required(&mut problems, "reward_id", input.reward_id);
    let quantity = input.quantity.unwrap_or(1);
    if !(1..=100).contains(&quantity) {
        problems.push(Problem::new("quantity", "数量应在1到100之间", "quantity must be between 1 and 100"));
    }
    let (Some(volunteer_id), Some(reward_id)) = (volunteer_id, reward_id) else {
        return Err(Error::invalid(problems));
    };
    if !problems.is_empty() {
        return Err(Error::invalid(problems));
    }
    let v = visible_volunteer(app, caller, volunteer_id).await?;
    caller.ensure(caller.volunteer_id == Some(volunteer_id) || caller.role.manages_roster())?;
    let r = reward(app, caller, reward_id)
        .await
        .map_err(|_| Error::field(Problem::new("reward_id", "找不到该商品", "No such reward")))?;
    if !v.region_path.starts_with(&r.region_path) {
        return Err(Error::field(Problem::new(
            "reward_id",
            "不是本乡镇爱心超市的商品",
            "This reward belongs to another town's shop",
        )));
    }
    let record = caller.record("redeem", "volunteer", volunteer_id, &format!("{} x{}", r.name, quantity));
    rewards::redeem(&app.db.pool, volunteer_id, reward_id, quantity, caller.user_id, &record)
        .await
        .map_err(shop_conflict)
}

/// Redemptions of one volunteer (whom the caller may see) or of one reward
/// (for staff of its shop).
pub async fn redemptions(
    app: &App,
    caller: &Caller,
    volunteer_id: Option<&str>,
    reward_id: Option<&str>,
) -> Result<Vec<Redemption>> {
    let vid = query_int("volunteer_id", volunteer_id)?;
    let rid = query_int("reward_id", reward_id)?;
    match (vid, rid) {
        (Some(v), _) => {
            visible_volunteer(app, caller, v).await?;
        }
        (None, Some(r)) => {
            let r = reward(app, caller, r).await?;
            caller.ensure(caller.role.manages_roster() && caller.covers(&r.region_path))?;
        }
        (None, None) => {
            return Err(Error::field(Problem::new(
                "volunteer_id",
                "请指定志愿者或商品",
                "Give a volunteer_id or a reward_id",
            )));
        }
    }
    Ok(rewards::redemptions(&app.db.pool, vid, rid).await?)
}

/// What the shop page shows a caller: the rewards (with their reconciliation
/// for staff), and for a volunteer their balance, redemptions and latest entries.
pub struct Shop {
    pub rewards: Vec<(Reward, Option<Reconciliation>)>,
    pub balance: Option<i64>,
    pub mine: Vec<Redemption>,
    /// The latest 30 entries of the caller's own ledger, newest first.
    pub entries: Vec<PointsEntry>,
    /// Where a new reward goes by default: the first region of the caller's scope.
    pub region_id: i64,
}

pub async fn shop(app: &App, caller: &Caller) -> Result<Shop> {
    let list = rewards::list_around(&app.db.pool, caller.scope_path()).await?;
    let mut with_rec = Vec::new();
    for r in list {
        let rec = if caller.role.manages_roster() { Some(rewards::reconcile(&app.db.pool, r.id).await?) } else { None };
        with_rec.push((r, rec));
    }
    let (balance, mine, entries) = match caller.volunteer_id {
        Some(v) => (
            Some(ledger::balance(&app.db.pool, v).await?),
            rewards::redemptions(&app.db.pool, Some(v), None).await?,
            ledger::entries(&app.db.pool, v).await?.into_iter().rev().take(30).collect(),
        ),
        None => (None, vec![], vec![]),
    };
    let region_id = super::regions::home_region(app, caller).await?.map(|r| r.id).unwrap_or(0);
    Ok(Shop { rewards: with_rec, balance, mine, entries, region_id })
}

// ---------------------------------------------------------------- evaluations

/// A leader's or staff member's evaluation of a volunteer for a period.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Evaluate {
    /// Starts with the year: 2026, 2026-H1, 2026-Q3.
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub period: Option<String>,
    /// 1–5.
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub score: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub comment: Option<String>,
}

/// Files an evaluation; nobody evaluates themselves. Answers all of the
/// volunteer's evaluations, newest first.
pub async fn evaluate(app: &App, caller: &Caller, volunteer_id: i64, input: Evaluate) -> Result<Vec<Evaluation>> {
    let v = visible_volunteer(app, caller, volunteer_id).await?;
    caller.ensure(
        matches!(caller.role, Role::Admin | Role::TownStaff | Role::TeamLeader) && caller.covers(&v.region_path),
    )?;
    caller.ensure(caller.volunteer_id != Some(volunteer_id))?;
    let mut problems = Problems::new();
    let period = required_text(&mut problems, "period", input.period.as_deref(), 20);
    let score = required(&mut problems, "score", input.score);
    let comment = text(&mut problems, "comment", input.comment.as_deref(), 500);
    if score.is_some_and(|s| !(1..=5).contains(&s)) {
        problems.push(Problem::new("score", "评分应为1到5", "score must be 1 to 5"));
    }
    if let Some(Err(p)) = period.as_deref().map(period_kind) {
        problems.push(p);
    }
    let (Some(period), Some(score)) = (period, score) else { return Err(Error::invalid(problems)) };
    if !problems.is_empty() {
        return Err(Error::invalid(problems));
    }
    let record = caller.record("evaluate", "volunteer", volunteer_id, &format!("{period} {score}"));
    evaluations::add(
        &app.db.pool,
        volunteer_id,
        &period,
        score,
        comment.as_deref(),
        caller.user_id,
        &caller.display_name,
        Some(&record),
    )
    .await?;
    Ok(evaluations::of_volunteer(&app.db.pool, volunteer_id).await?)
}

pub async fn evaluations_of(app: &App, caller: &Caller, volunteer_id: i64) -> Result<Vec<Evaluation>> {
    let v = visible_volunteer(app, caller, volunteer_id).await?;
    Ok(evaluations::of_volunteer(&app.db.pool, v.id).await?)
}

// ---------------------------------------------------------------- the yearly assessment

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

/// A local calendar year as instants: from its first Beijing midnight to the next year's.
fn year_bounds(year: i32) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let start = |y: i32| clock::day_start(NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default());
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

fn parse_year(year: Option<&str>) -> Result<i32> {
    match year.filter(|y| !y.is_empty()) {
        None => Ok(clock::today().year()),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| Error::field(Problem::new("year", "年份不正确", "year must be a year such as 2026"))),
    }
}

/// The yearly assessment of a region's volunteers (default: the caller's
/// scope, this year), with teams and villages ranked by their members.
pub async fn assessment(app: &App, caller: &Caller, region_id: Option<&str>, year: Option<&str>) -> Result<Assessment> {
    caller.ensure(caller.role.reads_roster())?;
    let within = list_scope(app, caller, region_id).await?;
    let year = parse_year(year)?;
    let (from, to) = year_bounds(year);
    let rows = evaluations::year_rows(&app.db.pool, &within, from, to, &year.to_string()).await?;
    let rules = settings::rules_for(&app.db.pool, &within).await?;
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
    for (tid, tname, vid) in evaluations::team_members(&app.db.pool, &within).await? {
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

/// The year's leaderboards: volunteers by hours and by points (top 20),
/// teams and villages by hours.
pub async fn leaderboards(
    app: &App,
    caller: &Caller,
    region_id: Option<&str>,
    year: Option<&str>,
) -> Result<Leaderboards> {
    let a = assessment(app, caller, region_id, year).await?;
    let single = |v: &Assessed, points: i64| Ranked {
        name: v.name.clone(),
        volunteers: 1,
        hours: v.hours,
        points,
        average_score: v.score,
    };
    let (from, to) = year_bounds(a.year);
    let within = list_scope(app, caller, region_id).await?;
    let rows = evaluations::year_rows(&app.db.pool, &within, from, to, &a.year.to_string()).await?;
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

// ---------------------------------------------------------------- the rules page

/// The town whose rules the rules page edits (the caller's town, or the first
/// region of their scope), and the rules in force for it.
pub async fn rules_of_home_town(app: &App, caller: &Caller) -> Result<(super::regions::Region, settings::TownRules)> {
    caller.ensure(caller.role.manages_roster())?;
    let regions = super::regions::in_scope(app, caller, None).await?;
    let town = regions
        .iter()
        .find(|r| r.kind() == crate::domain::region::RegionKind::Town)
        .or(regions.first())
        .cloned()
        .ok_or_else(Error::not_found)?;
    let r = super::regions::rules_for(app, &town.path).await?;
    Ok((town, r))
}
