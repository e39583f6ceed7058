//! Service records and their corrections, a volunteer's points, trainings and
//! awards, and the town's rules for all of them.

use super::{App, Caller, Error, Result};
use crate::domain::account::Role;
use crate::domain::error_code::ErrorCode;
use crate::domain::service::{
    hours, star_level, valid_thresholds, validate_award, validate_correction, validate_training,
};
use crate::domain::validation::Problem;
use crate::store::service_records as store;
use crate::store::volunteers::{self as volunteer_store, VolunteerRow};
use crate::store::{awards, points, settings, trainings, StoreError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

pub use crate::domain::service::{AwardInput, CorrectionRequest, RecordSource, TrainingInput};
pub use crate::store::awards::Award;
pub use crate::store::points::PointsEntry;
pub use crate::store::service_records::ServiceRecord;
pub use crate::store::settings::TownRules;
pub use crate::store::trainings::Training;

/// A volunteer the caller may see: themselves, or anyone of their scope for
/// those who read the roster.
pub(crate) async fn visible_volunteer(app: &App, caller: &Caller, id: i64) -> Result<VolunteerRow> {
    let v = volunteer_store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    if caller.volunteer_id == Some(id) {
        return Ok(v);
    }
    caller.ensure(caller.role.reads_roster())?;
    caller.ensure_covers(&v.region_path)?;
    Ok(v)
}

/// All records of a volunteer, corrected ones included.
pub async fn of_volunteer(app: &App, caller: &Caller, volunteer_id: i64) -> Result<Vec<ServiceRecord>> {
    let v = visible_volunteer(app, caller, volunteer_id).await?;
    Ok(store::of_volunteer(&app.db.pool, v.id).await?)
}

/// Corrects a record with a new one; the original stays, marked, and stops counting.
pub async fn correct(app: &App, caller: &Caller, id: i64, input: CorrectionRequest) -> Result<ServiceRecord> {
    let original = store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    let v = volunteer_store::get(&app.db.pool, original.volunteer_id).await?.ok_or_else(Error::not_found)?;
    caller.ensure_covers(&v.region_path)?;
    // staff correct anything in their scope; a leader only what their own team ran
    if !caller.role.manages_roster() {
        caller.ensure(caller.role == Role::TeamLeader && original.source == RecordSource::Activity)?;
        let a = crate::store::activities::get(&app.db.pool, original.source_id).await?.ok_or_else(Error::forbidden)?;
        caller.ensure(super::activities::runs(app, caller, &a).await?)?;
    }
    let c = validate_correction(&input).map_err(Error::invalid)?;
    // the rules in force on the day of the service, not today's
    let rules =
        settings::rules_at(&app.db.pool, &v.region_path, crate::domain::clock::local_date(c.started_at)).await?;
    let record = caller.record("correct", "service_record", id, &c.reason);
    store::correct(&app.db.pool, id, c.started_at, c.ended_at, &c.reason, caller.user_id, &rules, &record)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => Error::conflict(
                ErrorCode::AlreadyCorrected,
                "该记录已被更正，请更正最新的一条",
                "This record was already corrected; correct the newest one",
            ),
            other => other.into(),
        })
}

/// Total counting hours and star level of a volunteer, under their town's rules.
pub async fn hours_and_stars(app: &App, volunteer_id: i64, region_path: &str) -> Result<(f64, u8)> {
    let (minutes, _) = store::totals(&app.db.pool, volunteer_id, None).await?;
    let rules = settings::rules_for(&app.db.pool, region_path).await?;
    let h = hours(minutes);
    Ok((h, star_level(h, &rules.star_thresholds)))
}

#[derive(Serialize, ToSchema)]
pub struct PointsView {
    pub balance: i64,
    pub entries: Vec<PointsEntry>,
}

pub async fn points_of(app: &App, caller: &Caller, volunteer_id: i64) -> Result<PointsView> {
    let v = visible_volunteer(app, caller, volunteer_id).await?;
    Ok(PointsView {
        balance: points::balance(&app.db.pool, v.id).await?,
        entries: points::entries(&app.db.pool, v.id).await?,
    })
}

pub async fn trainings_of(app: &App, caller: &Caller, volunteer_id: i64) -> Result<Vec<Training>> {
    let v = visible_volunteer(app, caller, volunteer_id).await?;
    Ok(trainings::of_volunteer(&app.db.pool, v.id).await?)
}

/// Records a training; returns the volunteer's trainings.
pub async fn add_training(
    app: &App,
    caller: &Caller,
    volunteer_id: i64,
    input: TrainingInput,
) -> Result<Vec<Training>> {
    let v = visible_volunteer(app, caller, volunteer_id).await?;
    caller.ensure(caller.role.manages_roster() && caller.covers(&v.region_path))?;
    let t = validate_training(&input).map_err(Error::invalid)?;
    let record = caller.record("add_training", "volunteer", v.id, &t.title);
    trainings::add(&app.db.pool, v.id, &t.title, t.organiser.as_deref(), t.held_on, t.hours, &record).await?;
    Ok(trainings::of_volunteer(&app.db.pool, v.id).await?)
}

