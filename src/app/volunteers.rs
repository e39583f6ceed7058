//! Volunteers: the roster's search, a profile (masked, or unmasked and
//! audited), adding and changing a profile.

use super::{list_scope, paging, query_int, App, Caller, Error, Result};
use crate::domain::clock;
use crate::domain::region::RegionKind;
use crate::domain::service::{hours, star_level};
use crate::domain::team::TeamKind;
use crate::domain::validation::Problem;
use crate::domain::volunteer::{self, skill_code, Gender, VolunteerDraft, VolunteerStatus};
use crate::store::volunteers as store;
use crate::store::{awards, regions as region_store, service_records, settings, teams as team_store, trainings};
use axum::body::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

pub use crate::domain::volunteer::VolunteerInput;
pub use crate::store::awards::Award;
pub use crate::store::trainings::Training;
pub use crate::store::volunteers::{Filter, VolunteerRow};

#[derive(Serialize, ToSchema, Clone)]
pub struct TeamRef {
    pub id: i64,
    pub name: String,
    pub kind: TeamKind,
}

/// A volunteer as the API shows it. `id_number` and `phone` are masked
/// (`410***********1234`, `138****5678`) unless the caller may see them in full.
#[derive(Serialize, ToSchema, Clone)]
pub struct VolunteerView {
    pub id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub gender: Gender,
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
    pub availability: Option<String>,
    pub status: VolunteerStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The grid (网格) of the volunteer's village they are attached to.
    pub grid_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams: Option<Vec<TeamRef>>,
    /// Hours of service that count (corrected records excluded); on a single volunteer's GET.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_hours: Option<f64>,
    /// 0–5 stars by cumulative hours, at the town's thresholds; on a single volunteer's GET.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub star_level: Option<u8>,
    /// When the person was erased (`POST /api/v1/volunteers/{id}/erase`): the
    /// name is a placeholder and the personal data is gone; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub erased_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A stored row as shown, with its ID number and phone opened only when `reveal`.
pub fn view(app: &App, v: VolunteerRow, reveal: bool) -> VolunteerView {
    let (id_number, phone) = if reveal {
        (
            app.db.vault.open(&v.id_sealed).unwrap_or_else(|| v.id_masked.clone()),
            app.db.vault.open(&v.phone_sealed).unwrap_or_else(|| v.phone_masked.clone()),
        )
    } else {
        (v.id_masked.clone(), v.phone_masked.clone())
    };
    let skills = v.skill_list();
    let honors = v.honor_list();
    VolunteerView {
        id: v.id,
        volunteer_no: v.volunteer_no,
        name: v.name,
        gender: v.gender,
        birth_date: v.birth_date,
        id_number,
        phone,
        region_id: v.region_id,
        region_name: v.region_name,
        address: v.address,
        lat: v.lat,
        lon: v.lon,
        branch: v.branch,
        enlisted_on: v.enlisted_on,
        discharged_on: v.discharged_on,
        veteran_category: v.veteran_category,
        party_member: v.party_member,
        cadre_role: v.cadre_role,
        honors,
        skills,
        availability: v.availability,
        status: v.status,
        created_at: v.created_at,
        updated_at: v.updated_at,
        grid_id: v.grid_id,
        erased_at: v.erased_at,
        teams: None,
        service_hours: None,
        star_level: None,
    }
}

#[derive(Deserialize, IntoParams, Default)]
pub struct VolunteerQuery {
    /// Only volunteers of this region's subtree.
    pub region_id: Option<String>,
    pub team_id: Option<String>,
    /// A skill code such as `driving`, or its Chinese name.
    pub skill: Option<String>,
    /// applicant, active or inactive.
    pub status: Option<String>,
    /// Part of a name, a volunteer number, or a whole phone or ID number.
    pub q: Option<String>,
    /// 1–1000, default 100.
    pub limit: Option<String>,
    pub offset: Option<String>,
    /// `true` keeps ID numbers and phones masked even for staff (no audit entry).
    pub masked: Option<String>,
    /// `true` adds the `X-Total-Count` header.
    pub with_total: Option<String>,
}

/// The store's filter for a search, checked: region in scope, known skill and status.
pub async fn filter_from(app: &App, caller: &Caller, q: &VolunteerQuery) -> Result<Filter> {
    let within = list_scope(app, caller, q.region_id.as_deref()).await?;
    let (limit, offset) = paging(q.limit.as_deref(), q.offset.as_deref())?;
    let skill = match q.skill.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            skill_code(s)
                .ok_or_else(|| Error::field(Problem::about("skills", "不是可选技能", "is not a known skill")))?
                .to_string(),
        ),
    };
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(VolunteerStatus::parse(s).ok_or_else(|| {
            Error::field(Problem::about(
                "status",
                "应为 applicant、active 或 inactive",
                "must be applicant, active or inactive",
            ))
        })?),
    };
    Ok(Filter {
        within,
        team_id: query_int("team_id", q.team_id.as_deref())?,
        skill,
        status,
        text: q.q.clone(),
        personal_lookup: caller.role.sees_personal_data(),
        limit,
        offset,
    })
}

