//! Regions: county, town, village and grid, and one-team-per-village coverage.

use super::{App, Caller, Error, Result};
use crate::domain::region::RegionKind;
use crate::store::regions as store;
pub use crate::store::regions::Region;
use crate::store::settings;
pub use crate::store::settings::TownRules;

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
