//! Emergency mobilisation: floods, fires, epidemics — call every active
//! volunteer with the skills inside a radius and count who comes.

use super::{list_scope, App, Caller, Error, Result};
use crate::domain::error_code::ErrorCode;
use crate::domain::needs::{self as rules, Answer};
pub use crate::domain::needs::{CallAnswer, MobilizationInput, MobilizationPatch};
use crate::domain::validation::Problem;
use crate::store::mobilizations::{self as store, NewMobilization};
pub use crate::store::mobilizations::{Call, Mobilization};
use crate::store::notifications::{self, To};
use crate::store::{needs as need_store, regions as region_store, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct MobilizationView {
    #[serde(flatten)]
    pub mobilization: Mobilization,
    /// Everyone called, nearest first, with their answer.
    pub calls: Vec<Call>,
}

/// The call-outs in a region subtree (the caller's scope by default).
pub async fn list(app: &App, caller: &Caller, region_id: Option<&str>) -> Result<Vec<Mobilization>> {
    caller.ensure(caller.role.reads_roster())?;
    let within = list_scope(app, caller, region_id).await?;
    Ok(store::list(&app.db.pool, &within).await?)
}

/// A call-out the caller may see: in scope, or one they were called to.
pub async fn visible(app: &App, caller: &Caller, id: i64) -> Result<Mobilization> {
    let m = store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    if caller.role.reads_roster() && caller.covers(&m.region_path) {
        return Ok(m);
    }
    if let Some(v) = caller.volunteer_id {
        if store::calls(&app.db.pool, id).await?.iter().any(|c| c.volunteer_id == v) {
            return Ok(m);
        }
    }
    Err(Error::forbidden())
}

/// A call-out with who was called and who answered.
pub async fn view(app: &App, caller: &Caller, id: i64) -> Result<MobilizationView> {
    let m = visible(app, caller, id).await?;
    let mut calls = store::calls(&app.db.pool, id).await?;
    if !caller.role.reads_roster() {
        // a volunteer sees the headcount, not who else was called
        calls.retain(|c| Some(c.volunteer_id) == caller.volunteer_id);
    }
    Ok(MobilizationView { mobilization: m, calls })
}

/// Calls everyone active with the skills inside the radius, within the
/// caller's scope, and tells them.
pub async fn create(app: &App, caller: &Caller, input: MobilizationInput) -> Result<MobilizationView> {
    caller.ensure(caller.role.manages_roster())?;
    let d = rules::validate_mobilization(&input).map_err(Error::invalid)?;
    let region = match d.region_id {
        Some(id) => region_store::get(&app.db.pool, id)
            .await?
            .ok_or_else(|| Error::field(Problem::about("region_id", "不存在", "does not exist")))?,
        None => region_store::list(&app.db.pool, Some(caller.scope_path()), None)
            .await?
            .into_iter()
            .next()
            .ok_or_else(Error::forbidden)?,
    };
    caller.ensure_covers(&region.path)?;
    let called: Vec<(i64, f64)> = need_store::candidates(&app.db.pool, caller.scope_path(), 0)
        .await?
        .into_iter()
        .filter(|c| c.active && d.required_skills.iter().all(|s| c.skills.contains(s)))
        .filter_map(|c| c.pos.map(|p| (c.id, (p.distance_km(d.pos) * 100.0).round() / 100.0)))
        .filter(|(_, km)| *km <= d.radius_km)
        .collect();
    let record = caller.record("mobilize", "mobilization", "", &format!("{}: {} called", d.title, called.len()));
    let id = store::create(
        &app.db.pool,
        &NewMobilization {
            title: &d.title,
            category: &d.category,
            region_id: region.id,
            lat: d.pos.lat,
            lon: d.pos.lon,
            radius_km: d.radius_km,
            required_skills: &d.required_skills,
            headcount: d.headcount,
            insurance: d.insurance,
            created_by: caller.user_id,
        },
        &called,
        Some(&record),
    )
    .await?;
    let to: Vec<To> = called.iter().map(|(v, _)| To::Volunteer(*v)).collect();
    let link = format!("/mobilizations/{id}");
    notifications::notify(
        &app.db.pool,
        &to,
        "mobilization",
        &format!("紧急召集：{}", d.title),
        "请立即回复能否到场",
        &link,
    )
    .await?;
    view(app, caller, id).await
}

/// Records a yes or no: the volunteer's own, or one given by phone to staff.
pub async fn respond(app: &App, caller: &Caller, id: i64, input: CallAnswer) -> Result<MobilizationView> {
    let m = visible(app, caller, id).await?;
    let (v, answer) = rules::validate_response(&input).map_err(Error::invalid)?;
    caller.ensure(caller.volunteer_id == Some(v) || (caller.role.manages_roster() && caller.covers(&m.region_path)))?;
    let record = caller.record("respond", "mobilization", id, &format!("{v} {answer}"));
    store::answer(&app.db.pool, id, v, answer, Some(&record)).await.map_err(|e| match e {
        StoreError::Conflict(_) => Error::conflict(
            ErrorCode::NotCalled,
            "该志愿者未被召集或召集已结束",
            "This volunteer was not called, or the call-out is over",
        ),
        other => other.into(),
    })?;
    view(app, caller, id).await
}

/// The caller's own answer to a call-out they were called to: `None` when not
/// called, `Some(None)` while they have not answered.
pub fn my_answer(caller: &Caller, v: &MobilizationView) -> Option<Option<Answer>> {
    let me = caller.volunteer_id?;
    v.calls.iter().find(|c| c.volunteer_id == me).map(|c| c.answer)
}

/// Records how many households and people were moved to safety, and opens or closes the call-out.
pub async fn update(app: &App, caller: &Caller, id: i64, patch: MobilizationPatch) -> Result<MobilizationView> {
    let m = visible(app, caller, id).await?;
    caller.ensure(caller.role.manages_roster() && caller.covers(&m.region_path))?;
    let (households, persons, status) =
        rules::validate_mobilization_patch(&patch, m.households_relocated, m.persons_relocated, m.status)
            .map_err(Error::invalid)?;
    let record =
        caller.record("update", "mobilization", id, &format!("{households} households, {persons} persons, {status}"));
    store::update(&app.db.pool, id, households, persons, status, Some(&record)).await?;
    view(app, caller, id).await
}