/// A page of the roster as stored (masked fields only are read from it), made
/// into what the page shows by `make`, and the number of all that match: what
/// the roster page lists. What `make` makes of the rows depends on them and on
/// what `made` names alone (the page's language, say), so it is kept with the
/// page until the roster changes (`store::kept_or`): the same page asked again
/// is neither read nor made again.
pub async fn search<T>(
    app: &App,
    caller: &Caller,
    q: &VolunteerQuery,
    made: &str,
    make: impl FnOnce(Vec<VolunteerRow>) -> T,
) -> Result<(T, i64)>
where
    T: Clone + Send + Sync + 'static,
{
    caller.ensure(caller.role.reads_roster())?;
    let f = filter_from(app, caller, q).await?;
    let (pool, vault) = (&app.db.pool, &app.db.vault);
    let key = format!("volunteers::made\u{1f}{made}\u{1f}{}", store::page_key(vault, &f));
    // the total is kept with the page: one look at the database's version for both
    let kept = crate::store::kept_or(pool, key, || async {
        let rows = store::list(pool, vault, &f).await?;
        Ok((make(rows), store::count(pool, vault, &f).await?))
    });
    Ok(kept.await?)
}

/// The roster as the API lists it, with the total when asked. Unmasked for
/// staff who see personal data (unless `masked=true`), and then audited.
pub async fn list_json(app: &App, caller: &Caller, q: &VolunteerQuery) -> Result<(Bytes, Option<i64>)> {
    caller.ensure(caller.role.reads_roster())?;
    let f = &filter_from(app, caller, q).await?;
    let (pool, vault) = (&app.db.pool, &app.db.vault);
    let with_total = q.with_total.as_deref() == Some("true");
    let total = || async move {
        match with_total {
            true => store::count(pool, vault, f).await.map(Some),
            false => Ok(None),
        }
    };
    // Every row of a list lies inside the caller's scope, so the role decides.
    let reveal = caller.role.sees_personal_data() && q.masked.as_deref() != Some("true");
    if reveal {
        let rows = store::list(pool, vault, f).await?;
        if !rows.is_empty() {
            let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
            caller.audit_view(app, "volunteer_list", &f.within, &ids.join(",")).await?;
        }
        return Ok((json_of(app, rows, true)?, total().await?));
    }
    // A masked page is the same bytes for everyone who may ask for it: written
    // once and kept with its total until the roster changes, as writing it was
    // most of the request's work (docs/benchmarks.md, issue 17). Unmasked pages
    // are written each time, as each is audited.
    let key = format!("volunteers::json\u{1f}{with_total}\u{1f}{}", store::page_key(vault, f));
    let kept = crate::store::kept_or(pool, key, || async {
        let rows = store::list(pool, vault, f).await?;
        let json = json_of(app, rows, false).map_err(|_| crate::store::StoreError::Other("writing JSON".into()))?;
        Ok((json, total().await?))
    });
    Ok(kept.await?)
}

fn json_of(app: &App, rows: Vec<VolunteerRow>, reveal: bool) -> Result<Bytes> {
    let views: Vec<VolunteerView> = rows.into_iter().map(|r| view(app, r, reveal)).collect();
    serde_json::to_vec(&views).map(Bytes::from).map_err(|_| Error::internal())
}

/// Loads a volunteer the caller may see: 404 unknown, 403 outside scope. A
/// volunteer's own account sees only itself.
pub async fn visible(app: &App, caller: &Caller, id: i64) -> Result<VolunteerRow> {
    let v = store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    if caller.volunteer_id == Some(id) {
        return Ok(v);
    }
    caller.ensure(caller.role.reads_roster())?;
    caller.ensure_covers(&v.region_path)?;
    Ok(v)
}

