//! Needs: filing (staff, grid workers, volunteers for themselves, the public), suggestions, dispatch, answers, completion and rating.

use super::{list_scope, query_int, App, Caller, Error, Result};
use crate::domain::account::Role;
use crate::domain::category::is_emergency;
use crate::domain::error_code::ErrorCode;
use crate::domain::matching::{self, NeedSpec, Suggestion, VolunteerIndex};
use crate::domain::needs::{self as rules, Move, NeedDraft, NeedSource, NeedStatus, OfferStatus};
pub use crate::domain::needs::{
    BatchDispatch, Completion, Dispatch, NeedInput, NeedPatch, OfferAnswer, OutcomesInput, Rating, Reason, ServedInput,
};
use crate::domain::region::RegionKind;
use crate::domain::validation::{Problem, Problems};
use crate::domain::volunteer::VolunteerStatus;
use crate::domain::{clock, geo::LatLon};
use crate::store::needs::{self as store, NeedOutcomes, Served};
pub use crate::store::needs::{Need, Offer};
use crate::store::notifications::{self, To};
use crate::store::{accounts, regions as region_store, settings, volunteers as volunteer_store, StoreError};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::net::IpAddr;
use utoipa::ToSchema;

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

/// The workflow's refusals in the contract's words.
fn workflow_error(e: StoreError) -> Error {
    match e {
        StoreError::Conflict(ErrorCode::NeedFull) => {
            Error::conflict(ErrorCode::NeedFull, "所需人数已满", "Enough volunteers have already accepted")
        }
        StoreError::Conflict(ErrorCode::NotOffered) => {
            Error::conflict(ErrorCode::NotOffered, "没有待回复的派单", "There is no open offer for this volunteer")
        }
        StoreError::Conflict(ErrorCode::NotAccepted) => Error::field(Problem::new(
            "service",
            "服务明细中有未接单的志愿者",
            "Only volunteers who accepted can be recorded as serving",
        )),
        StoreError::Conflict(_) => {
            Error::conflict(ErrorCode::InvalidState, "当前状态不允许此操作", "Not allowed in the need's current state")
        }
        other => other.into(),
    }
}

/// Tells each volunteer offered a need, in their inbox and by the senders.
async fn offer_notice(app: &App, n: &Need, ids: &[i64]) -> Result<()> {
    let to: Vec<To> = ids.iter().map(|v| To::Volunteer(*v)).collect();
    let body = format!("{}，请在手机上接单或回复不能参加", n.place.clone().unwrap_or_default());
    notifications::notify(
        &app.db.pool,
        &to,
        "offer",
        &format!("新派单：{}", n.title),
        &body,
        &format!("/needs/{}", n.id),
    )
    .await?;
    Ok(())
}

async fn reload(app: &App, id: i64) -> Result<Need> {
    store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)
}

fn spec(n: &Need) -> NeedSpec {
    NeedSpec {
        pos: match (n.lat, n.lon) {
            (Some(lat), Some(lon)) => Some(LatLon { lat, lon }),
            _ => None,
        },
        required_skills: n.required_skills.clone(),
        volunteers_needed: n.volunteers_needed as u32,
    }
}

/// Whether the caller runs this need: station staff and team leaders in its region.
pub fn manages(caller: &Caller, n: &Need) -> bool {
    matches!(caller.role, Role::Admin | Role::TownStaff | Role::TeamLeader) && caller.covers(&n.region_path)
}

fn manage(caller: &Caller, n: &Need) -> Result<()> {
    caller.ensure(manages(caller, n))
}

/// The needs in a region subtree (the caller's scope by default), newest first,
/// optionally of one status; a status that is none of the workflow's matches nothing.
pub async fn list(
    app: &App,
    caller: &Caller,
    region_id: Option<&str>,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<Need>> {
    caller.ensure(caller.role != Role::Volunteer)?;
    let within = list_scope(app, caller, region_id).await?;
    let status = match status.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match NeedStatus::parse(s) {
            Some(s) => Some(s),
            None => return Ok(vec![]),
        },
    };
    Ok(store::list(&app.db.pool, &within, status, limit).await?)
}

