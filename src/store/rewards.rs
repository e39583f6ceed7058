//! The rewards shop (爱心超市): a catalogue with stock, redemptions that spend
//! points, and a stock ledger that reconciles.

use super::audit::{AuditTx, Record};
use super::{BeginWrite, Pool, Result, StoreError};
use crate::domain::points::LedgerSource;
use crate::on_db;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Reward {
    pub id: i64,
    pub region_id: i64,
    pub name: String,
    /// Points for one.
    pub points: i64,
    pub stock: i64,
    pub active: bool,
    #[serde(skip)]
    pub region_path: String,
}

const SELECT: &str = "SELECT w.id, w.region_id, w.name, w.points, w.stock, w.active, r.path AS region_path
   FROM rewards w JOIN regions r ON r.id = w.region_id";

pub async fn get(pool: &Pool, id: i64) -> Result<Option<Reward>> {
    let sql = format!("{SELECT} WHERE w.id = $1");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Reward>(&sql).bind(id).fetch_optional(p).await?))
}

/// Rewards a volunteer of `path` can see: those of their region and above, and
/// for staff those below.
pub async fn list_around(pool: &Pool, path: &str) -> Result<Vec<Reward>> {
    let sql = format!(
        "{SELECT} WHERE $1 LIKE r.path || '%' OR (r.path >= $2 AND r.path < $2 || '~') ORDER BY w.points, w.id"
    );
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Reward>(&sql).bind(path).bind(path).fetch_all(p).await?))
}

/// Puts a reward on the shelf with its initial stock as the first counted
/// move; `record` is written in the same transaction, about the new id (the
/// demo town's shop is stocked without one).
pub async fn create(
    pool: &Pool,
    region_id: i64,
    name: &str,
    points: i64,
    stock: i64,
    by: i64,
    record: Option<&Record>,
) -> Result<i64> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO rewards (region_id, name, points, stock, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(region_id)
        .bind(name)
        .bind(points)
        .bind(stock)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO reward_stock_moves (reward_id, change, reason, created_by, created_at) VALUES ($1, $2, '初始库存', $3, $4)")
            .bind(id)
            .bind(stock)
            .bind(by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if let Some(r) = record {
            tx.audit(&r.clone().about(id).entry()).await?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

/// Changes name, price, active flag, and stock by a counted move (restock or write-off).
#[allow(clippy::too_many_arguments)]
pub async fn update(
    pool: &Pool,
    id: i64,
    name: &str,
    points: i64,
    active: bool,
    stock_change: i64,
    reason: &str,
    by: i64,
    record: &Record,
) -> Result<()> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let done = sqlx::query(
            "UPDATE rewards SET name = $1, points = $2, active = $3, stock = stock + $4 WHERE id = $5 AND stock + $4 >= 0",
        )
        .bind(name)
        .bind(points)
        .bind(active)
        .bind(stock_change)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(StoreError::Conflict(crate::domain::error_code::ErrorCode::OutOfStock));
        }
        if stock_change != 0 {
            sqlx::query("INSERT INTO reward_stock_moves (reward_id, change, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(stock_change)
                .bind(reason)
                .bind(by)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        Ok(())
    })
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Redemption {
    pub id: i64,
    pub volunteer_id: i64,
    pub reward_id: i64,
    pub reward_name: String,
    pub quantity: i64,
    pub points: i64,
    pub created_at: DateTime<Utc>,
}

/// Spends points on a reward. Both the volunteer's balance and the reward's
/// stock are checked and changed inside one transaction that holds them, so
/// parallel redemptions can never take either below zero.
pub async fn redeem(
    pool: &Pool,
    volunteer_id: i64,
    reward_id: i64,
    quantity: i64,
    by: i64,
    record: &Record,
) -> Result<Redemption> {
    let now = Utc::now();
    // PostgreSQL: lock the volunteer and the reward rows, always in that order;
    // SQLite: BEGIN IMMEDIATE already serialises writers.
    let lock_v = super::locking(pool, "SELECT id FROM volunteers WHERE id = $1");
    let lock_r = super::locking(pool, "SELECT points, stock, active FROM rewards WHERE id = $1");
    let id: Result<i64> = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let v: Option<i64> = sqlx::query_scalar(&lock_v).bind(volunteer_id).fetch_optional(&mut *tx).await?;
        if v.is_none() {
            return Err(StoreError::NotFound);
        }
        let row: Option<(i64, i64, bool)> = sqlx::query_as(&lock_r).bind(reward_id).fetch_optional(&mut *tx).await?;
        let Some((price, stock, active)) = row else { return Err(StoreError::NotFound) };
        if !active || stock < quantity {
            return Err(StoreError::Conflict(crate::domain::error_code::ErrorCode::OutOfStock));
        }
        let cost = price
            .checked_mul(quantity)
            .ok_or(StoreError::Conflict(crate::domain::error_code::ErrorCode::InsufficientPoints))?;
        let balance: Option<i64> =
            sqlx::query_scalar("SELECT CAST(SUM(points) AS BIGINT) FROM points_ledger WHERE volunteer_id = $1")
                .bind(volunteer_id)
                .fetch_one(&mut *tx)
                .await?;
        if balance.unwrap_or(0) < cost {
            return Err(StoreError::Conflict(crate::domain::error_code::ErrorCode::InsufficientPoints));
        }
        let taken = sqlx::query("UPDATE rewards SET stock = stock - $1 WHERE id = $2 AND stock >= $1")
            .bind(quantity)
            .bind(reward_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if taken != 1 {
            return Err(StoreError::Conflict(crate::domain::error_code::ErrorCode::OutOfStock));
        }
        let rid: i64 = sqlx::query_scalar(
            "INSERT INTO redemptions (volunteer_id, reward_id, quantity, points, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(volunteer_id)
        .bind(reward_id)
        .bind(quantity)
        .bind(cost)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO points_ledger (volunteer_id, points, source, source_id, reason, unique_key, created_by, created_at)
             VALUES ($1, $2, $7, $3, '爱心超市兑换', $4, $5, $6)",
        )
        .bind(volunteer_id)
        .bind(-cost)
        .bind(rid.to_string())
        .bind(format!("redemption:{rid}"))
        .bind(by)
        .bind(now)
        .bind(LedgerSource::Redemption.as_str())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO reward_stock_moves (reward_id, change, reason, redemption_id, created_by, created_at) VALUES ($1, $2, '兑换', $3, $4, $5)",
        )
        .bind(reward_id)
        .bind(-quantity)
        .bind(rid)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        Ok(rid)
    });
    let id = id?;
    let list = redemptions(pool, Some(volunteer_id), None).await?;
    list.into_iter().find(|r| r.id == id).ok_or(StoreError::NotFound)
}

