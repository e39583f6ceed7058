//! The first page after signing in: real counts of the caller's area, read in
//! one place so the page itself stays an adapter.

use super::{App, Caller, Result};
pub use crate::store::regions::VillageCoverage;
pub use crate::store::teams::Team;
use crate::store::{needs, regions, teams, volunteers};

pub struct Figures {
    /// The caller's area by name; `None` for the whole tree.
    pub area: Option<String>,
    pub active: i64,
    pub applicants: i64,
    pub inactive: i64,
    /// Every village in scope with how many teams it has.
    pub coverage: Vec<VillageCoverage>,
    pub teams: Vec<Team>,
    /// Open needs past their deadline: escalated to the station's staff here.
    pub overdue: i64,
}

pub async fn figures(app: &App, caller: &Caller) -> Result<Figures> {
    let within = caller.scope_path().to_string();
    let pool = &app.db.pool;
    let (active, applicants, inactive) = volunteers::status_counts(pool, &within).await?;
    let area = match &caller.scope.region_path {
        None => None,
        Some(_) => {
            let own = regions::list(pool, Some(&within), None).await?;
            Some(own.first().map(|r| r.name.clone()).unwrap_or_default())
        }
    };
    Ok(Figures {
        area,
        active,
        applicants,
        inactive,
        coverage: regions::village_coverage(pool, &within).await?,
        teams: teams::list(pool, &within, None).await?,
        overdue: needs::count_overdue(pool, &within).await?,
    })
}
