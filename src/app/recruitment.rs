//! Recruitment (招募): staff enter applications or the public sends them
//! through `/join`; reviewers fill the checklist, then approve onto a team
//! (the applicant becomes a volunteer) or reject with a reason.

use super::volunteers::{self, VolunteerPatch};
use super::{list_scope, App, Caller, Error, Result};
use crate::domain::error_code::ErrorCode;
use crate::domain::input::de;
use crate::domain::recruitment::{self as rules, Applicant, Reason};
pub use crate::domain::recruitment::{ApplicationSource, ApplicationStatus};
use crate::domain::region::RegionKind;
use crate::domain::validation::{Problem, Problems};
use crate::domain::volunteer::{self, VolunteerDraft, VolunteerInput};
pub use crate::store::applications::ApplicationRow;
use crate::store::applications::{self as store, PublicOrigin, Review};
use crate::store::regions::{self as region_store, Region};
pub use crate::store::teams::Team;
use crate::store::{teams as team_store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
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

/// The reviewers' checklist as a request gives it: absent keeps what is
/// stored; true or false; null, blank or `unknown` for not yet known.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct Checklist {
    /// 政治表现: no criminal record, politically reliable.
    #[serde(default, deserialize_with = "answer")]
    #[schema(value_type = Option<bool>)]
    pub political_record: Option<Option<bool>>,
    /// 品行: good conduct in the village.
    #[serde(default, deserialize_with = "answer")]
    #[schema(value_type = Option<bool>)]
    pub conduct: Option<Option<bool>>,
    /// 热心公益: willing to serve.
    #[serde(default, deserialize_with = "answer")]
    #[schema(value_type = Option<bool>)]
    pub public_spirit: Option<Option<bool>>,
}

fn answer<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Option<bool>>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) if s.trim().is_empty() || s.trim() == "unknown" => Ok(Some(None)),
        Some(v) => de::flag(v).map(Some).map_err(|e| serde::de::Error::custom(e.to_string())),
    }
}

impl Checklist {
    /// The answers with this change laid over `current`.
    fn over(&self, current: [Option<bool>; 3]) -> [Option<bool>; 3] {
        let [a, b, c] = current;
        [self.political_record.unwrap_or(a), self.conduct.unwrap_or(b), self.public_spirit.unwrap_or(c)]
    }
}

/// A new application: the applicant's profile (a volunteer's fields) and
/// optionally the checklist.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewApplication {
    #[serde(flatten)]
    pub profile: VolunteerInput,
    #[serde(flatten)]
    pub checklist: Checklist,
}

/// A change to a pending application: any profile field (null clears an
/// optional one) and any checklist answer.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ApplicationPatch {
    #[serde(flatten)]
    pub profile: VolunteerPatch,
    #[serde(flatten)]
    pub checklist: Checklist,
}

/// The applicant's profile as a volunteer's: an applicant has no status,
/// availability or grid of his own until approved.
fn applicant_profile(mut p: VolunteerInput) -> VolunteerInput {
    p.status = None;
    p.availability = None;
    p.grid_id = None;
    p
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
pub async fn create(app: &App, caller: &Caller, input: NewApplication) -> Result<ApplicationView> {
    caller.ensure(caller.role.manages_roster())?;
    // the volunteer's own rules, scope included
    let draft = volunteers::checked_draft(app, caller, &applicant_profile(input.profile)).await?;
    let [political_record, conduct, public_spirit] = input.checklist.over([None, None, None]);
    let (priority_score, reasons_json) = score(app, &draft).await?;
    let review = Review { priority_score, reasons_json: &reasons_json, political_record, conduct, public_spirit };
    let record = caller.record("create", "application", "", "");
    let id = store::create(&app.db.pool, &app.db.vault, &draft, ApplicationSource::Staff, &review, None, Some(&record))
        .await?;
    detail(app, caller, id).await
}

fn as_input(app: &App, a: &ApplicationRow) -> VolunteerInput {
    let full = view(app, a.clone(), true);
    VolunteerInput {
        name: Some(full.name),
        id_number: Some(full.id_number),
        phone: Some(full.phone),
        region_id: Some(full.region_id),
        address: full.address,
        lat: full.lat,
        lon: full.lon,
        branch: full.branch,
        enlisted_on: full.enlisted_on.map(|d| d.to_string()),
        discharged_on: full.discharged_on.map(|d| d.to_string()),
        veteran_category: full.veteran_category,
        party_member: Some(full.party_member),
        cadre_role: full.cadre_role,
        honors: full.honors,
        skills: full.skills,
        ..VolunteerInput::default()
    }
}

/// Changes the checklist and any profile field, only while pending.
pub async fn update(app: &App, caller: &Caller, id: i64, patch: ApplicationPatch) -> Result<ApplicationView> {
    let current = visible(app, caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    if current.status != ApplicationStatus::Pending {
        return Err(decided());
    }
    let merged = applicant_profile(patch.profile.over(as_input(app, &current)));
    let draft = volunteers::checked_draft(app, caller, &merged).await?;
    let [political_record, conduct, public_spirit] =
        patch.checklist.over([current.political_record, current.conduct, current.public_spirit]);
    let (priority_score, reasons_json) = score(app, &draft).await?;
    let review = Review { priority_score, reasons_json: &reasons_json, political_record, conduct, public_spirit };
    let record = caller.record("update", "application", id, "");
    store::update(&app.db.pool, &app.db.vault, id, &draft, &review, &record).await.map_err(store_error)?;
    detail(app, caller, id).await
}

/// The reviewers' checklist as a page's form gives it: "true", "false", or
/// anything else for not yet known.
pub async fn check(app: &App, caller: &Caller, id: i64, answers: [Option<bool>; 3]) -> Result<ApplicationView> {
    let [political_record, conduct, public_spirit] = answers.map(Some);
    let checklist = Checklist { political_record, conduct, public_spirit };
    update(app, caller, id, ApplicationPatch { profile: VolunteerPatch::default(), checklist }).await
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
pub async fn join(app: &App, form: VolunteerInput, client_ip: &str) -> std::result::Result<(), JoinRefused> {
    let draft = volunteer::validate_input(&applicant_profile(form), crate::domain::clock::today())
        .map_err(JoinRefused::Invalid)?;
    let village_ok = matches!(region_store::get(&app.db.pool, draft.region_id).await, Ok(Some(r)) if r.kind() == RegionKind::Village);
    if !village_ok {
        return Err(JoinRefused::NotAVillage);
    }
    // kept apart from the needs form's counts by their own prefixes
    let client = app.db.vault.blind(&format!("join-client:{client_ip}"));
    let phone = app.db.vault.blind(&format!("join-phone:{}", draft.phone.as_str()));
    let now = Utc::now();
    let (by_client, _) =
        crate::store::public_submissions::counts_since(&app.db.pool, &client, &phone, now - Duration::minutes(10))
            .await
            .unwrap_or((i64::MAX, 0));
    let (_, by_phone) =
        crate::store::public_submissions::counts_since(&app.db.pool, &client, &phone, now - Duration::days(1))
            .await
            .unwrap_or((0, i64::MAX));
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
