//! The summary report (统计汇总表) of a region for a period, and what the
//! `/reports` dashboard draws beside it.

use super::{query_int, App, Caller, Error, Result};
use crate::domain::region::RegionKind;
use crate::domain::report::Period;
use crate::domain::validation::Problem;
use crate::store::regions::{self as region_store, Region};
use crate::store::reports::{self as store, Signatures};

pub use crate::domain::report::Summary;

/// Who may read a region's figures: staff and admins, and team leaders for
/// their own village.
pub fn may_read_reports(caller: &Caller) -> bool {
    caller.role.runs_service()
}

/// What a summary is asked for with; every field as typed in the query.
#[derive(Debug, Default, Clone)]
pub struct SummaryAsk<'a> {
    /// The region whose whole subtree is counted; default: the caller's own.
    pub region_id: Option<&'a str>,
    /// First and last day of the period (YYYY-MM-DD, local, inclusive).
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    /// 填表人; default: the caller's user name.
    pub preparer: Option<&'a str>,
    /// 负责人.
    pub person_in_charge: Option<&'a str>,
}

/// The region a report is about, checked against the caller's scope.
pub async fn report_region(app: &App, caller: &Caller, region_id: Option<&str>) -> Result<Region> {
    caller.ensure(may_read_reports(caller))?;
    let region = match query_int("region_id", region_id)? {
        Some(id) => region_store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?,
        None => {
            let path = caller.scope_path().to_string();
            match path.trim_matches('/').rsplit('/').next().and_then(|s| s.parse::<i64>().ok()) {
                Some(id) => region_store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?,
                // the whole installation (an administrator): the topmost region there is
                None => region_store::list(&app.db.pool, Some(&path), None)
                    .await?
                    .into_iter()
                    .filter(|r| r.kind() != RegionKind::Grid)
                    .min_by_key(|r| (r.path.matches('/').count(), r.id))
                    .ok_or_else(|| Error::field(Problem::about("region_id", "必填", "is required")))?,
            }
        }
    };
    caller.ensure_covers(&region.path)?;
    Ok(region)
}

/// The standard summary of a region for a period.
pub async fn summary(app: &App, caller: &Caller, ask: &SummaryAsk<'_>) -> Result<Summary> {
    let region = report_region(app, caller, ask.region_id).await?;
    let period = Period::parse_report(ask.from, ask.to).map_err(Error::invalid)?;
    let text = |v: Option<&str>| v.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let sign = Signatures {
        prepared_by: text(ask.preparer).unwrap_or_else(|| caller.display_name.clone()),
        person_in_charge: text(ask.person_in_charge).unwrap_or_default(),
    };
    Ok(store::summary(&app.db.pool, &region, period, sign).await?)
}

/// The summary as the workbook handed upward.
pub fn workbook(s: &Summary) -> Result<Vec<u8>> {
    crate::workbooks::summary::workbook(s).map_err(|e| {
        tracing::error!("summary workbook: {e}");
        Error::internal()
    })
}

/// The regions a dashboard may be switched to: the caller's scope without grids.
pub async fn report_regions(app: &App, caller: &Caller) -> Result<Vec<Region>> {
    Ok(region_store::list(&app.db.pool, Some(caller.scope_path()), None)
        .await?
        .into_iter()
        .filter(|r| r.kind() != RegionKind::Grid)
        .collect())
}

/// One village one team: the share of a region's villages that have a team.
pub async fn team_coverage(app: &App, caller: &Caller, region_id: i64) -> Result<f64> {
    let r = region_store::get(&app.db.pool, region_id).await?.ok_or_else(Error::not_found)?;
    caller.ensure_covers(&r.path)?;
    let coverage = region_store::village_coverage(&app.db.pool, &r.path).await?;
    let covered = coverage.iter().filter(|v| v.teams > 0).count();
    Ok(if coverage.is_empty() { 0.0 } else { covered as f64 / coverage.len() as f64 })
}
