//! Regions: county, town, village and grid, and one-team-per-village coverage.

use super::volunteers::present;
use super::{list_scope, App, Caller, Error, Result};
use crate::domain::account::Role;
use crate::domain::geo::LatLon;
use crate::domain::input::de;
use crate::domain::region::RegionKind;
use crate::domain::validation::{Problem, Problems};
use crate::domain::volunteer::read;
use crate::store::regions::{self as store, NewRegion};
pub use crate::store::regions::{Region, VillageCoverage};
use crate::store::settings;
pub use crate::store::settings::TownRules;
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// The regions inside the caller's scope (the whole tree for an admin), in
/// tree order, optionally of one kind: what the pages' pickers offer.
pub async fn in_scope(app: &App, caller: &Caller, kind: Option<RegionKind>) -> Result<Vec<Region>> {
    Ok(store::list(&app.db.pool, Some(caller.scope_path()), kind).await?)
}

/// The first region of the caller's scope (their town, say): where a page's
/// "new" form files things by default.
pub async fn home_region(app: &App, caller: &Caller) -> Result<Option<Region>> {
    Ok(in_scope(app, caller, None).await?.into_iter().next())
}

/// A region the caller may see; forbidden outside their scope.
pub async fn visible(app: &App, caller: &Caller, id: i64) -> Result<Region> {
    let r = store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    caller.ensure_covers(&r.path)?;
    Ok(r)
}

/// A region by id without a scope check, for use cases that check scope
/// themselves against what the region holds.
pub async fn get(app: &App, id: i64) -> Result<Option<Region>> {
    Ok(store::get(&app.db.pool, id).await?)
}

/// The town a region belongs to (itself when it is a town).
pub async fn town_of(app: &App, region_id: i64) -> Result<Region> {
    Ok(store::town_of(&app.db.pool, region_id).await?)
}

/// The rules in force for a region: its town's, or the defaults.
pub async fn rules_for(app: &App, region_path: &str) -> Result<TownRules> {
    Ok(settings::rules_for(&app.db.pool, region_path).await?)
}

#[derive(Deserialize, IntoParams)]
pub struct RegionQuery {
    /// Only this region and everything under it.
    pub region_id: Option<String>,
    /// county, town, village or grid.
    pub kind: Option<String>,
}

fn kind_problem() -> Problem {
    Problem::about("kind", "应为 county、town、village 或 grid", "must be county, town, village or grid")
}

/// The regions of a subtree inside the caller's scope, optionally of one kind.
pub async fn list(app: &App, caller: &Caller, q: &RegionQuery) -> Result<Vec<Region>> {
    let within = list_scope(app, caller, q.region_id.as_deref()).await?;
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(RegionKind::parse(k).ok_or_else(|| Error::field(kind_problem()))?),
    };
    Ok(store::list(&app.db.pool, Some(&within), kind).await?)
}

/// A new region.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RegionInput {
    #[serde(default, deserialize_with = "de::text")]
    pub name: Option<String>,
    /// county, town, village or grid; it must fit under the parent (county > town > village > grid).
    #[serde(default, deserialize_with = "de::text")]
    pub kind: Option<String>,
    /// Empty for a root, which only an administrator makes.
    #[serde(default, deserialize_with = "de::int")]
    pub parent_id: Option<i64>,
    #[serde(default, deserialize_with = "de::float")]
    pub lat: Option<f64>,
    #[serde(default, deserialize_with = "de::float")]
    pub lon: Option<f64>,
}

pub async fn create(app: &App, caller: &Caller, i: RegionInput) -> Result<Region> {
    caller.ensure(caller.role.manages_roster())?;
    let mut problems = Problems::new();
    let p = &mut problems;
    let name = read::required_text(p, "name", i.name.as_deref(), 40);
    let kind_text = read::required_text(p, "kind", i.kind.as_deref(), 20);
    let position = LatLon::parse_pair(i.lat, i.lon, p);
    let kind = kind_text.as_deref().and_then(|k| {
        let parsed = RegionKind::parse(k);
        if parsed.is_none() {
            p.push(kind_problem());
        }
        parsed
    });
    let (Some(name), Some(kind)) = (name, kind) else {
        return Err(Error::invalid(problems));
    };
    if !problems.is_empty() {
        return Err(Error::invalid(problems));
    }
    // Staff create below their own region; only an administrator makes roots.
    match i.parent_id {
        None => caller.ensure(caller.scope.region_path.is_none() && caller.role == Role::Admin)?,
        Some(pid) => {
            if let Some(parent) = store::get(&app.db.pool, pid).await? {
                caller.ensure_covers(&parent.path)?;
            }
        }
    }
    let record = caller.record("create", "region", "", &name);
    Ok(store::create_audited(&app.db.pool, &NewRegion { name, kind, parent_id: i.parent_id, position }, &record)
        .await?)
}

