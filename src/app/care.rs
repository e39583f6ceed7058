//! Care (走访慰问): the registry of martyrs' families and veterans in
//! difficulty, the visits to them, and the campaigns that must reach them all.

use super::{list_scope, App, Caller, Error, Result};
use crate::domain::care::{check, coverage, default_window, is_targeted, DEFAULT_TARGET_CATEGORIES};
pub use crate::domain::care::{CampaignKind, Category};
use crate::domain::input::de;
use crate::domain::phone::Phone;
use crate::domain::region::RegionKind;
use crate::domain::validation::{Problem, Problems};
use crate::store::care::{self as store, NewCampaign, NewRecipient};
pub use crate::store::care::{Campaign, CareRecipient, Visit};
use crate::store::regions::{self as region_store, Region};
use crate::store::volunteers::{self as volunteer_store, Filter};
use chrono::NaiveDate;
use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

// ---- lenient field types for PATCH bodies: absent keeps, null clears ----

pub(crate) fn patch_text<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Option<String>>, D::Error> {
    de::text(d).map(Some)
}

pub(crate) fn patch_int<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Option<i64>>, D::Error> {
    de::int(d).map(Some)
}

fn patch_flag<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Option<bool>>, D::Error> {
    de::flag(d).map(Some)
}

fn patch_list<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Vec<String>>, D::Error> {
    de::list(d).map(Some)
}

/// The visit's volunteers, named as the visit form has always named them.
fn volunteer_ids<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<i64>, D::Error> {
    de::ids(d).map_err(|_: D::Error| D::Error::custom("应为志愿者编号列表|volunteer_ids must be a list of ids"))
}

fn date(field: &str, v: Option<&str>) -> Result<Option<NaiveDate>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| Error::field(Problem::new(field, "日期应为 YYYY-MM-DD", "must be a date written YYYY-MM-DD"))),
    }
}

/// The period of "not yet visited between": both ends or neither.
fn unvisited_period(from: Option<&str>, to: Option<&str>) -> Result<Option<(NaiveDate, NaiveDate)>> {
    match (date("unvisited_from", from)?, date("unvisited_to", to)?) {
        (None, None) => Ok(None),
        (Some(f), Some(t)) if f <= t => Ok(Some((f, t))),
        (Some(_), Some(_)) => {
            Err(Error::field(Problem::new("unvisited_to", "不能早于起始日期", "must not be before unvisited_from")))
        }
        _ => Err(Error::field(Problem::new(
            "unvisited_to",
            "起止日期须同时给出",
            "unvisited_from and unvisited_to go together",
        ))),
    }
}

/// Recipients of a region of the caller's scope; with a period, only those
/// nobody visited in it.
pub async fn list(
    app: &App,
    caller: &Caller,
    region_id: Option<&str>,
    unvisited_from: Option<&str>,
    unvisited_to: Option<&str>,
) -> Result<Vec<CareRecipient>> {
    caller.ensure(caller.role.reads_roster())?;
    let within = list_scope(app, caller, region_id).await?;
    let period = unvisited_period(unvisited_from, unvisited_to)?;
    Ok(store::list(&app.db.pool, &within, period).await?)
}

#[derive(Serialize, ToSchema)]
pub struct RecipientDetail {
    #[serde(flatten)]
    pub recipient: CareRecipient,
    pub visits: Vec<Visit>,
}

/// A recipient the caller may read: 404 unknown, 403 outside their scope.
pub async fn visible(app: &App, caller: &Caller, id: i64) -> Result<CareRecipient> {
    let r = store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    caller.ensure(caller.role.reads_roster())?;
    caller.ensure_covers(&r.region_path)?;
    Ok(r)
}

async fn detail(app: &App, id: i64) -> Result<RecipientDetail> {
    let recipient = store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    let visits = store::visits(&app.db.pool, id).await?;
    Ok(RecipientDetail { recipient, visits })
}

pub async fn show(app: &App, caller: &Caller, id: i64) -> Result<RecipientDetail> {
    let recipient = visible(app, caller, id).await?;
    let visits = store::visits(&app.db.pool, id).await?;
    Ok(RecipientDetail { recipient, visits })
}

