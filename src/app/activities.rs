//! Activities: organising them, sign-ups and the waiting list, closing, and
//! what they reached.

use super::{list_scope, App, Caller, Error, Result};
use crate::domain::account::Role;
use crate::domain::activity::{self, ActivityDraft};
use crate::domain::error_code::ErrorCode;
use crate::domain::validation::Problem;
use crate::domain::volunteer::VolunteerStatus;
use crate::store::activities as store;
use crate::store::StoreError;
use crate::store::{
    evaluations, regions as region_store, settings, teams as team_store, volunteers as volunteer_store,
};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::domain::activity::{ActivityInput, ActivityPatch, ActivityStatus, SheetSignup, SignupStatus};
pub use crate::domain::service::OutcomesInput;
pub use crate::store::activities::{Activity, ActivitySearch, SheetLine, SignupOutcome};

/// Activities in the caller's scope or the region asked for, soonest last;
/// `upcoming` keeps the open ones that have not ended.
pub async fn list(app: &App, caller: &Caller, region_id: Option<&str>, upcoming: bool) -> Result<Vec<Activity>> {
    let within = list_scope(app, caller, region_id).await?;
    Ok(store::list(&app.db.pool, &within, upcoming, 500).await?)
}

/// The activities a page lists: the caller's whole scope, newest first.
pub async fn in_scope(app: &App, caller: &Caller, limit: i64) -> Result<Vec<Activity>> {
    Ok(store::list(&app.db.pool, caller.scope_path(), false, limit).await?)
}

/// One page of the activities list: the caller's whole scope, newest first,
/// searched and filtered; answers whether another page follows.
pub async fn page_of(
    app: &App,
    caller: &Caller,
    search: &ActivitySearch,
    page: i64,
    per_page: i64,
) -> Result<(Vec<Activity>, bool)> {
    let page = page.max(1);
    Ok(store::search(&app.db.pool, caller.scope_path(), search, per_page, (page - 1) * per_page).await?)
}

/// An activity the caller may see. Everyone who serves as a volunteer (team
/// leaders too) sees those of their own town and above, so they can sign up
/// for town-wide events offered on their own page.
pub async fn visible(app: &App, caller: &Caller, id: i64) -> Result<Activity> {
    let a = store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    if caller.covers(&a.region_path)
        || (caller.volunteer_id.is_some() && caller.scope_path().starts_with(&a.region_path))
    {
        Ok(a)
    } else {
        Err(Error::forbidden())
    }
}

/// Staff run every activity in scope; a team leader runs their own team's.
pub fn may_run(caller: &Caller, a: &Activity, leader_of: Option<i64>) -> bool {
    (caller.role.manages_roster() && caller.covers(&a.region_path))
        || (caller.role == Role::TeamLeader
            && caller.covers(&a.region_path)
            && leader_of.is_some()
            && a.team_id == leader_of)
}

/// Whether the caller runs this activity (records attendance, closes it).
pub async fn runs(app: &App, caller: &Caller, a: &Activity) -> Result<bool> {
    let led = team_led_by(app, caller).await?;
    Ok(may_run(caller, a, led))
}

/// The team the caller leads, if any: a team leader's account names their volunteer.
pub async fn team_led_by(app: &App, caller: &Caller) -> Result<Option<i64>> {
    let Some(v) = caller.volunteer_id else { return Ok(None) };
    let teams = team_store::list(&app.db.pool, caller.scope_path(), None).await?;
    Ok(teams.into_iter().find(|t| t.leader_id == Some(v)).map(|t| t.id))
}

/// What the form to organise an activity offers the caller: the teams they
/// may organise for, and whether they may organise at all.
pub struct Organising {
    pub teams: Vec<(i64, String)>,
    pub may_create: bool,
    /// Where a new activity is filed by default.
    pub region_id: i64,
}

pub async fn organising(app: &App, caller: &Caller) -> Result<Organising> {
    let led = team_led_by(app, caller).await?;
    let teams = team_store::list(&app.db.pool, caller.scope_path(), None)
        .await?
        .into_iter()
        .filter(|t| caller.role.manages_roster() || Some(t.id) == led)
        .map(|t| (t.id, t.name))
        .collect();
    let region_id = super::regions::home_region(app, caller).await?.map(|r| r.id).unwrap_or(0);
    Ok(Organising { teams, may_create: caller.role.manages_roster() || led.is_some(), region_id })
}