pub async fn redemptions(pool: &Pool, volunteer_id: Option<i64>, reward_id: Option<i64>) -> Result<Vec<Redemption>> {
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Redemption>(
        "SELECT d.id, d.volunteer_id, d.reward_id, w.name AS reward_name, d.quantity, d.points, d.created_at
           FROM redemptions d JOIN rewards w ON w.id = d.reward_id
          WHERE ($1 = 0 OR d.volunteer_id = $1) AND ($2 = 0 OR d.reward_id = $2) ORDER BY d.id DESC"
    )
    .bind(volunteer_id.unwrap_or(0))
    .bind(reward_id.unwrap_or(0))
    .fetch_all(p)
    .await?))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Reconciliation {
    pub reward_id: i64,
    /// Stock put in: the initial stock and every restock.
    pub stocked: i64,
    /// Items handed out through redemptions.
    pub redeemed: i64,
    /// Write-offs and corrections (negative moves that are not redemptions).
    pub written_off: i64,
    pub stock: i64,
    /// stocked − redeemed − written_off = stock
    pub balanced: bool,
}

pub async fn reconcile(pool: &Pool, reward_id: i64) -> Result<Reconciliation> {
    let reward = get(pool, reward_id).await?.ok_or(StoreError::NotFound)?;
    let (stocked, written_off): (Option<i64>, Option<i64>) = on_db!(pool, |p| sqlx::query_as(
        "SELECT CAST(SUM(CASE WHEN change > 0 THEN change ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN change < 0 AND redemption_id IS NULL THEN -change ELSE 0 END) AS BIGINT)
           FROM reward_stock_moves WHERE reward_id = $1"
    )
    .bind(reward_id)
    .fetch_one(p)
    .await?);
    let redeemed: Option<i64> = on_db!(pool, |p| sqlx::query_scalar(
        "SELECT CAST(SUM(quantity) AS BIGINT) FROM redemptions WHERE reward_id = $1"
    )
    .bind(reward_id)
    .fetch_one(p)
    .await?);
    let (stocked, written_off, redeemed) = (stocked.unwrap_or(0), written_off.unwrap_or(0), redeemed.unwrap_or(0));
    Ok(Reconciliation {
        reward_id,
        stocked,
        redeemed,
        written_off,
        stock: reward.stock,
        balanced: stocked - redeemed - written_off == reward.stock,
    })
}

/// A staff adjustment of points: an audited entry with a reason, never an edit.
pub async fn adjust(
    pool: &Pool,
    volunteer_id: i64,
    points: i64,
    reason: &str,
    by: i64,
    record: &Record,
) -> Result<i64> {
    let now = Utc::now();
    let lock = super::locking(pool, "SELECT id FROM volunteers WHERE id = $1");
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let v: Option<i64> = sqlx::query_scalar(&lock).bind(volunteer_id).fetch_optional(&mut *tx).await?;
        if v.is_none() {
            return Err(StoreError::NotFound);
        }
        let balance: Option<i64> =
            sqlx::query_scalar("SELECT CAST(SUM(points) AS BIGINT) FROM points_ledger WHERE volunteer_id = $1")
                .bind(volunteer_id)
                .fetch_one(&mut *tx)
                .await?;
        if balance.unwrap_or(0) + points < 0 {
            return Err(StoreError::Conflict(crate::domain::error_code::ErrorCode::InsufficientPoints));
        }
        let key = format!("adjust:{}:{}", volunteer_id, super::accounts::random_token());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO points_ledger (volunteer_id, points, source, source_id, reason, unique_key, created_by, created_at)
             VALUES ($1, $2, $8, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(volunteer_id)
        .bind(points)
        .bind(by.to_string())
        .bind(reason)
        .bind(key)
        .bind(by)
        .bind(now)
        .bind(LedgerSource::Adjustment.as_str())
        .fetch_one(&mut *tx)
        .await?;
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        Ok(id)
    })
}