/// A recipient's profile as sent.
#[derive(Deserialize, ToSchema, Default, Debug)]
pub struct RecipientInput {
    #[serde(default, deserialize_with = "de::text")]
    pub name: Option<String>,
    /// martyr_family, veteran_in_difficulty, disabled_veteran or other: the main one
    #[serde(default, deserialize_with = "de::text")]
    pub category: Option<String>,
    /// Every category that applies; the main one is added when missing.
    #[serde(default, deserialize_with = "de::list")]
    pub categories: Vec<String>,
    #[serde(default, deserialize_with = "de::int")]
    pub region_id: Option<i64>,
    #[serde(default, deserialize_with = "de::text")]
    pub address: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "de::flag")]
    pub hardship: Option<bool>,
    #[serde(default, deserialize_with = "de::flag")]
    pub living_alone: Option<bool>,
    #[serde(default, deserialize_with = "de::flag")]
    pub low_income: Option<bool>,
    #[serde(default, deserialize_with = "de::flag")]
    pub honour_plaque: Option<bool>,
    #[serde(default, deserialize_with = "de::text")]
    pub notes: Option<String>,
}

/// A PATCH of a recipient: a field given overrides the stored one; `null`
/// clears an optional field.
#[derive(Deserialize, ToSchema, Default, Debug)]
pub struct RecipientPatch {
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_list")]
    pub categories: Option<Vec<String>>,
    #[serde(default, deserialize_with = "patch_int")]
    #[schema(value_type = Option<i64>)]
    pub region_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_flag")]
    #[schema(value_type = Option<bool>)]
    pub hardship: Option<Option<bool>>,
    #[serde(default, deserialize_with = "patch_flag")]
    #[schema(value_type = Option<bool>)]
    pub living_alone: Option<Option<bool>>,
    #[serde(default, deserialize_with = "patch_flag")]
    #[schema(value_type = Option<bool>)]
    pub low_income: Option<Option<bool>>,
    #[serde(default, deserialize_with = "patch_flag")]
    #[schema(value_type = Option<bool>)]
    pub honour_plaque: Option<Option<bool>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

/// A profile that passed every rule.
struct RecipientDraft {
    name: String,
    category: Category,
    categories: Vec<String>,
    region_id: i64,
    address: Option<String>,
    phone: Option<Phone>,
    flags: [bool; 4],
    notes: Option<String>,
}

impl RecipientDraft {
    fn as_new(&self) -> NewRecipient<'_> {
        NewRecipient {
            name: &self.name,
            category: self.category.as_str(),
            categories: &self.categories,
            region_id: self.region_id,
            address: self.address.as_deref(),
            phone: self.phone.as_ref(),
            hardship: self.flags[0],
            living_alone: self.flags[1],
            low_income: self.flags[2],
            honour_plaque: self.flags[3],
            notes: self.notes.as_deref(),
        }
    }
}

