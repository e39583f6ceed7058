//! Teams and their members.

use super::audit::{AuditTx, Record};
use super::{unique_violation, BeginWrite, Pool, Result, StoreError};
use crate::domain::team::TeamKind;
use crate::domain::validation::Problem;
use crate::on_db;
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub kind: TeamKind,
    pub region_id: i64,
    pub leader_id: Option<i64>,
    /// Number of members, for lists.
    pub member_count: i64,
    #[serde(skip)]
    pub region_path: String,
}

impl Team {
    pub fn kind(&self) -> TeamKind {
        self.kind
    }
}

pub struct TeamDraft {
    pub name: String,
    pub kind: TeamKind,
    pub region_id: i64,
    pub leader_id: Option<i64>,
}

const SELECT: &str = "SELECT t.id, t.name, t.kind, t.region_id, t.leader_id,
        (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id) AS member_count,
        r.path AS region_path
   FROM teams t JOIN regions r ON r.id = t.region_id";

pub async fn get(pool: &Pool, id: i64) -> Result<Option<Team>> {
    let sql = format!("{SELECT} WHERE t.id = $1");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Team>(&sql).bind(id).fetch_optional(p).await?))
}

pub async fn list(pool: &Pool, within: &str, kind: Option<TeamKind>) -> Result<Vec<Team>> {
    let sql = format!(
        "{SELECT} WHERE (r.path >= $1 AND r.path < $1 || '~') AND ($2 = '' OR t.kind = $2) ORDER BY r.path, t.id"
    );
    let prefix = within;
    let kind = kind.map(|k| k.as_str()).unwrap_or("");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Team>(&sql).bind(prefix).bind(kind).fetch_all(p).await?))
}

fn clash(e: sqlx::Error) -> StoreError {
    match unique_violation(
        &e,
        &[("name", Problem::about("name", "在该区域已有同名队伍", "is already used by a team in this region"))],
    ) {
        Some(p) => StoreError::invalid(p),
        None => e.into(),
    }
}

/// The leader must be a volunteer of the team's own region subtree.
async fn check_leader(pool: &Pool, region_path: &str, leader_id: Option<i64>) -> Result<()> {
    let Some(leader) = leader_id else {
        return Ok(());
    };
    let path: Option<String> = on_db!(pool, |p| sqlx::query_scalar(
        "SELECT r.path FROM volunteers v JOIN regions r ON r.id = v.region_id WHERE v.id = $1"
    )
    .bind(leader)
    .fetch_optional(p)
    .await?);
    match path {
        None => Err(StoreError::invalid(Problem::about("leader_id", "不存在", "does not exist"))),
        // A town squad's leader lives in one of the town's villages; a village
        // team's leader must live in that village.
        Some(p) if !p.starts_with(region_path) => Err(StoreError::invalid(Problem::about(
            "leader_id",
            "不在该队伍所属区域",
            "does not belong to the team's region",
        ))),
        Some(_) => Ok(()),
    }
}

pub async fn create(pool: &Pool, d: &TeamDraft, region_path: &str) -> Result<Team> {
    insert(pool, d, region_path, None).await
}

/// As `create`, writing the audit record (about the new team) in the same transaction.
pub async fn create_audited(pool: &Pool, d: &TeamDraft, region_path: &str, record: &Record) -> Result<Team> {
    insert(pool, d, region_path, Some(record)).await
}

async fn insert(pool: &Pool, d: &TeamDraft, region_path: &str, record: Option<&Record>) -> Result<Team> {
    check_leader(pool, region_path, d.leader_id).await?;
    let now = Utc::now();
    let id: i64 = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO teams (name, kind, region_id, leader_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&d.name)
        .bind(d.kind)
        .bind(d.region_id)
        .bind(d.leader_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(clash)?;
        // A leader is always a member of the team they lead.
        if let Some(leader) = d.leader_id {
            sqlx::query("INSERT INTO team_members (team_id, volunteer_id, joined_at) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(leader)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(record) = record {
            tx.audit(&record.clone().about(id).entry()).await?;
        }
        tx.commit().await?;
        id
    });
    get(pool, id).await?.ok_or(StoreError::NotFound)
}

/// Changes a team, with the audit record in the same transaction.
pub async fn update(pool: &Pool, id: i64, d: &TeamDraft, region_path: &str, record: &Record) -> Result<Team> {
    check_leader(pool, region_path, d.leader_id).await?;
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let done = sqlx::query("UPDATE teams SET name = $1, kind = $2, region_id = $3, leader_id = $4 WHERE id = $5")
            .bind(&d.name)
            .bind(d.kind)
            .bind(d.region_id)
            .bind(d.leader_id)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(clash)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if let Some(leader) = d.leader_id {
            sqlx::query(
                "INSERT INTO team_members (team_id, volunteer_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(leader)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
    });
    get(pool, id).await?.ok_or(StoreError::NotFound)
}

/// Adds a member; false when they were already on the team.
pub async fn add_member(pool: &Pool, team_id: i64, volunteer_id: i64) -> Result<bool> {
    join(pool, team_id, volunteer_id, None).await
}

/// As `add_member`; the audit record is written with the new membership (and
/// not at all when they were already on the team).
pub async fn add_member_audited(pool: &Pool, team_id: i64, volunteer_id: i64, record: &Record) -> Result<bool> {
    join(pool, team_id, volunteer_id, Some(record)).await
}

async fn join(pool: &Pool, team_id: i64, volunteer_id: i64, record: Option<&Record>) -> Result<bool> {
    let now = Utc::now();
    let res: Result<bool> = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO team_members (team_id, volunteer_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(team_id)
        .bind(volunteer_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if let (1, Some(record)) = (done, record) {
            tx.audit(&record.entry()).await?;
        }
        tx.commit().await?;
        Ok(done == 1)
    });
    res
}

/// Removes a member, with the audit record in the same transaction; false when
/// they were not on the team. The leader cannot leave.
pub async fn remove_member(pool: &Pool, team_id: i64, volunteer_id: i64, record: &Record) -> Result<bool> {
    let res: Result<bool> = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let leader: Option<Option<i64>> = sqlx::query_scalar("SELECT leader_id FROM teams WHERE id = $1")
            .bind(team_id)
            .fetch_optional(&mut *tx)
            .await?;
        if leader.flatten() == Some(volunteer_id) {
            return Err(StoreError::Conflict(crate::domain::error_code::ErrorCode::LeaderCannotLeave));
        }
        let done = sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND volunteer_id = $2")
            .bind(team_id)
            .bind(volunteer_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 1 {
            tx.audit(&record.entry()).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    });
    res
}

/// The team ids and names a volunteer belongs to.
pub async fn of_volunteer(pool: &Pool, volunteer_id: i64) -> Result<Vec<(i64, String, TeamKind)>> {
    Ok(on_db!(pool, |p| {
        sqlx::query_as::<_, (i64, String, TeamKind)>(
        "SELECT t.id, t.name, t.kind FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.volunteer_id = $1 ORDER BY t.id"
    )
    .bind(volunteer_id)
    .fetch_all(p)
    .await?
    }))
}