pub async fn awards_of(app: &App, caller: &Caller, volunteer_id: i64) -> Result<Vec<Award>> {
    let v = visible_volunteer(app, caller, volunteer_id).await?;
    Ok(awards::of_volunteer(&app.db.pool, v.id).await?)
}

/// Records an award; returns the volunteer's awards.
pub async fn add_award(app: &App, caller: &Caller, volunteer_id: i64, input: AwardInput) -> Result<Vec<Award>> {
    let v = visible_volunteer(app, caller, volunteer_id).await?;
    caller.ensure(caller.role.manages_roster() && caller.covers(&v.region_path))?;
    let a = validate_award(&input).map_err(Error::invalid)?;
    let record = caller.record("add_award", "volunteer", v.id, &a.title);
    awards::add(&app.db.pool, v.id, &a.title, &a.awarded_by, a.awarded_on, &record).await?;
    Ok(awards::of_volunteer(&app.db.pool, v.id).await?)
}

/// The rules in force today for a region the caller may see.
pub async fn rules(app: &App, caller: &Caller, region_id: i64) -> Result<TownRules> {
    let r = super::regions::visible(app, caller, region_id).await?;
    Ok(settings::rules_for(&app.db.pool, &r.path).await?)
}

/// New rules for a town: the rules' own fields (`TownRules`), and the day
/// they apply from.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RulesInput {
    /// YYYY-MM-DD; today unless given. What was booked before stays as it was.
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub effective_from: Option<String>,
    /// Every field of `TownRules`, checked as one (a badly formed set is named `rules`).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub rules: Map<String, Value>,
}

/// Sets a town's rules from a day on; staff only.
pub async fn set_rules(app: &App, caller: &Caller, region_id: i64, input: RulesInput) -> Result<TownRules> {
    let r = super::regions::visible(app, caller, region_id).await?;
    caller.ensure(caller.role.manages_roster())?;
    let effective_from = match input.effective_from {
        None => crate::domain::clock::today(),
        Some(s) => NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| {
            Error::field(Problem::new(
                "effective_from",
                "生效日期应为 YYYY-MM-DD 格式",
                "effective_from must be a date written YYYY-MM-DD",
            ))
        })?,
    };
    let rules: TownRules = serde_json::from_value(Value::Object(input.rules)).map_err(|e| {
        Error::field(Problem::new(
            "rules",
            format!("规则格式不正确：{e}"),
            format!("The rules are not well formed: {e}"),
        ))
    })?;
    check_rules(&rules)?;
    let detail = format!("from {effective_from}: {}", serde_json::to_string(&rules).unwrap_or_default());
    let record = caller.record("set_rules", "region", r.id, &detail);
    settings::set_rules(&app.db.pool, r.id, &rules, effective_from, Some(caller.user_id), &record).await?;
    Ok(rules)
}

fn check_rules(rules: &TownRules) -> Result<()> {
    if rules.need_deadline_days.iter().any(|(k, v)| {
        !(0..=15).contains(v) || (k != "default" && crate::domain::category::category_code(k) != Some(k.as_str()))
    }) {
        return Err(Error::field(Problem::new(
            "need_deadline_days",
            "办结时限应为0到15天，类别须为可选类别",
            "Deadlines must be 0 to 15 days for known categories",
        )));
    }
    if !crate::domain::field::RADIUS_RANGE.contains(&rules.checkin_radius_m) {
        return Err(Error::field(Problem::new(
            "checkin_radius_m",
            "扫码签到距离应为50到5000米",
            "The check-in distance must be 50 to 5000 metres",
        )));
    }
    if !valid_thresholds(&rules.star_thresholds) {
        return Err(Error::field(Problem::new(
            "star_thresholds",
            "星级时长应为递增的正数",
            "Star thresholds must be positive and rising",
        )));
    }
    if !rules.earning.is_sane() {
        return Err(Error::field(Problem::new(
            "earning",
            "积分规则应在合理范围内（每小时0到1000分，类别须为可选类别）",
            "Earning rules must be within bounds (0 to 1000 points an hour, known categories)",
        )));
    }
    let w = &rules.assessment;
    if !(0.0..=1.0).contains(&w.pass_at) || !(0.0..=1.0).contains(&w.excellent_at) || w.pass_at > w.excellent_at {
        return Err(Error::field(Problem::new(
            "assessment",
            "合格线和优秀线应在0到1之间，且合格线不高于优秀线",
            "pass_at and excellent_at must lie in 0..1 with pass_at ≤ excellent_at",
        )));
    }
    Ok(())
}