/// One page of the needs list in the caller's scope, with the number overdue
/// in the whole scope (not just on this page).
pub async fn page_of(
    app: &App,
    caller: &Caller,
    status: Option<&str>,
    words: &str,
    page: i64,
    per_page: i64,
) -> Result<(Vec<Need>, bool, i64)> {
    caller.ensure(caller.role != Role::Volunteer)?;
    let status = status.map(str::trim).filter(|s| !s.is_empty()).and_then(NeedStatus::parse);
    let within = caller.scope_path().to_string();
    let (rows, more) =
        store::search(&app.db.pool, &within, status, words, per_page, (page.max(1) - 1) * per_page).await?;
    let overdue = store::count_overdue(&app.db.pool, &within).await?;
    Ok((rows, more, overdue))
}

/// A need the caller may see: in scope, or offered to them.
pub async fn visible(app: &App, caller: &Caller, id: i64) -> Result<Need> {
    let n = store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    if caller.role != Role::Volunteer && caller.covers(&n.region_path) {
        return Ok(n);
    }
    if let Some(v) = caller.volunteer_id {
        if store::offers(&app.db.pool, id).await?.iter().any(|o| o.volunteer_id == v) {
            return Ok(n);
        }
    }
    Err(Error::forbidden())
}

/// A need as its own page shows it: staff in scope read the requester's phone
/// in full, and so do the volunteers who took it on, until it is done (they
/// must be able to call); every such view is audited first.
pub async fn show(app: &App, caller: &Caller, id: i64) -> Result<Need> {
    let mut n = visible(app, caller, id).await?;
    let staff = caller.role.sees_personal_data() && caller.covers(&n.region_path);
    let taken_on = n.status.is_open() && my_offer(app, caller, id).await? == Some(OfferStatus::Accepted);
    if staff || taken_on {
        if let Some(sealed) = n.requester_phone_sealed.clone() {
            caller.audit_view(app, "need", &id.to_string(), "requester_phone").await?;
            n.requester_phone = app.db.vault.open(&sealed);
        }
    }
    Ok(n)
}

