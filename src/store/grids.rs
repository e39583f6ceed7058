//! Grids (网格) as a place of work: the grids of a subtree, who is attached to
//! them, and the cases their workers filed.

use super::{Pool, Result};
use crate::domain::grids::Case;
use crate::on_db;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Grid {
    pub id: i64,
    pub name: String,
    pub path: String,
    pub village_id: Option<i64>,
    pub village: Option<String>,
}

/// The grids under `within`, in tree order, with the village above each.
pub async fn under(pool: &Pool, within: &str) -> Result<Vec<Grid>> {
    Ok(on_db!(pool, |p| sqlx::query_as(
        "SELECT g.id, g.name, g.path, v.id AS village_id, v.name AS village
           FROM regions g LEFT JOIN regions v ON v.id = g.parent_id
          WHERE g.kind = 'grid' AND (g.path >= $1 AND g.path < $1 || '~') ORDER BY g.path"
    )
    .bind(within)
    .fetch_all(p)
    .await?))
}

/// Attaches a volunteer to a grid, or detaches them with `None`; the caller
/// has checked that the grid lies under the volunteer's village.
pub async fn attach(pool: &Pool, volunteer_id: i64, grid_id: Option<i64>) -> Result<()> {
    on_db!(pool, |p| {
        sqlx::query("UPDATE volunteers SET grid_id = $1 WHERE id = $2")
            .bind(grid_id)
            .bind(volunteer_id)
            .execute(p)
            .await?;
    });
    Ok(())
}

/// Active volunteers attached to each grid under `within`.
pub async fn volunteer_counts(pool: &Pool, within: &str) -> Result<Vec<(i64, i64)>> {
    Ok(on_db!(pool, |p| sqlx::query_as(
        "SELECT v.grid_id, COUNT(*) FROM volunteers v JOIN regions g ON g.id = v.grid_id
          WHERE (g.path >= $1 AND g.path < $1 || '~') AND v.status = 'active' GROUP BY v.grid_id"
    )
    .bind(within)
    .fetch_all(p)
    .await?))
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    region_id: i64,
    category: String,
    filed_at: DateTime<Utc>,
    completed_at: Option<DateTime<Utc>>,
}

/// Every need filed in a grid under `within`; the period is applied in local
/// days by the caller, which a text comparison of stored times could not do
/// the same way on both databases.
pub async fn cases(pool: &Pool, within: &str) -> Result<Vec<Case>> {
    let rows: Vec<CaseRow> = on_db!(pool, |p| {
        sqlx::query_as(
        "SELECT n.region_id, n.category, n.filed_at, n.completed_at FROM needs n JOIN regions g ON g.id = n.region_id
          WHERE g.kind = 'grid' AND (g.path >= $1 AND g.path < $1 || '~')"
    )
    .bind(within)
    .fetch_all(p)
    .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| Case {
            grid_id: r.region_id,
            category: r.category,
            filed_at: r.filed_at,
            completed_at: r.completed_at,
        })
        .collect())
}

/// An incident or case filed in a grid, for the grid page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GridCase {
    pub id: i64,
    pub title: String,
    pub category: String,
    #[sqlx(try_from = "String")]
    pub status: crate::domain::needs::NeedStatus,
    pub region_id: i64,
    pub grid: String,
    pub filed_at: DateTime<Utc>,
}

/// The latest cases filed in grids under `within`.
pub async fn recent_cases(pool: &Pool, within: &str, limit: i64) -> Result<Vec<GridCase>> {
    Ok(on_db!(pool, |p| sqlx::query_as(
        "SELECT n.id, n.title, n.category, n.status, n.region_id, g.name AS grid, n.filed_at
           FROM needs n JOIN regions g ON g.id = n.region_id
          WHERE g.kind = 'grid' AND (g.path >= $1 AND g.path < $1 || '~') ORDER BY n.filed_at DESC, n.id DESC LIMIT $2"
    )
    .bind(within)
    .bind(limit)
    .fetch_all(p)
    .await?))
}