/// A region a thing is filed in: 422 when unknown, 403 outside the caller's scope.
async fn region_in_scope(app: &App, caller: &Caller, region_id: i64) -> Result<Region> {
    let region = region_store::get(&app.db.pool, region_id)
        .await?
        .ok_or_else(|| Error::field(Problem::about("region_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&region.path)?;
    Ok(region)
}

/// Validates a whole profile (422 naming each field) and its region.
async fn checked_recipient(app: &App, caller: &Caller, input: &RecipientInput) -> Result<RecipientDraft> {
    let mut p = Problems::new();
    let name = check::required_text(&mut p, "name", input.name.as_deref(), 32);
    let category = check::required_text(&mut p, "category", input.category.as_deref(), 40);
    let mut categories = check::list(&mut p, "categories", &input.categories, 6);
    let address = check::text(&mut p, "address", input.address.as_deref(), 200);
    let phone_text = check::text(&mut p, "phone", input.phone.as_deref(), 40);
    let flags = [input.hardship, input.living_alone, input.low_income, input.honour_plaque].map(|f| f.unwrap_or(false));
    let notes = check::text(&mut p, "notes", input.notes.as_deref(), 1000);
    let main = category.as_deref().and_then(Category::parse);
    if category.is_some() && main.is_none() {
        p.push(Problem::about(
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
    if categories.iter().any(|c| Category::parse(c).is_none()) {
        p.push(Problem::about("categories", "含有未知类别", "holds an unknown category"));
    }
    let phone = phone_text.and_then(|t| p.take(Phone::parse(&t)));
    let region_id = check::required(&mut p, "region_id", input.region_id);
    let (Some(name), Some(category), Some(region_id)) = (name, main, region_id) else {
        return Err(Error::invalid(p));
    };
    if !p.is_empty() {
        return Err(Error::invalid(p));
    }
    region_in_scope(app, caller, region_id).await?;
    Ok(RecipientDraft { name, category, categories, region_id, address, phone, flags, notes })
}

pub async fn create(app: &App, caller: &Caller, input: RecipientInput) -> Result<RecipientDetail> {
    caller.ensure(caller.role.manages_roster())?;
    let d = checked_recipient(app, caller, &input).await?;
    let record = caller.record("create", "care_recipient", "", "");
    let id = store::create(&app.db.pool, &app.db.vault, &d.as_new(), Some(&record)).await?;
    detail(app, id).await.map_err(|_| Error::internal())
}

pub async fn update(app: &App, caller: &Caller, id: i64, patch: RecipientPatch) -> Result<RecipientDetail> {
    let current = visible(app, caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    let phone = store::sealed_phone(&app.db.pool, id).await?.and_then(|s| app.db.vault.open(&s));
    // A new main category without a new list replaces the old main one and
    // keeps the others.
    let categories = match (&patch.category, patch.categories) {
        (_, Some(list)) => list,
        (Some(_), None) => {
            current.categories.iter().filter(|c| **c != current.category).map(|c| c.as_str().to_string()).collect()
        }
        (None, None) => current.categories.iter().map(|c| c.as_str().to_string()).collect(),
    };
    let input = RecipientInput {
        name: patch.name.unwrap_or(Some(current.name)),
        category: patch.category.unwrap_or(Some(current.category.as_str().to_string())),
        categories,
        region_id: patch.region_id.unwrap_or(Some(current.region_id)),
        address: patch.address.unwrap_or(current.address),
        phone: patch.phone.unwrap_or(phone),
        hardship: patch.hardship.unwrap_or(Some(current.hardship)),
        living_alone: patch.living_alone.unwrap_or(Some(current.living_alone)),
        low_income: patch.low_income.unwrap_or(Some(current.low_income)),
        honour_plaque: patch.honour_plaque.unwrap_or(Some(current.honour_plaque)),
        notes: patch.notes.unwrap_or(current.notes),
    };
    let d = checked_recipient(app, caller, &input).await?;
    let record = caller.record("update", "care_recipient", id, "");
    if !store::update(&app.db.pool, &app.db.vault, id, &d.as_new(), &record).await? {
        return Err(Error::not_found());
    }
    detail(app, id).await
}

/// A visit as logged.
#[derive(Deserialize, ToSchema, Default, Debug)]
pub struct VisitInput {
    /// YYYY-MM-DD, not in the future.
    #[serde(default, deserialize_with = "de::text")]
    pub visited_on: Option<String>,
    /// The volunteers who went.
    #[serde(default, deserialize_with = "volunteer_ids")]
    pub volunteer_ids: Vec<i64>,
    #[serde(default, deserialize_with = "de::text")]
    pub notes: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub help_given: Option<String>,
}

/// Logs a visit: staff and the team leaders who go visiting.
pub async fn visit(app: &App, caller: &Caller, id: i64, input: VisitInput) -> Result<RecipientDetail> {
    let recipient = visible(app, caller, id).await?;
    caller.ensure(caller.role.runs_service())?;
    let mut p = Problems::new();
    let on = check::date(&mut p, "visited_on", input.visited_on.as_deref());
    let notes = check::text(&mut p, "notes", input.notes.as_deref(), 1000);
    let help = check::text(&mut p, "help_given", input.help_given.as_deref(), 500);
    if on.is_none() && p.get("visited_on").is_none() {
        p.push(Problem::new("visited_on", "走访日期不能为空", "visited_on is required"));
    }
    if on.is_some_and(|d| d > crate::domain::clock::today()) {
        p.push(Problem::new("visited_on", "不能晚于今天", "visited_on cannot be in the future"));
    }
    let Some(on) = on.filter(|_| p.is_empty()) else { return Err(Error::invalid(p)) };
    for v in &input.volunteer_ids {
        let row = volunteer_store::get(&app.db.pool, *v).await?.ok_or_else(|| {
            Error::field(Problem::new(
                "volunteer_ids",
                format!("志愿者{v}不存在"),
                format!("volunteer {v} does not exist"),
            ))
        })?;
        caller.ensure_covers(&row.region_path)?;
    }
    let record = caller.record("visit", "care_recipient", id, &on.to_string());
    store::add_visit(
        &app.db.pool,
        recipient.id,
        on,
        &input.volunteer_ids,
        notes.as_deref(),
        help.as_deref(),
        caller.user_id,
        Some(&record),
    )
    .await?;
    detail(app, id).await.map_err(|_| Error::internal())
}

/// Who may be ticked as having gone on a visit to this recipient: the
/// volunteers of the whole village (not only of the grid), within the
/// caller's scope. With the recipient's region.
pub async fn visit_helpers(app: &App, caller: &Caller, r: &CareRecipient) -> Result<(Region, Vec<(i64, String)>)> {
    let region = region_store::get(&app.db.pool, r.region_id).await?.ok_or_else(Error::not_found)?;
    let home = match (region.kind(), region.parent_id) {
        (RegionKind::Grid, Some(parent)) => region_store::get(&app.db.pool, parent).await?.map(|p| p.path),
        _ => None,
    }
    .unwrap_or_else(|| region.path.clone());
    let within = if caller.covers(&home) { home } else { caller.scope_path().to_string() };
    let helpers =
        volunteer_store::list(&app.db.pool, &app.db.vault, &Filter { within, limit: 200, ..Filter::default() })
            .await?
            .into_iter()
            .map(|v| (v.id, v.name))
            .collect();
    Ok((region, helpers))
}

/// What the registry page lists: the caller's recipients (those a chosen
/// campaign still has to visit, when one is chosen), the campaigns they may
/// choose from and the regions to name places by.
pub struct Registry {
    pub recipients: Vec<CareRecipient>,
    pub campaigns: Vec<Campaign>,
    pub chosen: Option<Campaign>,
    pub regions: Vec<Region>,
}

pub async fn registry(app: &App, caller: &Caller, campaign: Option<i64>) -> Result<Registry> {
    caller.ensure(caller.role.reads_roster())?;
    let campaigns = store::campaigns(&app.db.pool, caller.scope_path()).await?;
    let chosen = campaign.and_then(|id| campaigns.iter().find(|c| c.id == id)).cloned();
    let period = chosen.as_ref().map(|c| (c.starts_on, c.ends_on));
    let mut recipients = store::list(&app.db.pool, caller.scope_path(), period).await?;
    if let Some(c) = &chosen {
        recipients.retain(|r| r.region_path.starts_with(&c.region_path) && is_targeted(&r.categories, &c.categories));
    }
    let regions = region_store::list(&app.db.pool, Some(caller.scope_path()), None).await?;
    Ok(Registry { recipients, campaigns, chosen, regions })
}

/// Visits made in a period to the recipients of a region subtree of the
/// caller's scope, for the station's workbook.
pub async fn visit_export(
    app: &App,
    caller: &Caller,
    region_id: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(crate::domain::report::Period, Vec<store::VisitLine>)> {
    caller.ensure(caller.role.reads_roster())?;
    let within = list_scope(app, caller, region_id).await?;
    let p = crate::domain::report::Period::parse(from, to).map_err(Error::invalid)?;
    Ok((p, store::visits_in(&app.db.pool, &within, p.from, p.to).await?))
}

/// Whether a caller sees a campaign: one over their subtree, or over a region
/// above it (a town's campaign reaches every village's team leader).
fn sees_campaign(caller: &Caller, c: &Campaign) -> bool {
    caller.covers(&c.region_path) || caller.scope_path().starts_with(&c.region_path)
}

pub async fn campaign(app: &App, caller: &Caller, id: i64) -> Result<Campaign> {
    let c = store::campaign(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    caller.ensure(caller.role.reads_roster())?;
    caller.ensure(sees_campaign(caller, &c))?;
    Ok(c)
}

pub async fn campaigns(app: &App, caller: &Caller, region_id: Option<&str>) -> Result<Vec<Campaign>> {
    caller.ensure(caller.role.reads_roster())?;
    let within = list_scope(app, caller, region_id).await?;
    Ok(store::campaigns(&app.db.pool, &within).await?)
}

/// A campaign as sent. Spring Festival and Army Day campaigns given only a
/// `year` get their usual name and dates.
#[derive(Deserialize, ToSchema, Default, Debug)]
pub struct CampaignInput {
    #[serde(default, deserialize_with = "de::text")]
    pub name: Option<String>,
    /// spring_festival, army_day or custom
    #[serde(default, deserialize_with = "de::text")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "de::int")]
    pub year: Option<i64>,
    #[serde(default, deserialize_with = "de::int")]
    pub region_id: Option<i64>,
    #[serde(default, deserialize_with = "de::text")]
    pub starts_on: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub ends_on: Option<String>,
    /// The categories it must reach (default: all but `other`).
    #[serde(default, deserialize_with = "de::list")]
    pub categories: Vec<String>,
}

/// A PATCH of a campaign: a field given overrides the stored one.
#[derive(Deserialize, ToSchema, Default, Debug)]
pub struct CampaignPatch {
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub kind: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_int")]
    #[schema(value_type = Option<i64>)]
    pub year: Option<Option<i64>>,
    #[serde(default, deserialize_with = "patch_int")]
    #[schema(value_type = Option<i64>)]
    pub region_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub starts_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub ends_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_list")]
    pub categories: Option<Vec<String>>,
}

/// A campaign that passed every rule.
struct CampaignDraft {
    name: String,
    kind: CampaignKind,
    region_id: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    categories: Vec<String>,
}

impl CampaignDraft {
    fn as_new(&self) -> NewCampaign<'_> {
        NewCampaign {
            name: &self.name,
            kind: self.kind.as_str(),
            region_id: self.region_id,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            categories: &self.categories,
        }
    }
}

async fn checked_campaign(app: &App, caller: &Caller, input: &CampaignInput) -> Result<CampaignDraft> {
    let mut p = Problems::new();
    let kind_text = check::required_text(&mut p, "kind", input.kind.as_deref(), 20);
    let year = input.year;
    let mut name = check::text(&mut p, "name", input.name.as_deref(), 60);
    let mut starts_on = check::date(&mut p, "starts_on", input.starts_on.as_deref());
    let mut ends_on = check::date(&mut p, "ends_on", input.ends_on.as_deref());
    let mut categories = check::list(&mut p, "categories", &input.categories, 4);
    let kind = kind_text.as_deref().and_then(CampaignKind::parse);
    if kind_text.is_some() && kind.is_none() {
        p.push(Problem::about(
            "kind",
            "应为 spring_festival、army_day 或 custom",
            "must be spring_festival, army_day or custom",
        ));
    }
    let defaults = match (kind, year) {
        (Some(k), Some(y)) => default_window(k, y as i32),
        _ => None,
    };
    if let Some((n, from, to)) = defaults {
        name.get_or_insert(n);
        starts_on.get_or_insert(from);
        ends_on.get_or_insert(to);
    } else if year.is_some() && starts_on.is_none() && kind == Some(CampaignKind::SpringFestival) {
        p.push(Problem::about(
            "year",
            "没有该年的春节日期，请填写起止日期",
            "has no known Spring Festival date; give the dates",
        ));
    }
    for (field, missing) in
        [("name", name.is_none()), ("starts_on", starts_on.is_none()), ("ends_on", ends_on.is_none())]
    {
        if missing && p.get(field).is_none() {
            p.push(Problem::required(field));
        }
    }
    if let (Some(a), Some(b)) = (starts_on, ends_on) {
        if b < a {
            p.push(Problem::about("ends_on", "不能早于开始日期", "must not be before starts_on"));
        }
    }
    if categories.is_empty() {
        categories = DEFAULT_TARGET_CATEGORIES.iter().map(|c| c.as_str().to_string()).collect();
    }
    if categories.iter().any(|c| Category::parse(c).is_none()) {
        p.push(Problem::about("categories", "含有未知类别", "holds an unknown category"));
    }
    let region_id = check::required(&mut p, "region_id", input.region_id);
    let (Some(name), Some(kind), Some(region_id), Some(starts_on), Some(ends_on)) =
        (name, kind, region_id, starts_on, ends_on)
    else {
        return Err(Error::invalid(p));
    };
    if !p.is_empty() {
        return Err(Error::invalid(p));
    }
    region_in_scope(app, caller, region_id).await?;
    Ok(CampaignDraft { name, kind, region_id, starts_on, ends_on, categories })
}

pub async fn create_campaign(app: &App, caller: &Caller, input: CampaignInput) -> Result<Campaign> {
    caller.ensure(caller.role.manages_roster())?;
    let c = checked_campaign(app, caller, &input).await?;
    let record = caller.record("create", "care_campaign", "", &c.name);
    let id = store::create_campaign(&app.db.pool, &c.as_new(), caller.user_id, Some(&record)).await?;
    store::campaign(&app.db.pool, id).await?.ok_or_else(Error::internal)
}

pub async fn update_campaign(app: &App, caller: &Caller, id: i64, patch: CampaignPatch) -> Result<Campaign> {
    let current = store::campaign(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    caller.ensure(caller.role.manages_roster())?;
    caller.ensure_covers(&current.region_path)?;
    let input = CampaignInput {
        name: patch.name.unwrap_or(Some(current.name)),
        kind: patch.kind.unwrap_or(Some(current.kind.as_str().to_string())),
        year: patch.year.flatten(),
        region_id: patch.region_id.unwrap_or(Some(current.region_id)),
        starts_on: patch.starts_on.unwrap_or(Some(current.starts_on.to_string())),
        ends_on: patch.ends_on.unwrap_or(Some(current.ends_on.to_string())),
        categories: patch
            .categories
            .unwrap_or_else(|| current.categories.iter().map(|c| c.as_str().to_string()).collect()),
    };
    let c = checked_campaign(app, caller, &input).await?;
    let record = caller.record("update", "care_campaign", id, &c.name);
    if !store::update_campaign(&app.db.pool, id, &c.as_new(), &record).await? {
        return Err(Error::not_found());
    }
    store::campaign(&app.db.pool, id).await?.ok_or_else(Error::not_found)
}

/// One village of a visit campaign's coverage. Named apart from the regions'
/// `VillageCoverage` (teams per village), which is another thing.
#[derive(Serialize, ToSchema, Clone)]
#[schema(as = CampaignVillageCoverage)]
pub struct VillageCoverage {
    pub region_id: i64,
    pub name: String,
    pub targeted: i64,
    pub visited: i64,
}

#[derive(Serialize, ToSchema, Clone)]
pub struct Unvisited {
    pub id: i64,
    pub name: String,
    pub category: Category,
    pub region_id: i64,
    pub region_name: String,
}

#[derive(Serialize, ToSchema, Clone)]
pub struct CampaignCoverage {
    pub targeted: i64,
    pub visited: i64,
    /// visited / targeted, 0..1 (1 when nobody is targeted).
    pub coverage: f64,
    pub by_village: Vec<VillageCoverage>,
    pub unvisited: Vec<Unvisited>,
}

/// A campaign and its coverage as far as the caller sees it: a team leader
/// sees their own village's part of a town campaign.
pub async fn campaign_coverage(app: &App, caller: &Caller, id: i64) -> Result<(Campaign, CampaignCoverage)> {
    let c = campaign(app, caller, id).await?;
    let within = if c.region_path.len() >= caller.scope_path().len() {
        c.region_path.clone()
    } else {
        caller.scope_path().to_string()
    };
    let rows = store::campaign_recipients(&app.db.pool, &c, &within).await?;
    let villages = region_store::list(&app.db.pool, Some(&within), Some(RegionKind::Village)).await?;
    let mut by_village: Vec<VillageCoverage> = Vec::new();
    let mut unvisited = Vec::new();
    let (mut targeted, mut visited) = (0, 0);
    for r in rows.iter().filter(|r| is_targeted(&r.categories(), &c.categories)) {
        targeted += 1;
        // the village a recipient lives in; one living above any village counts where they are
        let (vid, vname) = villages
            .iter()
            .find(|v| r.region_path.starts_with(&v.path))
            .map(|v| (v.id, v.name.clone()))
            .unwrap_or((r.region_id, r.region_name.clone()));
        let pos = match by_village.iter().position(|v| v.region_id == vid) {
            Some(p) => p,
            None => {
                by_village.push(VillageCoverage { region_id: vid, name: vname, targeted: 0, visited: 0 });
                by_village.len() - 1
            }
        };
        by_village[pos].targeted += 1;
        if r.visited {
            visited += 1;
            by_village[pos].visited += 1;
        } else {
            unvisited.push(Unvisited {
                id: r.id,
                name: r.name.clone(),
                category: r.category,
                region_id: r.region_id,
                region_name: r.region_name.clone(),
            });
        }
    }
    let cov = CampaignCoverage { targeted, visited, coverage: coverage(targeted, visited), by_village, unvisited };
    Ok((c, cov))
}