/// Hours that count and the star level they earn at the town's thresholds.
async fn hours_and_stars(app: &App, volunteer_id: i64, region_path: &str) -> Result<(f64, u8)> {
    let (minutes, _) = service_records::totals(&app.db.pool, volunteer_id, None).await?;
    let rules = settings::rules_for(&app.db.pool, region_path).await?;
    let h = hours(minutes);
    Ok((h, star_level(h, &rules.star_thresholds)))
}

/// The full view of one volunteer, with teams; unmasked only for those allowed,
/// and then audited.
pub async fn detail(app: &App, caller: &Caller, v: VolunteerRow) -> Result<VolunteerView> {
    // an erased person has nothing left to reveal, and no look to record
    let reveal = caller.sees_personal_data_of(v.id, &v.region_path) && v.erased_at.is_none();
    if reveal {
        caller.audit_view(app, "volunteer", &v.id.to_string(), &v.volunteer_no).await?;
    }
    let teams = team_store::of_volunteer(&app.db.pool, v.id)
        .await?
        .into_iter()
        .map(|(id, name, kind)| TeamRef { id, name, kind })
        .collect();
    let (hours, stars) = hours_and_stars(app, v.id, &v.region_path).await?;
    let mut out = view(app, v, reveal);
    out.teams = Some(teams);
    out.service_hours = Some(hours);
    out.star_level = Some(stars);
    Ok(out)
}

/// One volunteer as the API shows them.
pub async fn show(app: &App, caller: &Caller, id: i64) -> Result<VolunteerView> {
    let v = visible(app, caller, id).await?;
    detail(app, caller, v).await
}

/// What the profile page shows: the view, whether it is unmasked, whether the
/// caller may edit it, and the volunteer's trainings and awards.
pub struct Profile {
    pub view: VolunteerView,
    pub revealed: bool,
    pub may_edit: bool,
    pub trainings: Vec<Training>,
    pub awards: Vec<Award>,
}

pub async fn profile_page(app: &App, caller: &Caller, id: i64) -> Result<Profile> {
    let row = visible(app, caller, id).await?;
    let revealed = caller.sees_personal_data_of(row.id, &row.region_path) && row.erased_at.is_none();
    let may_edit = caller.role.manages_roster() && caller.covers(&row.region_path);
    let view = detail(app, caller, row).await?;
    let trainings = trainings::of_volunteer(&app.db.pool, view.id).await?;
    let awards = awards::of_volunteer(&app.db.pool, view.id).await?;
    Ok(Profile { view, revealed, may_edit, trainings, awards })
}

/// Validates a whole profile and checks its region: 422 when the region does
/// not exist, 403 when it lies outside the caller's scope.
pub async fn checked_draft(app: &App, caller: &Caller, input: &VolunteerInput) -> Result<VolunteerDraft> {
    let region = match input.region_id {
        Some(id) => region_store::get(&app.db.pool, id).await?,
        None => None,
    };
    let mut draft = volunteer::validate_input(input, clock::today());
    if input.region_id.is_some() && region.is_none() {
        let p = Problem::about("region_id", "不存在", "does not exist");
        draft = match draft {
            Ok(_) => Err(p.into()),
            Err(mut ps) => {
                ps.push(p);
                Err(ps)
            }
        };
    }
    let draft = draft.map_err(Error::invalid)?;
    if let Some(r) = region {
        caller.ensure_covers(&r.path)?;
    }
    Ok(draft)
}

/// A grid a volunteer may be attached to: a region of kind grid under the
/// volunteer's village (422 naming `grid_id` otherwise). None detaches.
pub async fn checked_grid(app: &App, grid_id: Option<i64>, region_id: i64) -> Result<Option<i64>> {
    let Some(id) = grid_id else {
        return Ok(None);
    };
    let not_under = || {
        Error::field(Problem::about(
            "grid_id",
            "应为该志愿者所在村(社区)下的网格",
            "must be a grid under the volunteer's village",
        ))
    };
    let grid = region_store::get(&app.db.pool, id).await?.ok_or_else(not_under)?;
    let home = region_store::get(&app.db.pool, region_id).await?.ok_or_else(not_under)?;
    if grid.kind != RegionKind::Grid || !grid.path.starts_with(&home.path) {
        return Err(not_under());
    }
    Ok(Some(id))
}