/// A region added under another from the tree page: its kind follows from the
/// parent (county → town → village → grid).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ChildRegionInput {
    #[serde(default, deserialize_with = "de::text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::int")]
    pub parent_id: Option<i64>,
    #[serde(default, deserialize_with = "de::float")]
    pub lat: Option<f64>,
    #[serde(default, deserialize_with = "de::float")]
    pub lon: Option<f64>,
}

pub async fn add_child(app: &App, caller: &Caller, i: ChildRegionInput) -> Result<Region> {
    caller.ensure(caller.role.manages_roster())?;
    let mut problems = Problems::new();
    let p = &mut problems;
    let name = read::required_text(p, "name", i.name.as_deref(), 40);
    let parent_id = read::required(p, "parent_id", i.parent_id);
    let position = LatLon::parse_pair(i.lat, i.lon, p);
    let parent = match parent_id {
        Some(id) => store::get(&app.db.pool, id).await.ok().flatten(),
        None => None,
    };
    match (name, parent) {
        (Some(name), Some(parent)) if problems.is_empty() => {
            caller.ensure_covers(&parent.path)?;
            let kind = match parent.kind() {
                RegionKind::County => RegionKind::Town,
                RegionKind::Town => RegionKind::Village,
                _ => RegionKind::Grid,
            };
            let record = caller.record("create", "region", "", &name);
            let new = NewRegion { name, kind, parent_id: Some(parent.id), position };
            Ok(store::create_audited(&app.db.pool, &new, &record).await?)
        }
        (_, parent) => {
            if parent.is_none() {
                problems.push(Problem::about("parent_id", "不存在", "does not exist"));
            }
            Err(Error::invalid(problems))
        }
    }
}

/// A change to a region: its name and point. `kind` and `parent_id` may be
/// echoed back, never changed.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RegionPatch {
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present::float")]
    #[schema(value_type = Option<f64>)]
    pub lat: Option<Option<f64>>,
    #[serde(default, deserialize_with = "present::float")]
    #[schema(value_type = Option<f64>)]
    pub lon: Option<Option<f64>>,
    #[serde(default, deserialize_with = "present::raw")]
    #[schema(value_type = Option<String>)]
    pub kind: Option<Value>,
    #[serde(default, deserialize_with = "present::raw")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Value>,
}

pub async fn update(app: &App, caller: &Caller, id: i64, patch: RegionPatch) -> Result<Region> {
    let current = visible(app, caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    let mut problems = Problems::new();
    if patch.kind.as_ref().is_some_and(|v| v.as_str() != Some(current.kind.as_str())) {
        problems.push(Problem::about("kind", "创建后不能修改", "cannot be changed after creation"));
    }
    // an echo of the parent as it is (null for the top) is fine; anything else,
    // a number or not, is a change
    let same_parent = |v: &Value| match v {
        Value::Null => current.parent_id.is_none(),
        v => v.as_i64().is_some() && v.as_i64() == current.parent_id,
    };
    if patch.parent_id.as_ref().is_some_and(|v| !same_parent(v)) {
        problems.push(Problem::about("parent_id", "创建后不能修改", "cannot be changed after creation"));
    }
    let name = match patch.name {
        Some(n) => read::required_text(&mut problems, "name", n.as_deref(), 40),
        None => Some(current.name.clone()),
    };
    let lat = patch.lat.unwrap_or(current.lat);
    let lon = patch.lon.unwrap_or(current.lon);
    let position = LatLon::parse_pair(lat, lon, &mut problems);
    match name {
        Some(name) if problems.is_empty() => {
            let record = caller.record("update", "region", id, &name);
            Ok(store::update(&app.db.pool, id, &name, position, &record).await?)
        }
        _ => Err(Error::invalid(problems)),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct CoverageQuery {
    pub region_id: Option<String>,
}

/// "One village one team": every village of a subtree in the caller's scope
/// with its number of teams and members, those with none first.
pub async fn coverage(app: &App, caller: &Caller, q: &CoverageQuery) -> Result<Vec<VillageCoverage>> {
    caller.ensure(caller.role.reads_roster())?;
    let within = list_scope(app, caller, q.region_id.as_deref()).await?;
    Ok(store::village_coverage(&app.db.pool, &within).await?)
}

/// The coverage of the caller's whole scope (the coverage page and the dashboard).
pub async fn coverage_in_scope(app: &App, caller: &Caller) -> Result<Vec<VillageCoverage>> {
    Ok(store::village_coverage(&app.db.pool, caller.scope_path()).await?)
}
