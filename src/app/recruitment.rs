//! Recruitment (招募): staff enter applications or the public sends them
//! through `/join`; reviewers fill the checklist, then approve onto a team
//! (the applicant becomes a volunteer) or reject with a reason.

use super::{list_scope, App, Caller, Error, Result};
use crate::domain::error_code::ErrorCode;
use crate::domain::input::de;
use crate::domain::recruitment::{self as rules, Applicant, Reason};
pub use crate::domain::recruitment::{ApplicationSource, ApplicationStatus};
use crate::domain::region::RegionKind;
use crate::domain::validation::{Problem, Problems};
use crate::domain::volunteer::{self, VolunteerDraft};
pub use crate::store::applications::ApplicationRow;
use crate::store::applications::{self as store, PublicOrigin, Review};
use crate::store::regions::{self as region_store, Region};
pub use crate::store::teams::Team;
use crate::store::{teams as team_store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use utoipa::ToSchema;

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
    pub source: ApplicationSource,
    pub status: ApplicationStatus,
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

/// An application as shown, unmasked only when `reveal` (and audited by the caller).
pub fn view(app: &App, a: ApplicationRow, reveal: bool) -> ApplicationView {
    let (id_number, phone) = if reveal {
        (
            app.db.vault.open(&a.id_sealed).unwrap_or_else(|| a.id_masked.clone()),
            app.db.vault.open(&a.phone_sealed).unwrap_or_else(|| a.phone_masked.clone()),
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

fn store_error(e: StoreError) -> Error {
    match e {
        StoreError::Conflict(ErrorCode::ApplicationDecided) => decided(),
        e => e.into(),
    }
}

fn decided() -> Error {
    Error::conflict(
        ErrorCode::ApplicationDecided,
        "该申请已审核完毕，不能再次审核或修改",
        "This application has already been decided",
    )
}

/// The priority score of an applicant, against the skills his village already has.
async fn score(app: &App, d: &VolunteerDraft) -> Result<(i64, String)> {
    let region = region_store::get(&app.db.pool, d.region_id).await?.ok_or_else(Error::not_found)?;
    // an applicant living in a grid belongs to the village above it
    let village = match (region.kind(), region.parent_id) {
        (RegionKind::Grid, Some(parent)) => region_store::get(&app.db.pool, parent).await?.unwrap_or(region),
        _ => region,
    };
    let have = store::skills_within(&app.db.pool, &village.path).await?;
    let applicant = Applicant {
        discharged_on: d.discharged_on,
        honors: &d.honors,
        cadre_role: d.cadre_role.as_deref(),
        skills: &d.skills,
    };
    let (points, reasons) = rules::priority(&applicant, &have, crate::domain::clock::today());
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
fn profile(map: &Map<String, Value>) -> Map<String, Value> {
    let mut m = map.clone();
    m.retain(|k, _| !REVIEW_KEYS.contains(&k.as_str()) && !matches!(k.as_str(), "volunteer_id" | "team_id"));
    m.retain(|k, _| !matches!(k.as_str(), "created_at" | "updated_at" | "reviewed_at"));
    m
}

/// The checklist answers a request gives: absent keeps `current`; true, false,
/// or null / "unknown" for not yet known.
fn checklist(map: &Map<String, Value>, current: [Option<bool>; 3]) -> Result<[Option<bool>; 3]> {
    let mut f = crate::domain::input::Fields::new(map);
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
        Err(Error::invalid(f.problems))
    }
}

/// Applications of a region of the caller's scope, highest priority first,
/// unmasked for those allowed (the list is audited as one view) unless
/// `masked` is asked for.
pub async fn list(
    app: &App,
    caller: &Caller,
    region_id: Option<&str>,
    status: Option<&str>,
    masked: bool,
) -> Result<Vec<ApplicationView>> {
    caller.ensure(caller.role.reads_roster())?;
    let within = list_scope(app, caller, region_id).await?;
    let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(ApplicationStatus::parse(s).ok_or_else(|| {
            Error::field(Problem::new(
                "status",
                "状态应为 pending、approved 或 rejected",
                "status must be pending, approved or rejected",
            ))
        })?),
    };
    let rows = store::list(&app.db.pool, &within, status).await?;
    // as for volunteers: every row lies in the caller's scope, so the role decides
    let reveal = caller.role.sees_personal_data() && !masked;
    if reveal && !rows.is_empty() {
        let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
        caller.audit_view(app, "application_list", &within, &ids.join(",")).await?;
    }
    Ok(rows.into_iter().map(|r| view(app, r, reveal)).collect())
}

async fn visible(app: &App, caller: &Caller, id: i64) -> Result<ApplicationRow> {
    let a = store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    caller.ensure(caller.role.reads_roster())?;
    caller.ensure_covers(&a.region_path)?;
    Ok(a)
}

/// One application, unmasked for those allowed, and then audited.
async fn detail(app: &App, caller: &Caller, id: i64) -> Result<ApplicationView> {
    let a = store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    let reveal = caller.role.sees_personal_data() && caller.covers(&a.region_path);
    if reveal {
        caller.audit_view(app, "application", &a.id.to_string(), "").await?;
    }
    Ok(view(app, a, reveal))
}

pub async fn show(app: &App, caller: &Caller, id: i64) -> Result<ApplicationView> {
    visible(app, caller, id).await?;
    detail(app, caller, id).await
}

/// Staff enter an application: the volunteer fields and optionally the checklist.
pub async fn create(app: &App, caller: &Caller, body: &Map<String, Value>) -> Result<ApplicationView> {
    caller.ensure(caller.role.manages_roster())?;
    // the volunteer's own rules, scope included
    let draft = crate::web::api::volunteers::checked_draft(app, caller, &profile(body)).await?;
    let [political_record, conduct, public_spirit] = checklist(body, [None, None, None])?;
    let (priority_score, reasons_json) = score(app, &draft).await?;
    let review = Review { priority_score, reasons_json: &reasons_json, political_record, conduct, public_spirit };
    let record = caller.record("create", "application", "", "");
    let id = store::create(&app.db.pool, &app.db.vault, &draft, ApplicationSource::Staff, &review, None, Some(&record))
        .await?;
    detail(app, caller, id).await
}

fn as_input(app: &App, a: &ApplicationRow) -> Map<String, Value> {
    let full = view(app, a.clone(), true);
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

/// Changes the checklist and any profile field, only while pending.
pub async fn update(app: &App, caller: &Caller, id: i64, body: &Map<String, Value>) -> Result<ApplicationView> {
    let current = visible(app, caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    if current.status != ApplicationStatus::Pending {
        return Err(decided());
    }
    let mut merged = as_input(app, &current);
    for (k, v) in profile(body) {
        merged.insert(k, v);
    }
    let draft = crate::web::api::volunteers::checked_draft(app, caller, &merged).await?;
    let [political_record, conduct, public_spirit] =
        checklist(body, [current.political_record, current.conduct, current.public_spirit])?;
    let (priority_score, reasons_json) = score(app, &draft).await?;
    let review = Review { priority_score, reasons_json: &reasons_json, political_record, conduct, public_spirit };
    let record = caller.record("update", "application", id, "");
    store::update(&app.db.pool, &app.db.vault, id, &draft, &review, &record).await.map_err(store_error)?;
    detail(app, caller, id).await
}

/// The reviewers' checklist as a page's form gives it: "true", "false", or
/// anything else for not yet known.
pub async fn check(app: &App, caller: &Caller, id: i64, answers: [Option<bool>; 3]) -> Result<ApplicationView> {
    let mut m = Map::new();
    for ((field, _, _), v) in rules::CRITERIA.iter().zip(answers) {
        m.insert(field.to_string(), v.map(Value::Bool).unwrap_or(Value::Null));
    }
    update(app, caller, id, &m).await
}

#[derive(Deserialize, ToSchema, Default, Debug)]
pub struct ApproveInput {
    /// The team the new volunteer joins.
    #[serde(default, deserialize_with = "de::int")]
    pub team_id: Option<i64>,
}

pub async fn approve(app: &App, caller: &Caller, id: i64, input: ApproveInput) -> Result<ApplicationView> {
    visible(app, caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    let team_id = input.team_id.ok_or_else(|| Error::field(Problem::required("team_id")))?;
    let team = team_store::get(&app.db.pool, team_id)
        .await?
        .ok_or_else(|| Error::field(Problem::about("team_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&team.region_path)?;
    let record = caller.record("approve", "application", id, "");
    store::approve(&app.db.pool, id, team_id, caller.user_id, &record).await.map_err(store_error)?;
    detail(app, caller, id).await
}

#[derive(Deserialize, ToSchema, Default, Debug)]
pub struct RejectInput {
    #[serde(default, deserialize_with = "de::text")]
    pub reason: Option<String>,
}

pub async fn reject(app: &App, caller: &Caller, id: i64, input: RejectInput) -> Result<ApplicationView> {
    visible(app, caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    let mut p = Problems::new();
    let reason = crate::domain::care::check::required_text(&mut p, "reason", input.reason.as_deref(), 500)
        .ok_or_else(|| Error::invalid(p))?;
    let record = caller.record("reject", "application", id, "");
    store::reject(&app.db.pool, id, &reason, caller.user_id, &record).await.map_err(store_error)?;
    detail(app, caller, id).await
}

/// What the reviewers' page lists: every application of the caller's scope
/// (masked: the page shows masked numbers only, so it needs no audit entry)
/// and the teams to approve onto.
pub async fn review_board(app: &App, caller: &Caller) -> Result<(Vec<ApplicationView>, Vec<Team>)> {
    caller.ensure(caller.role.reads_roster())?;
    let rows = store::list(&app.db.pool, caller.scope_path(), None).await?;
    let teams = team_store::list(&app.db.pool, caller.scope_path(), None).await?;
    Ok((rows.into_iter().map(|r| view(app, r, false)).collect(), teams))
}

// ---- the public form ----

/// Per device: this many applications in ten minutes; per phone: this many a day.
const PER_CLIENT_10_MIN: i64 = 5;
const PER_PHONE_DAY: i64 = 3;

/// The regions the public form offers (every village of the installation, named with its town).
pub async fn join_regions(app: &App) -> Vec<Region> {
    region_store::list(&app.db.pool, None, None).await.unwrap_or_default()
}

/// Why a public application was not taken.
pub enum JoinRefused {
    /// The form's own problems, to show with the form again.
    Invalid(Problems),
    NotAVillage,
    TooMany,
    Failed(Error),
}

/// A veteran applies without an account. The profile is checked as a
/// volunteer's is, but without a caller's scope (any village will do); a
/// device and a phone may only send so many.
pub async fn join(app: &App, form: &Map<String, Value>, client_ip: &str) -> std::result::Result<(), JoinRefused> {
    let draft = volunteer::validate(&profile(form), crate::domain::clock::today()).map_err(JoinRefused::Invalid)?;
    let village_ok = matches!(region_store::get(&app.db.pool, draft.region_id).await, Ok(Some(r)) if r.kind() == RegionKind::Village);
    if !village_ok {
        return Err(JoinRefused::NotAVillage);
    }
    // kept apart from the needs form's counts by their own prefixes
    let client = app.db.vault.blind(&format!("join-client:{client_ip}"));
    let phone = app.db.vault.blind(&format!("join-phone:{}", draft.phone.as_str()));
    let now = Utc::now();
    let (by_client, _) =
        store::public_since(&app.db.pool, &client, &phone, now - Duration::minutes(10)).await.unwrap_or((i64::MAX, 0));
    let (_, by_phone) =
        store::public_since(&app.db.pool, &client, &phone, now - Duration::days(1)).await.unwrap_or((0, i64::MAX));
    if by_client >= PER_CLIENT_10_MIN || by_phone >= PER_PHONE_DAY {
        return Err(JoinRefused::TooMany);
    }
    let (priority_score, reasons_json) = score(app, &draft).await.map_err(JoinRefused::Failed)?;
    let review = Review {
        priority_score,
        reasons_json: &reasons_json,
        political_record: None,
        conduct: None,
        public_spirit: None,
    };
    let origin = PublicOrigin { client_hash: &client, phone_hash: &phone };
    match store::create(&app.db.pool, &app.db.vault, &draft, ApplicationSource::Public, &review, Some(&origin), None)
        .await
    {
        Ok(_) => Ok(()),
        Err(StoreError::Invalid(p)) => Err(JoinRefused::Invalid(p)),
        Err(e) => Err(JoinRefused::Failed(e.into())),
    }
}