/// Files a need. Volunteers ask for help for themselves, in their own village.
pub async fn create(app: &App, caller: &Caller, mut input: NeedInput) -> Result<Need> {
    let source = match caller.role {
        Role::Admin | Role::TownStaff | Role::TeamLeader => NeedSource::Staff,
        Role::GridWorker => NeedSource::Grid,
        Role::Volunteer => NeedSource::Myself,
    };
    if source == NeedSource::Myself {
        let v = caller.volunteer_id.ok_or_else(Error::forbidden)?;
        let me = volunteer_store::get(&app.db.pool, v).await?.ok_or_else(Error::forbidden)?;
        input.region_id.get_or_insert(me.region_id);
        input.requester_name.get_or_insert(me.name.clone());
        if let Some(phone) = app.db.vault.open(&me.phone_sealed) {
            input.requester_phone.get_or_insert(phone);
        }
    }
    let mut d: NeedDraft = rules::validate(&input, Utc::now()).map_err(Error::invalid)?;
    let region = region_store::get(&app.db.pool, d.region_id)
        .await?
        .ok_or_else(|| Error::field(Problem::about("region_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&region.path)?;
    if d.position.is_none() {
        // no pin on the map: the village's own place, so suggestions still weigh distance
        if let (Some(lat), Some(lon)) = (region.lat, region.lon) {
            d.position = Some(LatLon { lat, lon });
        }
    }
    if d.due_at.is_none() {
        // the town's deadline for this kind of need
        let town_rules = settings::rules_for(&app.db.pool, &region.path).await?;
        d.due_at = Some(town_rules.due_for(&d.category, d.filed_at.unwrap_or_else(Utc::now)));
    }
    let record = caller.record("create", "need", "", &d.title);
    let id = store::create(&app.db.pool, &app.db.vault, &d, source, Some(caller.user_id), Some(&record)).await?;
    store::get(&app.db.pool, id).await?.ok_or_else(Error::internal)
}

/// Changes what a need asks for while nobody has accepted it; what the input
/// leaves out stays as stored (and when it was filed never changes).
pub async fn update(app: &App, caller: &Caller, id: i64, patch: NeedPatch) -> Result<Need> {
    let n = visible(app, caller, id).await?;
    manage(caller, &n)?;
    let current = NeedInput {
        title: Some(n.title.clone()),
        category: Some(n.category.clone()),
        description: n.description.clone(),
        region_id: Some(n.region_id),
        place: n.place.clone(),
        lat: n.lat,
        lon: n.lon,
        required_skills: Some(n.required_skills.clone()),
        volunteers_needed: Some(n.volunteers_needed),
        due_at: n.due_at.map(|d| d.to_rfc3339()),
        filed_at: Some(n.filed_at.to_rfc3339()),
        requester_name: n.requester_name.clone(),
        requester_phone: n.requester_phone_sealed.as_deref().and_then(|s| app.db.vault.open(s)),
    };
    let merged = patch.over(current);
    let d: NeedDraft = rules::validate(&merged, Utc::now()).map_err(Error::invalid)?;
    let region = region_store::get(&app.db.pool, d.region_id)
        .await?
        .ok_or_else(|| Error::field(Problem::about("region_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&region.path)?;
    let record = caller.record("update", "need", id, &d.title);
    store::update(&app.db.pool, &app.db.vault, id, &d, Some(&record)).await.map_err(workflow_error)?;
    reload(app, id).await
}

async fn close(app: &App, caller: &Caller, id: i64, input: Reason, m: Move) -> Result<Need> {
    let n = visible(app, caller, id).await?;
    manage(caller, &n)?;
    let reason = rules::validate_reason(input.reason.as_deref()).map_err(Error::invalid)?;
    let record = caller.record(if m == Move::Reject { "reject" } else { "cancel" }, "need", id, &reason);
    store::close(&app.db.pool, id, m, &reason, Some(&record)).await.map_err(workflow_error)?;
    reload(app, id).await
}

/// Rejects a need that is not the station's to meet, saying why.
pub async fn reject(app: &App, caller: &Caller, id: i64, input: Reason) -> Result<Need> {
    close(app, caller, id, input, Move::Reject).await
}

/// Cancels a need that is no longer wanted, saying why.
pub async fn cancel(app: &App, caller: &Caller, id: i64, input: Reason) -> Result<Need> {
    close(app, caller, id, input, Move::Cancel).await
}

/// Volunteers of the need's town ranked for it (`limit` 1–100, default 10),
/// leaving out whoever already has an offer or accepted.
pub async fn suggestions(app: &App, caller: &Caller, id: i64, limit: Option<&str>) -> Result<Vec<Suggestion>> {
    let n = visible(app, caller, id).await?;
    manage(caller, &n)?;
    let limit = query_int("limit", limit)?.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(Error::field(Problem::about("limit", "应在1到100之间", "must be between 1 and 100")));
    }
    // the town the need is in: its volunteers are the candidates
    let town = region_store::town_of(&app.db.pool, n.region_id).await?;
    let cands = store::candidates(&app.db.pool, &town.path, n.id).await?;
    let offered: Vec<i64> = store::offers(&app.db.pool, n.id)
        .await?
        .iter()
        .filter(|o| o.status.is_live())
        .map(|o| o.volunteer_id)
        .collect();
    let cands = cands.into_iter().filter(|c| !offered.contains(&c.id)).collect();
    Ok(VolunteerIndex::new(cands).suggest(&spec(&n), limit as usize, 100.0))
}

/// Offers a need to volunteers and tells them.
pub async fn dispatch(app: &App, caller: &Caller, id: i64, input: Dispatch) -> Result<Need> {
    let n = visible(app, caller, id).await?;
    manage(caller, &n)?;
    // the state decides first: a closed need is a conflict whatever the body says
    if !rules::allowed(n.status, Move::Dispatch, n.accepted >= n.volunteers_needed) {
        return Err(workflow_error(StoreError::Conflict(ErrorCode::InvalidState)));
    }
    let ids = input.volunteer_ids.unwrap_or_default();
    rules::validate_dispatch_ids(&ids)?;
    let insurance = input.insurance.unwrap_or(false) || n.insurance;
    rules::check_insurance(&n.category, insurance)?;
    for v in &ids {
        let row = volunteer_store::get(&app.db.pool, *v).await?.ok_or_else(|| {
            Error::field(Problem::about(
                "volunteer_ids",
                &format!("中的{v}不存在"),
                &format!("contain {v}, which does not exist"),
            ))
        })?;
        caller.ensure_covers(&row.region_path)?;
        if row.status != VolunteerStatus::Active {
            return Err(Error::field(Problem::about(
                "volunteer_ids",
                &format!("中的{}不是在册志愿者", row.name),
                &format!("contain {}, who is not active", row.volunteer_no),
            )));
        }
    }
    let record = caller.record("dispatch", "need", id, &format!("{ids:?}"));
    store::dispatch(&app.db.pool, id, &ids, insurance, Some(&record)).await.map_err(workflow_error)?;
    offer_notice(app, &n, &ids).await?;
    reload(app, id).await
}

/// The volunteer answers for themselves; staff may record an answer given by phone.
async fn answering(app: &App, caller: &Caller, n: &Need, volunteer_id: i64) -> Result<()> {
    if caller.volunteer_id == Some(volunteer_id) {
        return Ok(());
    }
    manage(caller, n)?;
    let v = volunteer_store::get(&app.db.pool, volunteer_id).await?.ok_or_else(Error::not_found)?;
    caller.ensure_covers(&v.region_path)
}

fn answer_of(input: &OfferAnswer) -> Result<(i64, Option<String>)> {
    let mut problems = Problems::new();
    let v = rules::required_int("volunteer_id", input.volunteer_id, &mut problems);
    let reason = rules::text("reason", input.reason.as_deref(), 200, &mut problems);
    match v {
        Some(v) => Ok((v, reason)),
        None => Err(Error::invalid(problems)),
    }
}

/// Takes an offer; the first volunteers up to the number needed win.
pub async fn accept(app: &App, caller: &Caller, id: i64, input: OfferAnswer) -> Result<Need> {
    let n = visible(app, caller, id).await?;
    let (v, _) = answer_of(&OfferAnswer { reason: None, ..input })?;
    answering(app, caller, &n, v).await?;
    let record = caller.record("accept", "need", id, &v.to_string());
    store::accept(&app.db.pool, id, v, Some(&record)).await.map_err(workflow_error)?;
    reload(app, id).await
}

/// Turns an offer down, optionally saying why.
pub async fn decline(app: &App, caller: &Caller, id: i64, input: OfferAnswer) -> Result<Need> {
    let n = visible(app, caller, id).await?;
    let (v, reason) = answer_of(&input)?;
    answering(app, caller, &n, v).await?;
    let record = caller.record("decline", "need", id, &v.to_string());
    store::decline(&app.db.pool, id, v, reason.as_deref(), Some(&record)).await.map_err(workflow_error)?;
    reload(app, id).await
}

/// Who was offered a need and how they answered.
pub async fn offers(app: &App, caller: &Caller, id: i64) -> Result<Vec<Offer>> {
    let n = visible(app, caller, id).await?;
    manage(caller, &n)?;
    Ok(store::offers(&app.db.pool, id).await?)
}

/// The caller's own offer of a need, if they have one.
pub async fn my_offer(app: &App, caller: &Caller, id: i64) -> Result<Option<OfferStatus>> {
    let Some(v) = caller.volunteer_id else { return Ok(None) };
    Ok(store::offers(&app.db.pool, id).await?.into_iter().find(|o| o.volunteer_id == v).map(|o| o.status))
}

/// Suggestions with each volunteer's name, for the need's page.
pub async fn named_suggestions(app: &App, caller: &Caller, n: &Need) -> Result<Vec<(Suggestion, String)>> {
    if !manages(caller, n) || !rules::allowed(n.status, Move::Dispatch, n.accepted >= n.volunteers_needed) {
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    for s in suggestions(app, caller, n.id, Some("10")).await? {
        let name = volunteer_store::get(&app.db.pool, s.volunteer_id).await?.map(|v| v.name).unwrap_or_default();
        out.push((s, name));
    }
    Ok(out)
}

/// Completes a need: each volunteer who served gets a service record.
pub async fn complete(app: &App, caller: &Caller, id: i64, input: Completion) -> Result<Need> {
    let n = visible(app, caller, id).await?;
    manage(caller, &n)?;
    let c = rules::validate_completion(&input, Utc::now()).map_err(Error::invalid)?;
    let served: Vec<Served> = c
        .served
        .iter()
        .map(|s| Served { volunteer_id: s.volunteer_id, started_at: s.started_at, ended_at: s.ended_at })
        .collect();
    let outcomes = NeedOutcomes {
        beneficiaries: c.outcomes.beneficiaries,
        households_relocated: c.outcomes.households_relocated,
        persons_relocated: c.outcomes.persons_relocated,
        notes: c.outcomes.notes.clone(),
    };
    let town_rules = settings::rules_at(&app.db.pool, &n.region_path, clock::local_date(c.completed_at)).await?;
    let organiser = crate::domain::region::station_name(&region_store::town_of(&app.db.pool, n.region_id).await?.name);
    let record = caller.record("complete", "need", id, &format!("{} served", served.len()));
    store::complete(
        &app.db.pool,
        &n,
        c.completed_at,
        &served,
        &outcomes,
        &organiser,
        Some(caller.user_id),
        &town_rules,
        clock::today(),
        Some(&record),
    )
    .await
    .map_err(workflow_error)?;
    reload(app, id).await
}

/// Completes a need from its page: everyone who accepted served from `started` to `ended`.
pub async fn complete_all(
    app: &App,
    caller: &Caller,
    id: i64,
    started: Option<String>,
    ended: Option<String>,
    beneficiaries: Option<i64>,
) -> Result<Need> {
    let n = visible(app, caller, id).await?;
    manage(caller, &n)?;
    let service = store::offers(&app.db.pool, id)
        .await?
        .iter()
        .filter(|o| o.status == OfferStatus::Accepted)
        .map(|o| ServedInput {
            volunteer_id: Some(o.volunteer_id),
            started_at: started.clone(),
            ended_at: ended.clone(),
        })
        .collect();
    let outcomes = OutcomesInput { beneficiaries: Some(beneficiaries.unwrap_or(0)), ..Default::default() };
    complete(app, caller, id, Completion { completed_at: None, service: Some(service), outcomes: Some(outcomes) }).await
}

/// Staff record how the requester rated a completed need.
pub async fn rate(app: &App, caller: &Caller, id: i64, input: Rating) -> Result<Need> {
    let n = visible(app, caller, id).await?;
    manage(caller, &n)?;
    let (stars, comment) = rules::validate_rating(&input).map_err(Error::invalid)?;
    let record = caller.record("rate", "need", id, &stars.to_string());
    store::rate(&app.db.pool, id, stars, comment.as_deref(), Some(&record)).await.map_err(workflow_error)?;
    reload(app, id).await
}

/// Dispatches many submitted needs at once as one optimal assignment.
pub async fn batch_dispatch(app: &App, caller: &Caller, input: BatchDispatch) -> Result<BatchResult> {
    caller.ensure(matches!(caller.role, Role::Admin | Role::TownStaff))?;
    let wanted = input.need_ids;
    if wanted.as_ref().is_some_and(|w| w.len() > 2000) {
        return Err(Error::field(Problem::new("need_ids", "应为需求编号列表", "need_ids must be a list of need ids")));
    }
    let all = store::list(&app.db.pool, caller.scope_path(), Some(NeedStatus::Submitted), 2000).await?;
    let mut chosen = Vec::new();
    let mut skipped = Vec::new();
    for n in all.into_iter().filter(|n| wanted.as_ref().is_none_or(|w| w.contains(&n.id))) {
        if is_emergency(&n.category) && !n.insurance {
            skipped.push((n.id, "抢险救灾类须先确认意外保险".to_string()));
        } else {
            chosen.push(n);
        }
    }
    let specs: Vec<NeedSpec> = chosen.iter().map(spec).collect();
    let index = VolunteerIndex::new(store::candidates(&app.db.pool, caller.scope_path(), 0).await?);
    let greedy = matching::greedy(&specs, &index, 30);
    let best = matching::assign(&specs, &index, 30);
    let mut dispatched = Vec::new();
    for (n, ids) in chosen.iter().zip(best.assigned.iter()) {
        if ids.is_empty() {
            skipped.push((n.id, "没有符合条件的志愿者".to_string()));
            continue;
        }
        // each need's offers and their record are kept together
        let record = caller.record("batch_dispatch", "need", n.id, &format!("{ids:?}"));
        store::dispatch(&app.db.pool, n.id, ids, n.insurance, Some(&record)).await.map_err(workflow_error)?;
        offer_notice(app, n, ids).await?;
        dispatched.push(BatchLine { need_id: n.id, volunteer_ids: ids.clone() });
    }
    Ok(BatchResult { dispatched, skipped, total_cost: best.total_cost, greedy_cost: greedy.total_cost })
}

/// Open needs past their deadline in the caller's scope: escalated on the dashboard.
pub async fn overdue_count(app: &App, caller: &Caller) -> Result<i64> {
    Ok(store::count_overdue(&app.db.pool, caller.scope_path()).await?)
}

// ---- the public form ----

/// Per device: this many needs in ten minutes; per phone: this many an hour.
const PER_CLIENT_10_MIN: i64 = 5;
const PER_PHONE_HOUR: i64 = 3;

/// Kinds of need the public usually brings.
pub const PUBLIC_CATEGORIES: [&str; 6] =
    ["veteran_assistance", "spring_farming", "social_governance", "civilization", "care_visit", "other"];

/// A village the public may file a need in, named with its town.
pub struct Village {
    pub id: i64,
    pub label: String,
}

/// Every village, for the public form's picker.
pub async fn public_villages(app: &App) -> Result<Vec<Village>> {
    let regions = region_store::list(&app.db.pool, None, None).await?;
    let mut villages: Vec<Village> = regions
        .iter()
        .filter(|r| r.kind() == RegionKind::Village)
        .map(|v| {
            let town = regions.iter().find(|t| Some(t.id) == v.parent_id).map(|t| t.name.as_str()).unwrap_or("");
            Village { id: v.id, label: format!("{town} {}", v.name) }
        })
        .collect();
    // by town, then village: a list a resident can scan for his own
    villages.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(villages)
}

/// Why the public form did not file a need.
pub enum PublicRefusal {
    /// No phone number to call back.
    NoPhone,
    /// Not one of the kinds the public may file.
    Category,
    Invalid(Problems),
    /// Not a village.
    Village,
    /// Too many from this device or for this phone lately.
    TooMany,
}

/// Files a need from the public form and returns its follow link's token.
pub async fn file_public(
    app: &App,
    client: IpAddr,
    input: NeedInput,
) -> Result<std::result::Result<String, PublicRefusal>> {
    if input.requester_phone.as_deref().is_none_or(|p| p.trim().is_empty()) {
        return Ok(Err(PublicRefusal::NoPhone));
    }
    let now = Utc::now();
    let mut draft = match rules::validate(&input, now) {
        Ok(d) if PUBLIC_CATEGORIES.contains(&d.category.as_str()) => d,
        Ok(_) => return Ok(Err(PublicRefusal::Category)),
        Err(p) => return Ok(Err(PublicRefusal::Invalid(p))),
    };
    let region = match region_store::get(&app.db.pool, draft.region_id).await {
        Ok(Some(r)) if r.kind() == RegionKind::Village => r,
        _ => return Ok(Err(PublicRefusal::Village)),
    };
    let client = app.db.vault.blind(&format!("client:{client}"));
    let phone = draft.requester_phone.as_ref().map(|p| app.db.vault.blind(p.as_str())).unwrap_or_default();
    let (by_client, _) =
        crate::store::public_submissions::counts_since(&app.db.pool, &client, &phone, now - Duration::minutes(10))
            .await
            .unwrap_or((i64::MAX, 0));
    let (_, by_phone) =
        crate::store::public_submissions::counts_since(&app.db.pool, &client, &phone, now - Duration::hours(1))
            .await
            .unwrap_or((0, i64::MAX));
    if by_client >= PER_CLIENT_10_MIN || by_phone >= PER_PHONE_HOUR {
        return Ok(Err(PublicRefusal::TooMany));
    }
    if let Ok(town_rules) = settings::rules_for(&app.db.pool, &region.path).await {
        draft.due_at = Some(town_rules.due_for(&draft.category, now));
    }
    let token = accounts::random_token();
    store::create_public(&app.db.pool, &app.db.vault, &draft, &client, &token).await?;
    Ok(Ok(token))
}

/// A need by its follow link.
pub async fn followed(app: &App, token: &str) -> Result<Need> {
    store::by_follow_token(&app.db.pool, token).await?.ok_or_else(Error::not_found)
}

/// Why the requester's rating was not taken.
pub enum PublicRatingRefusal {
    /// Not 1 to 5 stars.
    Stars,
    /// Not completed yet, or rated already.
    NotNow,
}

/// The requester rates the service from their follow link.
pub async fn rate_public(
    app: &App,
    token: &str,
    stars: Option<&str>,
    comment: Option<&str>,
) -> Result<std::result::Result<(), PublicRatingRefusal>> {
    let n = followed(app, token).await?;
    let stars = stars.and_then(|s| s.parse::<i64>().ok()).filter(|s| (1..=5).contains(s));
    let Some(stars) = stars else { return Ok(Err(PublicRatingRefusal::Stars)) };
    let comment = comment.map(str::trim).filter(|c| !c.is_empty()).map(|c| c.chars().take(500).collect::<String>());
    match store::rate(&app.db.pool, n.id, stars, comment.as_deref(), None).await {
        Ok(()) => Ok(Ok(())),
        Err(StoreError::Conflict(_)) => Ok(Err(PublicRatingRefusal::NotNow)),
        Err(e) => Err(e.into()),
    }
}

/// When a need's page offers to record service by default: the last two hours, as the inputs show them.
pub fn default_service_span(now: DateTime<Utc>) -> (String, String) {
    (clock::input_value(now - Duration::hours(2)), clock::input_value(now))
}
