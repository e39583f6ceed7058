//! `/api/v1/grids/stats`: what each grid's workers filed and saw done.

use super::list_scope;
use crate::domain::grids::tally;
use crate::domain::validation::Problem;
use crate::store::grids as store;
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct GridQuery {
    /// The grids under this region (default: the caller's scope).
    pub region_id: Option<String>,
    /// First day, YYYY-MM-DD (local time, UTC+8).
    pub from: Option<String>,
    /// Last day, inclusive.
    pub to: Option<String>,
}

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
pub fn period(from: Option<&str>, to: Option<&str>) -> ApiResult<(NaiveDate, NaiveDate)> {
    match (day("from", from), day("to", to)) {
        (Ok(f), Ok(t)) if f <= t => Ok((f, t)),
        (Ok(_), Ok(_)) => Err(ApiError::field(Problem::about("to", "不能早于起始日期", "must not be before from"))),
        (a, b) => {
            let mut ps = crate::domain::validation::Problems::new();
            for r in [a, b] {
                if let Err(p) = r {
                    ps.push(p);
                }
            }
            Err(ApiError::invalid(ps))
        }
    }
}

/// The stats of every grid under `within`.
pub async fn stats_for(state: &AppState, within: &str, from: NaiveDate, to: NaiveDate) -> ApiResult<Vec<GridStats>> {
    let grids = store::under(&state.db.pool, within).await?;
    let people = store::volunteer_counts(&state.db.pool, within).await?;
    let counts = tally(&store::cases(&state.db.pool, within).await?, from, to);
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

#[utoipa::path(get, path = "/api/v1/grids/stats", tag = "regions", params(GridQuery), security(("bearer" = [])),
    responses((status = 200, body = [GridStats]), (status = 403), (status = 422)))]
pub async fn stats(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<GridQuery>,
) -> ApiResult<Json<Vec<GridStats>>> {
    caller.ensure(caller.role.reads_roster())?;
    let within = list_scope(&state, &caller, q.region_id.as_deref()).await?;
    let (from, to) = period(q.from.as_deref(), q.to.as_deref())?;
    Ok(Json(stats_for(&state, &within, from, to).await?))
}