async fn draft(app: &App, caller: &Caller, input: &ActivityInput) -> Result<(ActivityDraft, String, Option<String>)> {
    let d = activity::validate(input).map_err(Error::invalid)?;
    let region = region_store::get(&app.db.pool, d.region_id)
        .await?
        .ok_or_else(|| Error::field(Problem::about("region_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&region.path)?;
    let (organiser, in_charge) = match d.team_id {
        Some(t) => {
            let team = team_store::get(&app.db.pool, t)
                .await?
                .ok_or_else(|| Error::field(Problem::about("team_id", "不存在", "does not exist")))?;
            if !team.region_path.starts_with(&region.path) && !region.path.starts_with(&team.region_path) {
                return Err(Error::field(Problem::about("team_id", "不属于该区域", "does not belong to the region")));
            }
            let leader = match team.leader_id {
                Some(l) => volunteer_store::get(&app.db.pool, l).await?.map(|v| v.name),
                None => None,
            };
            (team.name, leader)
        }
        None => {
            (crate::domain::region::station_name(&region_store::town_of(&app.db.pool, region.id).await?.name), None)
        }
    };
    if caller.role == Role::TeamLeader {
        let led = team_led_by(app, caller).await?;
        caller.ensure(led.is_some() && d.team_id == led)?;
    } else {
        caller.ensure(caller.role.manages_roster())?;
    }
    Ok((d, organiser, in_charge))
}

/// Organises an activity: staff for anyone in scope, a leader for their own team.
pub async fn create(app: &App, caller: &Caller, input: ActivityInput) -> Result<Activity> {
    let (d, organiser, in_charge) = draft(app, caller, &input).await?;
    let record = caller.record("create", "activity", "", &d.title);
    let id = store::create_audited(&app.db.pool, &d, &organiser, in_charge.as_deref(), Some(&record)).await?;
    store::get(&app.db.pool, id).await?.ok_or_else(Error::internal)
}

fn closed_to_changes() -> Error {
    Error::conflict(ErrorCode::ActivityNotOpen, "活动已结束或取消，不能修改", "The activity is closed or cancelled")
}

/// What is stored, as an input, for a change to be laid over.
fn as_input(a: &Activity) -> ActivityInput {
    ActivityInput {
        title: Some(a.title.clone()),
        category: Some(a.category.clone()),
        team_id: a.team_id,
        region_id: Some(a.region_id),
        starts_at: Some(a.starts_at.to_rfc3339()),
        ends_at: Some(a.ends_at.to_rfc3339()),
        place: a.place.clone(),
        lat: a.lat,
        lon: a.lon,
        capacity: Some(a.capacity),
        description: a.description.clone(),
    }
}

/// Changes an open activity; the fields given override what is stored.
pub async fn update(app: &App, caller: &Caller, id: i64, patch: ActivityPatch) -> Result<Activity> {
    let a = visible(app, caller, id).await?;
    caller.ensure(runs(app, caller, &a).await?)?;
    if !a.status.is_open() {
        return Err(closed_to_changes());
    }
    let merged = patch.over(as_input(&a));
    let (d, _, _) = draft(app, caller, &merged).await?;
    // the capacity and the status are checked again under the sign-ups' lock
    let record = caller.record("update", "activity", id, &d.title);
    store::update(&app.db.pool, id, &d, &record).await.map_err(|e| match e {
        StoreError::Conflict(ErrorCode::ActivityNotOpen) => closed_to_changes(),
        other => other.into(),
    })?;
    store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SignupRequest {
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub volunteer_id: Option<i64>,
}

/// Volunteers sign themselves up; staff and the team's leader may sign up
/// anyone of their scope.
async fn may_act_for(app: &App, caller: &Caller, a: &Activity, volunteer_id: i64) -> Result<()> {
    if caller.volunteer_id == Some(volunteer_id) {
        return Ok(());
    }
    caller.ensure(runs(app, caller, a).await?)?;
    let v = volunteer_store::get(&app.db.pool, volunteer_id)
        .await?
        .ok_or_else(|| Error::field(Problem::about("volunteer_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&v.region_path)
}

fn signup_conflict(e: StoreError) -> Error {
    match e {
        StoreError::Conflict(ErrorCode::AlreadySignedUp) => {
            Error::conflict(ErrorCode::AlreadySignedUp, "已经报过名了", "Already signed up for this activity")
        }
        StoreError::Conflict(ErrorCode::ActivityNotOpen) => Error::conflict(
            ErrorCode::ActivityNotOpen,
            "活动已结束或已取消，不能报名",
            "The activity is over or cancelled",
        ),
        other => other.into(),
    }
}

/// Signs a volunteer up: a place while there is one, else the waiting list.
pub async fn sign_up(app: &App, caller: &Caller, id: i64, input: SignupRequest) -> Result<SignupOutcome> {
    let a = visible(app, caller, id).await?;
    let Some(volunteer_id) = input.volunteer_id else {
        return Err(Error::field(Problem::required("volunteer_id")));
    };
    may_act_for(app, caller, &a, volunteer_id).await?;
    let v = volunteer_store::get(&app.db.pool, volunteer_id)
        .await?
        .ok_or_else(|| Error::field(Problem::about("volunteer_id", "不存在", "does not exist")))?;
    if v.status != VolunteerStatus::Active {
        return Err(Error::field(Problem::about("volunteer_id", "不是在册志愿者", "is not an active volunteer")));
    }
    // Signed up but absent too often: the town's rule may pause new sign-ups for a while.
    let rules = settings::rules_for(&app.db.pool, &v.region_path).await?;
    if rules.no_show.limit > 0 {
        let since = Utc::now() - Duration::days(rules.no_show.window_days);
        let (count, last) = evaluations::no_shows(&app.db.pool, volunteer_id, since).await?;
        if count >= rules.no_show.limit
            && last.is_some_and(|l| l + Duration::days(rules.no_show.block_days) > Utc::now())
        {
            return Err(Error::conflict(
                ErrorCode::BlockedForNoShows,
                format!(
                    "近{}天内报名后缺席{}次，暂停报名{}天",
                    rules.no_show.window_days, count, rules.no_show.block_days
                ),
                format!(
                    "{count} no-shows in {} days: sign-ups are paused for {} days",
                    rules.no_show.window_days, rules.no_show.block_days
                ),
            ));
        }
    }
    // the store adds the outcome (signed_up or waiting) to the record's detail
    let record = caller.record("sign_up", "activity", id, &v.volunteer_no);
    store::sign_up_audited(&app.db.pool, id, volunteer_id, Some(&record)).await.map_err(signup_conflict)
}

/// The caller's own sign-up for the caller's own sign-up button (only the caller's own volunteer).
pub async fn sign_up_myself(app: &App, caller: &Caller, id: i64) -> Result<SignupOutcome> {
    let v = caller.volunteer_id.ok_or_else(Error::forbidden)?;
    sign_up(app, caller, id, SignupRequest { volunteer_id: Some(v) }).await
}

#[derive(Serialize, ToSchema)]
pub struct Cancelled {
    /// The volunteer who moved up from the waiting list, if anyone did.
    pub promoted: Option<i64>,
}

/// Cancels a sign-up; a freed place goes to the first on the waiting list.
pub async fn cancel(app: &App, caller: &Caller, id: i64, volunteer_id: i64) -> Result<Cancelled> {
    let a = visible(app, caller, id).await?;
    may_act_for(app, caller, &a, volunteer_id).await?;
    let record = caller.record("cancel_signup", "activity", id, &volunteer_id.to_string());
    let promoted = store::cancel(&app.db.pool, id, volunteer_id, &record).await.map_err(signup_conflict)?;
    Ok(Cancelled { promoted })
}

/// The caller's sign-up status and place on the waiting list, if the caller is a volunteer.
pub async fn my_signup(app: &App, caller: &Caller, a: &Activity) -> Result<(Option<SignupStatus>, Option<i64>)> {
    match caller.volunteer_id {
        Some(v) => Ok((
            store::signup_status(&app.db.pool, a.id, v).await?,
            store::waiting_position(&app.db.pool, a.id, v).await?,
        )),
        None => Ok((None, None)),
    }
}

#[derive(Serialize, ToSchema)]
pub struct Closed {
    pub service_records: usize,
    /// Check-outs the volunteers forgot, set to the activity's end for the leader to confirm.
    pub closed_by_system: usize,
}

/// Closes an activity: every attendance becomes a service record.
pub async fn close(app: &App, caller: &Caller, id: i64) -> Result<Closed> {
    let a = visible(app, caller, id).await?;
    caller.ensure(runs(app, caller, &a).await?)?;
    let rules = settings::rules_at(&app.db.pool, &a.region_path, crate::domain::clock::local_date(a.starts_at)).await?;
    // the store sets the record's detail to the number of records made
    let record = caller.record("close", "activity", id, "");
    let (made, auto) = store::close_audited(
        &app.db.pool,
        &a,
        Some(caller.user_id),
        &rules,
        crate::domain::clock::today(),
        Some(&record),
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => {
            Error::conflict(ErrorCode::ActivityNotOpen, "活动已经结束", "The activity is already closed")
        }
        other => other.into(),
    })?;
    Ok(Closed { service_records: made, closed_by_system: auto })
}

/// Records what an activity reached: people served, audience, relocations.
pub async fn set_outcomes(app: &App, caller: &Caller, id: i64, input: OutcomesInput) -> Result<Activity> {
    let a = visible(app, caller, id).await?;
    caller.ensure(runs(app, caller, &a).await?)?;
    let o = crate::domain::service::validate_outcomes(&input).map_err(Error::invalid)?;
    let record = caller.record("outcomes", "activity", id, "");
    store::set_outcomes_audited(&app.db.pool, id, &o, Some(&record)).await?;
    store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)
}
