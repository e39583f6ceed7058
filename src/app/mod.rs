//! The use cases: one module per feature, one function per thing a user does.
//!
//! Each function takes the application, the caller and a typed input, and
//! owns the whole act: role and scope checks, validation through the domain's
//! rules, the store call (with its audit record in the same transaction) and
//! the notifications. The JSON API and the pages are two thin adapters over
//! these functions; neither reaches the store by itself.

pub mod accounts;
pub mod activities;
pub mod announcements;
pub mod attendance;
pub mod caller;
pub mod care;
pub mod certificates;
pub mod dashboard;
pub mod error;
pub mod field;
pub mod grids;
pub mod input;
pub mod ledger;
pub mod me;
pub mod mentoring;
pub mod mobilizations;
pub mod needs;
pub mod photos;
pub mod points;
pub mod privacy;
pub mod recruitment;
pub mod regions;
pub mod reports;
pub mod roster;
pub mod service_records;
pub mod teams;
pub mod volunteers;

pub use caller::Caller;
pub use error::{Error, Result};

use crate::domain::validation::Problem;
use crate::store::{regions as region_store, Db};
use std::sync::Arc;

/// What every use case works with: the database (with the key that seals
/// personal data) and the station's name. Nothing else is kept in memory, so
/// several app servers can share one PostgreSQL.
///
/// Shared behind one `Arc`: the web hands every request its own copy of the
/// state, and a copy should cost one count, not a count per pool and cache and
/// a copy of the name (docs/benchmarks.md, issue 17).
#[derive(Clone)]
pub struct App(Arc<Parts>);

/// What an `App` holds.
pub struct Parts {
    pub db: Db,
    /// The station's name as pages show it in their header.
    pub site_name: String,
}

impl std::ops::Deref for App {
    type Target = Parts;
    fn deref(&self) -> &Parts {
        &self.0
    }
}

impl App {
    pub fn new(db: Db, site_name: impl Into<String>) -> Self {
        App(Arc::new(Parts { db, site_name: site_name.into() }))
    }

    pub fn pool(&self) -> &crate::store::Pool {
        &self.db.pool
    }
}

/// Runs the reads of one page that are asked for together (joined), so that
/// they share one look at the database's version (`store::asked_together`).
/// Only for reads.
pub async fn read_together<F: std::future::Future>(reads: F) -> F::Output {
    crate::store::asked_together(reads).await
}

/// Parses an optional whole-number parameter, naming it when it is not one.
pub fn query_int(field: &str, v: Option<&str>) -> Result<Option<i64>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| Error::field(Problem::about(field, "应为整数", "must be a whole number"))),
    }
}

/// The region subtree a list is narrowed to: the one asked for, which must be
/// inside the caller's scope, or the caller's whole scope.
pub async fn list_scope(app: &App, caller: &Caller, region_id: Option<&str>) -> Result<String> {
    match query_int("region_id", region_id)? {
        None => Ok(caller.scope_path().to_string()),
        Some(id) => {
            let r = region_store::get(&app.db.pool, id)
                .await?
                .ok_or_else(|| Error::field(Problem::about("region_id", "不存在", "does not exist")))?;
            caller.ensure_covers(&r.path)?;
            Ok(r.path)
        }
    }
}

/// Paging: `limit` (1–1000, default 100) and `offset`.
pub fn paging(limit: Option<&str>, offset: Option<&str>) -> Result<(i64, i64)> {
    let limit = query_int("limit", limit)?.unwrap_or(100);
    let offset = query_int("offset", offset)?.unwrap_or(0);
    if !(1..=1000).contains(&limit) {
        return Err(Error::field(Problem::about("limit", "应在1到1000之间", "must be between 1 and 1000")));
    }
    if offset < 0 {
        return Err(Error::field(Problem::about("offset", "不能为负数", "must not be negative")));
    }
    Ok((limit, offset))
}
