//! Regions and the tree they form.

use super::audit::{AuditTx, Record};
use super::{unique_violation, BeginWrite, Pool, Result, StoreError};
use crate::domain::geo::LatLon;
use crate::domain::region::{child_path, RegionKind};
use crate::domain::validation::Problem;
use crate::on_db;
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Region {
    pub id: i64,
    pub name: String,
    pub kind: RegionKind,
    pub parent_id: Option<i64>,
    #[serde(skip)]
    pub path: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

impl Region {
    pub fn kind(&self) -> RegionKind {
        self.kind
    }
}

pub struct NewRegion {
    pub name: String,
    pub kind: RegionKind,
    pub parent_id: Option<i64>,
    pub position: Option<LatLon>,
}

const COLUMNS: &str = "id, name, kind, parent_id, path, lat, lon";

/// A row of `COLUMNS` read by the SQLite reader.
fn row_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Region> {
    Ok(Region {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: super::reader::parsed(r, 2, RegionKind::parse)?,
        parent_id: r.get(3)?,
        path: r.get(4)?,
        lat: r.get(5)?,
        lon: r.get(6)?,
    })
}

pub async fn get(pool: &Pool, id: i64) -> Result<Option<Region>> {
    let sql = format!("SELECT {COLUMNS} FROM regions WHERE id = $1");
    if let Some(reader) = super::reader_of(pool) {
        return Ok(reader.all(&sql, &[super::reader::Arg::Int(id)], row_of).await?.pop());
    }
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Region>(&sql).bind(id).fetch_optional(p).await?))
}

/// Regions inside `within` (a path prefix), optionally of one kind, in tree order.
pub async fn list(pool: &Pool, within: Option<&str>, kind: Option<RegionKind>) -> Result<Vec<Region>> {
    let sql = format!("SELECT {COLUMNS} FROM regions WHERE (path >= $1 AND path < $1 || '~') AND ($2 = '' OR kind = $2) ORDER BY path");
    let prefix = within.unwrap_or("/");
    let kind = kind.map(|k| k.as_str()).unwrap_or("");
    // every page's region picker reads this: kept until the database changes
    let key = format!("regions::list\u{1f}{prefix}\u{1f}{kind}");
    super::kept_or(pool, key, || async {
        if let Some(reader) = super::reader_of(pool) {
            use super::reader::Arg;
            return reader.all(&sql, &[Arg::Text(prefix), Arg::Text(kind)], row_of).await;
        }
        Ok(on_db!(pool, |p| sqlx::query_as::<_, Region>(&sql).bind(prefix).bind(kind).fetch_all(p).await?))
    })
    .await
}

/// The chain from the root down to `id`, for breadcrumbs and for naming a
/// volunteer's village and town.
pub async fn ancestry(pool: &Pool, region: &Region) -> Result<Vec<Region>> {
    ancestry_of(pool, &region.path).await
}

/// The chain from the root down to the region at `path` (its ids are in it).
pub async fn ancestry_of(pool: &Pool, path: &str) -> Result<Vec<Region>> {
    let ids: Vec<i64> = path.split('/').filter_map(|s| s.parse().ok()).collect();
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM regions WHERE id IN ({}) ORDER BY length(path)",
        super::placeholders(1, ids.len())
    );
    if let Some(reader) = super::reader_of(pool) {
        let args: Vec<super::reader::Arg> = ids.iter().map(|i| super::reader::Arg::Int(*i)).collect();
        return reader.all(&sql, &args, row_of).await;
    }
    Ok(on_db!(pool, |p| {
        let mut q = sqlx::query_as::<_, Region>(&sql);
        for id in &ids {
            q = q.bind(id);
        }
        q.fetch_all(p).await?
    }))
}

fn duplicate_name() -> Problem {
    Problem::about("name", "在同一上级区域下已存在", "already exists under the same parent region")
}

pub async fn create(pool: &Pool, new: &NewRegion) -> Result<Region> {
    insert(pool, new, None).await
}

/// As `create`, writing the audit record (about the new region) in the same transaction.
pub async fn create_audited(pool: &Pool, new: &NewRegion, record: &Record) -> Result<Region> {
    insert(pool, new, Some(record)).await
}