/// Adds a volunteer to the roster; answers their id.
pub async fn add(app: &App, caller: &Caller, input: VolunteerInput) -> Result<i64> {
    caller.ensure(caller.role.manages_roster())?;
    let draft = checked_draft(app, caller, &input).await?;
    let grid_id = checked_grid(app, input.grid_id, draft.region_id).await?;
    let record = caller.record("create", "volunteer", "", "");
    Ok(store::create_in_grid(&app.db.pool, &app.db.vault, &draft, grid_id, &record).await?)
}

/// Adds a volunteer to the roster; answers their full view.
pub async fn create(app: &App, caller: &Caller, input: VolunteerInput) -> Result<VolunteerView> {
    let id = add(app, caller, input).await?;
    let v = store::get(&app.db.pool, id).await?.ok_or_else(Error::internal)?;
    detail(app, caller, v).await
}

/// The stored profile as a client would send it, unmasked, so a change can be
/// laid over it and the whole result checked by the same rules as a create.
pub fn as_input(app: &App, v: &VolunteerRow) -> VolunteerInput {
    let full = view(app, v.clone(), true);
    VolunteerInput {
        name: Some(full.name),
        id_number: Some(full.id_number),
        phone: Some(full.phone),
        gender: None,
        birth_date: None,
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
        availability: full.availability,
        status: Some(full.status.as_str().to_string()),
        grid_id: full.grid_id,
    }
}

/// The edit form's starting values: the whole profile unmasked, which is an
/// audited view of personal data.
pub async fn edit_values(app: &App, caller: &Caller, id: i64) -> Result<(VolunteerRow, VolunteerInput)> {
    let row = visible(app, caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    if row.erased_at.is_some() {
        return Err(Error::code(crate::domain::error_code::ErrorCode::Erased));
    }
    caller.audit_view(app, "volunteer", &id.to_string(), &row.volunteer_no).await?;
    let input = as_input(app, &row);
    Ok((row, input))
}

pub(crate) use crate::domain::input::present;

/// A change to a profile: the fields sent override what is stored; null clears
/// an optional field. `id` and `volunteer_no` may be echoed back, never changed.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct VolunteerPatch {
    #[serde(default, deserialize_with = "present::raw")]
    #[schema(value_type = Option<i64>)]
    pub id: Option<Value>,
    #[serde(default, deserialize_with = "present::raw")]
    #[schema(value_type = Option<String>)]
    pub volunteer_no: Option<Value>,
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub id_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub gender: Option<Option<String>>,
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub birth_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "present::int")]
    #[schema(value_type = Option<i64>)]
    pub region_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "present::float")]
    #[schema(value_type = Option<f64>)]
    pub lat: Option<Option<f64>>,
    #[serde(default, deserialize_with = "present::float")]
    #[schema(value_type = Option<f64>)]
    pub lon: Option<Option<f64>>,
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub branch: Option<Option<String>>,
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub enlisted_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub discharged_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub veteran_category: Option<Option<String>>,
    #[serde(default, deserialize_with = "present::flag")]
    #[schema(value_type = Option<bool>)]
    pub party_member: Option<Option<bool>>,
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub cadre_role: Option<Option<String>>,
    #[serde(default, deserialize_with = "present::list")]
    pub honors: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present::list")]
    pub skills: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub availability: Option<Option<String>>,
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub status: Option<Option<String>>,
    /// A grid under the volunteer's village; null detaches.
    #[serde(default, deserialize_with = "present::int")]
    #[schema(value_type = Option<i64>)]
    pub grid_id: Option<Option<i64>>,
}

impl VolunteerPatch {
    /// A whole profile as a change that sets every field (an edit form).
    pub fn whole(i: VolunteerInput) -> Self {
        VolunteerPatch {
            id: None,
            volunteer_no: None,
            name: Some(i.name),
            id_number: Some(i.id_number),
            phone: Some(i.phone),
            gender: Some(i.gender),
            birth_date: Some(i.birth_date),
            region_id: Some(i.region_id),
            address: Some(i.address),
            lat: Some(i.lat),
            lon: Some(i.lon),
            branch: Some(i.branch),
            enlisted_on: Some(i.enlisted_on),
            discharged_on: Some(i.discharged_on),
            veteran_category: Some(i.veteran_category),
            party_member: Some(i.party_member),
            cadre_role: Some(i.cadre_role),
            honors: Some(i.honors),
            skills: Some(i.skills),
            availability: Some(i.availability),
            status: Some(i.status),
            grid_id: Some(i.grid_id),
        }
    }

