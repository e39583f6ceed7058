//! Grids (网格化治理): what each grid's workers filed and saw done, and the
//! one-team-per-village coverage of the caller's area.

use super::{list_scope, App, Caller, Error, Result};
use crate::domain::grids::tally;
use crate::domain::validation::{Problem, Problems};
use crate::store::grids as store;
pub use crate::store::grids::GridCase;
use crate::store::regions as region_store;
pub use crate::store::regions::VillageCoverage;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema, Clone)]
pub struct GridStats {
    pub region_id: i64,
    pub name: String,
    /// The village the grid belongs to.
    pub village: Option<String>,
    /// Active volunteers attached to the grid.
    pub volunteers: i64,
    /// Needs of the grid filed in the period.
    pub cases_filed: i64,
    /// Needs of the grid completed in the period.
    pub cases_completed: i64,
    /// Cases filed in the period by category.
    pub by_category: BTreeMap<String, i64>,
}

fn day(field: &str, v: Option<&str>) -> Result<NaiveDate, Problem> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Err(Problem::required(field)),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| Problem::about(field, "应为 YYYY-MM-DD 格式的日期", "must be a date written YYYY-MM-DD")),
    }
}

/// The period of a query: both ends required, `to` not before `from`.
pub fn period(from: Option<&str>, to: Option<&str>) -> Result<(NaiveDate, NaiveDate)> {
    match (day("from", from), day("to", to)) {
        (Ok(f), Ok(t)) if f <= t => Ok((f, t)),
        (Ok(_), Ok(_)) => Err(Error::field(Problem::about("to", "不能早于起始日期", "must not be before from"))),
        (a, b) => {
            let mut ps = Problems::new();
            for r in [a, b] {
                if let Err(p) = r {
                    ps.push(p);
                }
            }
            Err(Error::invalid(ps))
        }
    }
}

/// The stats of every grid under `within`; the caller's right to read it is checked by the use cases.
async fn stats_for(app: &App, within: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<GridStats>> {
    let grids = store::under(&app.db.pool, within).await?;
    let people = store::volunteer_counts(&app.db.pool, within).await?;
    let counts = tally(&store::cases(&app.db.pool, within).await?, from, to);
    Ok(grids
        .into_iter()
        .map(|g| {
            let t = counts.get(&g.id).cloned().unwrap_or_default();
            GridStats {
                region_id: g.id,
                volunteers: people.iter().find(|(id, _)| *id == g.id).map(|(_, n)| *n).unwrap_or(0),
                name: g.name,
                village: g.village,
                cases_filed: t.filed,
                cases_completed: t.completed,
                by_category: t.by_category,
            }
        })
        .collect())
}

/// The grids under a region of the caller's scope (their whole scope by
/// default) over a period given as the query's text.
pub async fn stats(
    app: &App,
    caller: &Caller,
    region_id: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<GridStats>> {
    caller.ensure(caller.role.reads_roster())?;
    let within = list_scope(app, caller, region_id).await?;
    let (from, to) = period(from, to)?;
    stats_for(app, &within, from, to).await
}

/// What the grid page shows: the period (this month so far unless asked
/// otherwise), each grid's figures and the latest cases filed in grids.
pub struct Overview {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub grids: Vec<GridStats>,
    pub cases: Vec<GridCase>,
}

pub async fn overview(app: &App, caller: &Caller, from: Option<&str>, to: Option<&str>) -> Result<Overview> {
    use chrono::Datelike;
    caller.ensure(caller.role.reads_roster())?;
    let today = crate::domain::clock::today();
    let first = today.with_day0(0).unwrap_or(today).to_string();
    let (from, to) = period(Some(from.unwrap_or(&first)), Some(to.unwrap_or(&today.to_string())))?;
    let within = caller.scope_path();
    let grids = stats_for(app, within, from, to).await?;
    let cases = store::recent_cases(&app.db.pool, within, 30).await?;
    Ok(Overview { from, to, grids, cases })
}

/// "One village one team" over the caller's scope: every village with its teams and members.
pub async fn coverage(app: &App, caller: &Caller) -> Result<Vec<VillageCoverage>> {
    Ok(region_store::village_coverage(&app.db.pool, caller.scope_path()).await?)
}
