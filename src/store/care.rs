//! Care recipients and the visits to them (走访慰问).

use super::{Pool, Result, Vault};
use crate::on_db;
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CareRecipient {
    pub id: i64,
    pub name: String,
    /// martyr_family, veteran_in_difficulty, disabled_veteran or other: the main one
    pub category: String,
    #[serde(skip)]
    pub categories_text: String,
    /// Every category that applies (a person can be several).
    #[sqlx(skip)]
    pub categories: Vec<String>,
    pub region_id: i64,
    pub address: Option<String>,
    /// Masked.
    #[sqlx(rename = "phone_masked")]
    pub phone: Option<String>,
    pub hardship: bool,
    pub living_alone: bool,
    pub low_income: bool,
    pub honour_plaque: bool,
    pub notes: Option<String>,
    /// The latest visit, if any.
    pub last_visited_on: Option<NaiveDate>,
    #[serde(skip)]
    pub region_path: String,
}

fn finish(mut r: CareRecipient) -> CareRecipient {
    r.categories = r.categories_text.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect();
    r
}

const SELECT: &str = "SELECT c.id, c.name, c.category, c.categories AS categories_text, c.region_id, c.address, c.phone_masked,
        c.hardship, c.living_alone, c.low_income, c.honour_plaque, c.notes,
        (SELECT MAX(v.visited_on) FROM care_visits v WHERE v.recipient_id = c.id) AS last_visited_on, r.path AS region_path
   FROM care_recipients c JOIN regions r ON r.id = c.region_id";

pub async fn get(pool: &Pool, id: i64) -> Result<Option<CareRecipient>> {
    let sql = format!("{SELECT} WHERE c.id = $1");
    let r: Option<CareRecipient> = on_db!(pool, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
    Ok(r.map(finish))
}

/// Recipients of a subtree; with a period, only those with no visit in it.
pub async fn list(pool: &Pool, within: &str, unvisited: Option<(NaiveDate, NaiveDate)>) -> Result<Vec<CareRecipient>> {
    let rows: Vec<CareRecipient> = match unvisited {
        None => {
            let sql = format!("{SELECT} WHERE r.path LIKE $1 ORDER BY r.path, c.id");
            on_db!(pool, |p| sqlx::query_as(&sql).bind(format!("{within}%")).fetch_all(p).await?)
        }
        Some((from, to)) => {
            let sql = format!(
                "{SELECT} WHERE r.path LIKE $1 AND NOT EXISTS
                   (SELECT 1 FROM care_visits v WHERE v.recipient_id = c.id AND v.visited_on >= $2 AND v.visited_on <= $3)
                 ORDER BY r.path, c.id"
            );
            on_db!(pool, |p| sqlx::query_as(&sql).bind(format!("{within}%")).bind(from).bind(to).fetch_all(p).await?)
        }
    };
    Ok(rows.into_iter().map(finish).collect())
}

pub struct NewRecipient<'a> {
    pub name: &'a str,
    pub category: &'a str,
    pub categories: &'a [String],
    pub region_id: i64,
    pub address: Option<&'a str>,
    pub phone: Option<&'a crate::domain::phone::Phone>,
    pub hardship: bool,
    pub living_alone: bool,
    pub low_income: bool,
    pub honour_plaque: bool,
    pub notes: Option<&'a str>,
}

pub async fn create(pool: &Pool, vault: &Vault, r: &NewRecipient<'_>) -> Result<i64> {
    Ok(on_db!(pool, |p| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO care_recipients (name, category, categories, region_id, address, phone_sealed, phone_masked, hardship,
             living_alone, low_income, honour_plaque, notes, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id"
    )
    .bind(r.name)
    .bind(r.category)
    .bind(r.categories.join(","))
    .bind(r.region_id)
    .bind(r.address)
    .bind(r.phone.map(|p| vault.seal(p.as_str())))
    .bind(r.phone.map(|p| p.masked()))
    .bind(r.hardship)
    .bind(r.living_alone)
    .bind(r.low_income)
    .bind(r.honour_plaque)
    .bind(r.notes)
    .bind(Utc::now())
    .fetch_one(p)
    .await?
    }))
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Visit {
    pub id: i64,
    pub recipient_id: i64,
    pub visited_on: NaiveDate,
    #[serde(skip)]
    pub volunteer_ids_text: String,
    #[sqlx(skip)]
    pub volunteer_ids: Vec<i64>,
    pub notes: Option<String>,
    pub help_given: Option<String>,
}

pub async fn add_visit(
    pool: &Pool,
    recipient_id: i64,
    on: NaiveDate,
    volunteers: &[i64],
    notes: Option<&str>,
    help: Option<&str>,
    by: i64,
) -> Result<i64> {
    let ids = volunteers.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    Ok(on_db!(pool, |p| sqlx::query_scalar::<_, i64>(
        "INSERT INTO care_visits (recipient_id, visited_on, volunteer_ids, notes, help_given, recorded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(recipient_id)
    .bind(on)
    .bind(ids)
    .bind(notes)
    .bind(help)
    .bind(by)
    .bind(Utc::now())
    .fetch_one(p)
    .await?))
}

pub async fn visits(pool: &Pool, recipient_id: i64) -> Result<Vec<Visit>> {
    let rows: Vec<Visit> = on_db!(pool, |p| sqlx::query_as(
        "SELECT id, recipient_id, visited_on, volunteer_ids AS volunteer_ids_text, notes, help_given
           FROM care_visits WHERE recipient_id = $1 ORDER BY visited_on DESC, id DESC"
    )
    .bind(recipient_id)
    .fetch_all(p)
    .await?);
    Ok(rows
        .into_iter()
        .map(|mut v| {
            v.volunteer_ids = v.volunteer_ids_text.split(',').filter_map(|s| s.parse().ok()).collect();
            v
        })
        .collect())
}