    /// The stored profile with this change laid over it (the grid aside).
    pub fn over(self, c: VolunteerInput) -> VolunteerInput {
        VolunteerInput {
            name: self.name.unwrap_or(c.name),
            id_number: self.id_number.unwrap_or(c.id_number),
            phone: self.phone.unwrap_or(c.phone),
            gender: self.gender.unwrap_or(c.gender),
            birth_date: self.birth_date.unwrap_or(c.birth_date),
            region_id: self.region_id.unwrap_or(c.region_id),
            address: self.address.unwrap_or(c.address),
            lat: self.lat.unwrap_or(c.lat),
            lon: self.lon.unwrap_or(c.lon),
            branch: self.branch.unwrap_or(c.branch),
            enlisted_on: self.enlisted_on.unwrap_or(c.enlisted_on),
            discharged_on: self.discharged_on.unwrap_or(c.discharged_on),
            veteran_category: self.veteran_category.unwrap_or(c.veteran_category),
            party_member: self.party_member.unwrap_or(c.party_member),
            cadre_role: self.cadre_role.unwrap_or(c.cadre_role),
            honors: self.honors.unwrap_or(c.honors),
            skills: self.skills.unwrap_or(c.skills),
            availability: self.availability.unwrap_or(c.availability),
            status: self.status.unwrap_or(c.status),
            grid_id: c.grid_id,
        }
    }
}

/// Changes a profile; answers the full view.
pub async fn update(app: &App, caller: &Caller, id: i64, patch: VolunteerPatch) -> Result<VolunteerView> {
    change(app, caller, id, patch).await?;
    let v = store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    detail(app, caller, v).await
}

/// Changes a profile.
pub async fn change(app: &App, caller: &Caller, id: i64, patch: VolunteerPatch) -> Result<()> {
    let current = visible(app, caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    if current.erased_at.is_some() {
        return Err(Error::code(crate::domain::error_code::ErrorCode::Erased));
    }
    // The system's own fields may be echoed back unchanged, never changed.
    let fixed = |field: &str| {
        Error::field(Problem::about(field, "由系统生成，不能修改", "is set by the system and cannot be changed"))
    };
    if patch.id.as_ref().is_some_and(|v| v.as_i64() != Some(current.id)) {
        return Err(fixed("id"));
    }
    if patch.volunteer_no.as_ref().is_some_and(|v| v.as_str() != Some(current.volunteer_no.as_str())) {
        return Err(fixed("volunteer_no"));
    }
    let grid_sent = patch.grid_id;
    let input = patch.over(as_input(app, &current));
    let draft = checked_draft(app, caller, &input).await?;
    let grid = match grid_sent {
        Some(g) => Some(checked_grid(app, g, draft.region_id).await?),
        // a move to another village leaves the old village's grid behind
        None if draft.region_id != current.region_id => {
            Some(checked_grid(app, current.grid_id, draft.region_id).await.ok().flatten())
        }
        None => None,
    };
    let record = caller.record("update", "volunteer", id, &current.volunteer_no);
    Ok(store::update_in_grid(&app.db.pool, &app.db.vault, id, &draft, grid, &record).await?)
}

/// The JSON object a form is refilled from: a profile's fields as values.
pub fn input_values(input: &VolunteerInput) -> serde_json::Map<String, Value> {
    match serde_json::to_value(input) {
        Ok(Value::Object(mut m)) => {
            m.retain(|_, v| !v.is_null());
            m
        }
        _ => serde_json::Map::new(),
    }
}

/// Active volunteers of the caller's scope whose name or number holds `words`,
/// masked, for a page's "find someone" box: (id, name, number · village).
pub async fn find_active(app: &App, caller: &Caller, words: &str) -> Result<Vec<(i64, String, String)>> {
    let q = VolunteerQuery {
        q: Some(words.to_string()),
        status: Some("active".into()),
        limit: Some("20".into()),
        masked: Some("true".into()),
        ..Default::default()
    };
    caller.ensure(caller.role.reads_roster())?;
    let f = filter_from(app, caller, &q).await?;
    Ok(store::list(&app.db.pool, &app.db.vault, &f)
        .await?
        .into_iter()
        .map(|v| (v.id, v.name, format!("{} · {}", v.volunteer_no, v.region_name)))
        .collect())
}
