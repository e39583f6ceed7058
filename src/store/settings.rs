//! Settings of the installation and of each region (a town's rules), stored as
//! JSON. A region inherits from its ancestors; the nearest setting wins.

use super::{Pool, Result};
use crate::domain::points::EarningRules;
use crate::domain::service::{Calendar, DEFAULT_STAR_HOURS};
use crate::on_db;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A town's rules for service records, stars and points.
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
}

impl Default for TownRules {
    fn default() -> Self {
        TownRules {
            star_thresholds: DEFAULT_STAR_HOURS,
            count_travel: false,
            calendar: Calendar::default(),
            earning: EarningRules::default(),
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

/// The rules that apply in a region: the nearest region (or the installation)
/// that set them, or the defaults.
pub async fn rules_for(pool: &Pool, region_path: &str) -> Result<TownRules> {
    let scopes = scopes_of(region_path);
    let sql = format!(
        "SELECT scope, value FROM settings WHERE key = 'rules' AND scope IN ({})",
        super::placeholders(1, scopes.len())
    );
    let rows: Vec<(String, String)> = on_db!(pool, |p| {
        let mut q = sqlx::query_as(&sql);
        for s in &scopes {
            q = q.bind(s);
        }
        q.fetch_all(p).await?
    });
    for s in &scopes {
        if let Some((_, v)) = rows.iter().find(|(scope, _)| scope == s) {
            if let Ok(r) = serde_json::from_str(v) {
                return Ok(r);
            }
        }
    }
    Ok(TownRules::default())
}

pub async fn set_rules(pool: &Pool, region_id: i64, rules: &TownRules) -> Result<()> {
    let value = serde_json::to_string(rules).map_err(|e| super::StoreError::Other(e.to_string()))?;
    on_db!(pool, |p| sqlx::query(
        "INSERT INTO settings (scope, key, value) VALUES ($1, 'rules', $2)
         ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value"
    )
    .bind(format!("region:{region_id}"))
    .bind(value)
    .execute(p)
    .await?
    .rows_affected());
    Ok(())
}