async fn insert(pool: &Pool, new: &NewRegion, record: Option<&Record>) -> Result<Region> {
    let now = Utc::now();
    let res: std::result::Result<Region, StoreError> = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let parent_path: Option<String> = match new.parent_id {
            None => None,
            Some(pid) => {
                let row: Option<(RegionKind, String)> = sqlx::query_as("SELECT kind, path FROM regions WHERE id = $1")
                    .bind(pid)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some((kind, path)) = row else {
                    return Err(StoreError::invalid(Problem::about("parent_id", "不存在", "does not exist")));
                };
                if !new.kind.may_be_child_of(Some(kind)) {
                    return Err(StoreError::invalid(Problem::about(
                        "kind",
                        "不能设在该上级区域之下（县>乡镇>村(社区)>网格）",
                        "cannot sit under that parent (county > town > village > grid)",
                    )));
                }
                Some(path)
            }
        };
        if new.parent_id.is_none() && !new.kind.may_be_child_of(None) {
            return Err(StoreError::invalid(Problem::about("parent_id", "不能为空", "is required for this kind")));
        }
        let inserted = sqlx::query_scalar::<_, i64>(
            "INSERT INTO regions (name, kind, parent_id, path, lat, lon, created_at) VALUES ($1, $2, $3, '', $4, $5, $6) RETURNING id",
        )
        .bind(&new.name)
        .bind(new.kind)
        .bind(new.parent_id)
        .bind(new.position.map(|p| p.lat))
        .bind(new.position.map(|p| p.lon))
        .bind(now)
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Ok(id) => id,
            Err(e) => {
                return Err(match unique_violation(&e, &[("name", duplicate_name())]) {
                    Some(p) => StoreError::invalid(p),
                    None => e.into(),
                })
            }
        };
        let path = child_path(parent_path.as_deref(), id);
        sqlx::query("UPDATE regions SET path = $1 WHERE id = $2").bind(&path).bind(id).execute(&mut *tx).await?;
        if let Some(record) = record {
            tx.audit(&record.clone().about(id).entry()).await?;
        }
        tx.commit().await?;
        Ok(Region {
            id,
            name: new.name.clone(),
            kind: new.kind,
            parent_id: new.parent_id,
            path,
            lat: new.position.map(|p| p.lat),
            lon: new.position.map(|p| p.lon),
        })
    });
    res
}

/// Renames a region or moves its point, with the audit record in the same transaction.
pub async fn update(pool: &Pool, id: i64, name: &str, position: Option<LatLon>, record: &Record) -> Result<Region> {
    let res: Result<()> = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let done = sqlx::query("UPDATE regions SET name = $1, lat = $2, lon = $3 WHERE id = $4")
            .bind(name)
            .bind(position.map(|x| x.lat))
            .bind(position.map(|x| x.lon))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| match unique_violation(&e, &[("name", duplicate_name())]) {
                Some(p) => StoreError::invalid(p),
                None => e.into(),
            })?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        Ok(())
    });
    res?;
    get(pool, id).await?.ok_or(StoreError::NotFound)
}

/// A village of the coverage view ("one village one team") with its count of
/// teams and members.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct VillageCoverage {
    pub region_id: i64,
    pub name: String,
    pub town_name: Option<String>,
    pub teams: i64,
    pub members: i64,
}

pub async fn village_coverage(pool: &Pool, within: &str) -> Result<Vec<VillageCoverage>> {
    let sql = "SELECT v.id AS region_id, v.name, t.name AS town_name,
                (SELECT COUNT(*) FROM teams tm WHERE tm.region_id = v.id) AS teams,
                (SELECT COUNT(DISTINCT m.volunteer_id) FROM teams tm JOIN team_members m ON m.team_id = tm.id
                   WHERE tm.region_id = v.id) AS members
               FROM regions v LEFT JOIN regions t ON t.id = v.parent_id
              WHERE v.kind = 'village' AND (v.path >= $1 AND v.path < $1 || '~')
              ORDER BY teams, v.path";
    let prefix = within;
    Ok(on_db!(pool, |p| sqlx::query_as::<_, VillageCoverage>(sql).bind(prefix).fetch_all(p).await?))
}

/// The town a region belongs to: itself if it is a town, else its nearest
/// town ancestor; a region with no town above it (a county) stands for itself.
/// Towns may be roots, so this is read from the tree, not from path depth.
/// As `town_of`, for the region at `path`, in one statement.
pub async fn town_of_path(pool: &Pool, path: &str) -> Result<Region> {
    let mut chain = ancestry_of(pool, path).await?;
    match chain.iter().rposition(|r| r.kind() == RegionKind::Town) {
        Some(i) => Ok(chain.swap_remove(i)),
        None => chain.pop().ok_or(StoreError::NotFound),
    }
}

pub async fn town_of(pool: &Pool, region_id: i64) -> Result<Region> {
    let region = get(pool, region_id).await?.ok_or(StoreError::NotFound)?;
    Ok(ancestry(pool, &region).await?.into_iter().rev().find(|r| r.kind() == RegionKind::Town).unwrap_or(region))
}
