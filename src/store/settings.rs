//! A town's rules for service records, stars, points, no-shows and the yearly
//! assessment. Rules are versioned by the date they take effect: changing them
//! never rewrites what was booked under the old ones. A village inherits its
//! town's rules; the nearest region that set them wins.

use super::audit::{AuditTx, Record};
use super::{BeginWrite, Pool, Result};
use crate::domain::assessment::Weights;
use crate::domain::points::EarningRules;
use crate::domain::service::{Calendar, DEFAULT_STAR_HOURS};
use crate::on_db;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use utoipa::ToSchema;

/// What counts against a volunteer who signs up and does not come.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NoShowRule {
    /// This many no-shows inside the window block new sign-ups; 0 = never.
    pub limit: i64,
    pub window_days: i64,
    /// How long sign-ups stay blocked after the last no-show.
    pub block_days: i64,
}

impl Default for NoShowRule {
    fn default() -> Self {
        NoShowRule { limit: 3, window_days: 90, block_days: 30 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TownRules {
    /// Hours for one to five stars.
    pub star_thresholds: [f64; 5],
    /// Whether travel time counts as service (the national rules leave it out by default).
    pub count_travel: bool,
    /// Public holidays and make-up working days, for the 10-working-day late flag.
    #[schema(value_type = Object)]
    pub calendar: Calendar,
    #[schema(value_type = Object)]
    pub earning: EarningRules,
    #[serde(default)]
    pub no_show: NoShowRule,
    #[serde(default)]
    pub assessment: Weights,
    /// Days a need may take, by category; `default` for the rest. Local
    /// practice: the same day (0) for emergencies, 2–3 days, 7 days, at most 15.
    #[serde(default = "default_deadlines")]
    pub need_deadline_days: std::collections::BTreeMap<String, i64>,
    /// How far (metres) from an activity a phone may be to check in by its code.
    #[serde(default = "default_checkin_radius")]
    pub checkin_radius_m: i64,
}

pub fn default_checkin_radius() -> i64 {
    crate::domain::field::DEFAULT_RADIUS_M
}

pub fn default_deadlines() -> std::collections::BTreeMap<String, i64> {
    [
        ("default", 7),
        ("flood_relief", 0),
        ("emergency_rescue", 0),
        ("epidemic_prevention", 1),
        ("veteran_assistance", 3),
        ("care_visit", 3),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

impl TownRules {
    /// When a need of this category filed at `filed` falls due.
    pub fn due_for(&self, category: &str, filed: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
        let days = self
            .need_deadline_days
            .get(category)
            .or_else(|| self.need_deadline_days.get("default"))
            .copied()
            .unwrap_or(7)
            .clamp(0, 15);
        // "the same day" ends at local midnight; n days later, at the end of that day
        let local_day = crate::domain::clock::local_date(filed) + chrono::Duration::days(days);
        crate::domain::clock::from_local(local_day.and_hms_opt(23, 59, 0).unwrap_or_default())
    }
}

impl Default for TownRules {
    fn default() -> Self {
        TownRules {
            star_thresholds: DEFAULT_STAR_HOURS,
            count_travel: false,
            calendar: Calendar::default(),
            earning: EarningRules::default(),
            no_show: NoShowRule::default(),
            assessment: Weights::default(),
            need_deadline_days: default_deadlines(),
            checkin_radius_m: default_checkin_radius(),
        }
    }
}

fn scopes_of(region_path: &str) -> Vec<String> {
    let mut v: Vec<String> =
        region_path.split('/').filter(|s| !s.is_empty()).map(|id| format!("region:{id}")).collect();
    v.reverse();
    v.push("global".into());
    v
}

/// The rules in force today. Every volunteer's page and many writes read
/// them, and they change a few times a year: each server keeps what it read
/// for a second (`FRESH_FOR`), like its sessions. A change made through this
/// server is seen at once (`set_rules` drops what is held); one made through
/// another server on the same database, within a second.
pub async fn rules_for(pool: &Pool, region_path: &str) -> Result<TownRules> {
    let day = crate::today_local();
    let Some(db) = database_key(pool) else { return rules_at(pool, region_path, day).await };
    let key = (db, region_path.to_string(), day);
    if let Some(rules) = held::get(&key) {
        return Ok(rules);
    }
    let (read_at, generation) = (Instant::now(), held::generation());
    let rules = rules_at(pool, region_path, day).await?;
    held::put(key, read_at, generation, &rules);
    Ok(rules)
}

/// Which database a pool reads, for keeping what was read from it apart from
/// other databases this process has open (tests open many); none for an
/// in-memory one, whose name does not tell it apart.
fn database_key(pool: &Pool) -> Option<String> {
    match pool {
        Pool::Sqlite(p) => {
            let o = p.connect_options();
            let name = o.get_filename().to_string_lossy();
            (!name.is_empty() && !name.contains(":memory:")).then(|| format!("sqlite:{name}"))
        }
        Pool::Postgres(p) => {
            let o = p.connect_options();
            Some(format!("postgres:{}:{}/{}", o.get_host(), o.get_port(), o.get_database().unwrap_or("")))
        }
    }
}

/// How long a server trusts the rules it read.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// The rules as last read, by database, region and day; bounded (`MAX`).
mod held {
    use super::{Instant, NaiveDate, TownRules, FRESH_FOR};
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{LazyLock, Mutex, MutexGuard};

    type Key = (String, String, NaiveDate);
    const MAX: usize = 1024;
    static HELD: LazyLock<Mutex<HashMap<Key, (Instant, TownRules)>>> = LazyLock::new(Default::default);
    /// Moves on with every change made through this server, so that a read
    /// that began before a change does not keep its older rules.
    static GENERATION: AtomicU64 = AtomicU64::new(0);

    fn lock() -> MutexGuard<'static, HashMap<Key, (Instant, TownRules)>> {
        // every change is one insert or a clear: a poisoned map is still whole
        HELD.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(key: &Key) -> Option<TownRules> {
        lock().get(key).filter(|(at, _)| at.elapsed() < FRESH_FOR).map(|(_, r)| r.clone())
    }

    pub fn generation() -> u64 {
        GENERATION.load(Ordering::SeqCst)
    }

    pub fn put(key: Key, read_at: Instant, generation: u64, rules: &TownRules) {
        let mut held = lock();
        if GENERATION.load(Ordering::SeqCst) != generation {
            return;
        }
        if held.len() >= MAX {
            held.retain(|_, (at, _)| at.elapsed() < FRESH_FOR);
            if held.len() >= MAX {
                held.clear();
            }
        }
        held.insert(key, (read_at, rules.clone()));
    }

    /// After a change through this server: nothing read before it is used again.
    pub fn forget() {
        let mut held = lock();
        GENERATION.fetch_add(1, Ordering::SeqCst);
        held.clear();
    }
}

/// The rules in force on a day: for the nearest region that has any version
/// effective by then, its latest such version.
pub async fn rules_at(pool: &Pool, region_path: &str, day: NaiveDate) -> Result<TownRules> {
    let scopes = scopes_of(region_path);
    let sql = format!(
        "SELECT scope, rules FROM rule_versions WHERE effective_from <= $1 AND scope IN ({})
          ORDER BY effective_from DESC, id DESC",
        super::placeholders(2, scopes.len())
    );
    let rows: Vec<(String, String)> = if let Some(reader) = super::reader_of(pool) {
        use super::reader::Arg;
        let day = day.format("%Y-%m-%d").to_string();
        let mut args = vec![Arg::Text(&day)];
        args.extend(scopes.iter().map(|s| Arg::Text(s)));
        reader.all(&sql, &args, |r| Ok((r.get(0)?, r.get(1)?))).await?
    } else {
        on_db!(pool, |p| {
            let mut q = sqlx::query_as(&sql).bind(day);
            for s in &scopes {
                q = q.bind(s);
            }
            q.fetch_all(p).await?
        })
    };
    for s in &scopes {
        if let Some((_, v)) = rows.iter().find(|(scope, _)| scope == s) {
            if let Ok(r) = serde_json::from_str(v) {
                return Ok(r);
            }
        }
    }
    Ok(TownRules::default())
}

pub async fn set_rules(
    pool: &Pool,
    region_id: i64,
    rules: &TownRules,
    effective_from: NaiveDate,
    by: Option<i64>,
    record: &Record,
) -> Result<()> {
    let value = serde_json::to_string(rules).map_err(|e| super::StoreError::Other(e.to_string()))?;
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
        "INSERT INTO rule_versions (scope, effective_from, rules, created_by, created_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(format!("region:{region_id}"))
    .bind(effective_from)
    .bind(value)
    .bind(by)
    .bind(Utc::now())
    .execute(&mut *tx)
    .await?;
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
    });
    held::forget();
    Ok(())
}
