//! Care recipients and the visits to them (走访慰问).

use super::audit::{AuditTx, Record};
use super::{BeginWrite, Pool, Result, Vault};
use crate::domain::care::{CampaignKind, Category};
use crate::on_db;
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CareRecipient {
    pub id: i64,
    pub name: String,
    /// The main category.
    #[sqlx(try_from = "String")]
    pub category: Category,
    #[serde(skip)]
    pub categories_text: String,
    /// Every category that applies (a person can be several).
    #[sqlx(skip)]
    pub categories: Vec<Category>,
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

/// The stored comma-separated list; an unknown code (none is ever written) is left out.
fn categories_of(text: &str) -> Vec<Category> {
    text.split(',').filter_map(Category::parse).collect()
}

fn finish(mut r: CareRecipient) -> CareRecipient {
    r.categories = categories_of(&r.categories_text);
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
            let sql = format!("{SELECT} WHERE (r.path >= $1 AND r.path < $1 || '~') ORDER BY r.path, c.id");
            on_db!(pool, |p| sqlx::query_as(&sql).bind(within).fetch_all(p).await?)
        }
        Some((from, to)) => {
            let sql = format!(
                "{SELECT} WHERE (r.path >= $1 AND r.path < $1 || '~') AND NOT EXISTS
                   (SELECT 1 FROM care_visits v WHERE v.recipient_id = c.id AND v.visited_on >= $2 AND v.visited_on <= $3)
                 ORDER BY r.path, c.id"
            );
            on_db!(pool, |p| sqlx::query_as(&sql).bind(within).bind(from).bind(to).fetch_all(p).await?)
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

/// Adds a recipient; the audit record (about the new id) is written in the
/// same transaction. Only the demo's seeding goes unrecorded.
pub async fn create(pool: &Pool, vault: &Vault, r: &NewRecipient<'_>, record: Option<&Record>) -> Result<i64> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO care_recipients (name, category, categories, region_id, address, phone_sealed, phone_masked,
                 hardship, living_alone, low_income, honour_plaque, notes, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
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
        .fetch_one(&mut *tx)
        .await?;
        if let Some(record) = record {
            tx.audit(&record.clone().about(id).entry()).await?;
        }
        tx.commit().await?;
        Ok(id)
    })
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

#[allow(clippy::too_many_arguments)]
pub async fn add_visit(
    pool: &Pool,
    recipient_id: i64,
    on: NaiveDate,
    volunteers: &[i64],
    notes: Option<&str>,
    help: Option<&str>,
    by: i64,
    record: Option<&Record>,
) -> Result<i64> {
    let ids = volunteers.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO care_visits (recipient_id, visited_on, volunteer_ids, notes, help_given, recorded_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(recipient_id)
        .bind(on)
        .bind(&ids)
        .bind(notes)
        .bind(help)
        .bind(by)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await?;
        if let Some(record) = record {
            tx.audit(&record.entry()).await?;
        }
        tx.commit().await?;
        Ok(id)
    })
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

/// A visit as the station's list of visits shows it: who was visited, where,
/// when, by whom (names joined), what was found and given.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitLine {
    pub id: i64,
    pub visited_on: NaiveDate,
    pub recipient: String,
    #[sqlx(try_from = "String")]
    pub category: Category,
    pub village: String,
    pub volunteer_ids_text: String,
    #[sqlx(skip)]
    pub volunteers: Vec<String>,
    pub notes: Option<String>,
    pub help_given: Option<String>,
}

/// Visits of a subtree's recipients made between `from` and `to` (inclusive),
/// oldest first, with the visiting volunteers' names.
pub async fn visits_in(pool: &Pool, within: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<VisitLine>> {
    let mut rows: Vec<VisitLine> = on_db!(pool, |p| sqlx::query_as(
        "SELECT v.id, v.visited_on, c.name AS recipient, c.category, r.name AS village,
                v.volunteer_ids AS volunteer_ids_text, v.notes, v.help_given
           FROM care_visits v JOIN care_recipients c ON c.id = v.recipient_id JOIN regions r ON r.id = c.region_id
          WHERE (r.path >= $1 AND r.path < $1 || '~') AND v.visited_on >= $2 AND v.visited_on <= $3
          ORDER BY v.visited_on, v.id"
    )
    .bind(within)
    .bind(from)
    .bind(to)
    .fetch_all(p)
    .await?);
    let ids: std::collections::BTreeSet<i64> =
        rows.iter().flat_map(|v| v.volunteer_ids_text.split(',').filter_map(|s| s.trim().parse().ok())).collect();
    let mut names = std::collections::HashMap::new();
    let ids: Vec<i64> = ids.into_iter().collect();
    for chunk in ids.chunks(500) {
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let sql = format!("SELECT id, name FROM volunteers WHERE id IN ({list})");
        let found: Vec<(i64, String)> = on_db!(pool, |p| sqlx::query_as(&sql).fetch_all(p).await?);
        names.extend(found);
    }
    for v in &mut rows {
        v.volunteers = v
            .volunteer_ids_text
            .split(',')
            .filter_map(|s| s.trim().parse::<i64>().ok())
            .filter_map(|id| names.get(&id).cloned())
            .collect();
    }
    Ok(rows)
}

/// The sealed phone of a recipient, so that a PATCH can be checked as a whole.
pub async fn sealed_phone(pool: &Pool, id: i64) -> Result<Option<String>> {
    let v: Option<Option<String>> =
        on_db!(pool, |p| sqlx::query_scalar("SELECT phone_sealed FROM care_recipients WHERE id = $1")
            .bind(id)
            .fetch_optional(p)
            .await?);
    Ok(v.flatten())
}

/// Replaces a recipient's profile, with its audit record; false (and nothing
/// written) when there is no such recipient.
pub async fn update(pool: &Pool, vault: &Vault, id: i64, r: &NewRecipient<'_>, record: &Record) -> Result<bool> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let done = sqlx::query(
            "UPDATE care_recipients SET name = $1, category = $2, categories = $3, region_id = $4, address = $5,
                 phone_sealed = $6, phone_masked = $7, hardship = $8, living_alone = $9, low_income = $10,
                 honour_plaque = $11, notes = $12
             WHERE id = $13",
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
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Ok(false);
        }
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// A visit campaign (Spring Festival, Army Day, or one of the town's own).
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: CampaignKind,
    pub region_id: i64,
    pub region_name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[serde(skip)]
    pub categories_text: String,
    /// The recipient categories the campaign must reach.
    #[sqlx(skip)]
    pub categories: Vec<Category>,
    #[serde(skip)]
    pub region_path: String,
}

fn finish_campaign(mut c: Campaign) -> Campaign {
    c.categories = categories_of(&c.categories_text);
    c
}

const CAMPAIGN: &str = "SELECT c.id, c.name, c.kind, c.region_id, r.name AS region_name, c.starts_on, c.ends_on,
        c.categories AS categories_text, r.path AS region_path
   FROM care_campaigns c JOIN regions r ON r.id = c.region_id";

pub async fn campaign(pool: &Pool, id: i64) -> Result<Option<Campaign>> {
    let sql = format!("{CAMPAIGN} WHERE c.id = $1");
    let c: Option<Campaign> = on_db!(pool, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
    Ok(c.map(finish_campaign))
}

/// Campaigns over a region of the subtree, or over one of its ancestors (a
/// county's campaign reaches every village), newest first.
pub async fn campaigns(pool: &Pool, within: &str) -> Result<Vec<Campaign>> {
    let sql = format!("{CAMPAIGN} WHERE (r.path >= $1 AND r.path < $1 || '~') OR $2 LIKE r.path || '%' ORDER BY c.starts_on DESC, c.id DESC");
    let rows: Vec<Campaign> = on_db!(pool, |p| sqlx::query_as(&sql).bind(within).bind(within).fetch_all(p).await?);
    Ok(rows.into_iter().map(finish_campaign).collect())
}

pub struct NewCampaign<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub region_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub categories: &'a [String],
}

pub async fn create_campaign(pool: &Pool, c: &NewCampaign<'_>, by: i64, record: Option<&Record>) -> Result<i64> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO care_campaigns (name, kind, region_id, starts_on, ends_on, categories, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(c.name)
        .bind(c.kind)
        .bind(c.region_id)
        .bind(c.starts_on)
        .bind(c.ends_on)
        .bind(c.categories.join(","))
        .bind(by)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await?;
        if let Some(record) = record {
            tx.audit(&record.clone().about(id).entry()).await?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

pub async fn update_campaign(pool: &Pool, id: i64, c: &NewCampaign<'_>, record: &Record) -> Result<bool> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let done = sqlx::query(
            "UPDATE care_campaigns SET name = $1, kind = $2, region_id = $3, starts_on = $4, ends_on = $5,
                 categories = $6
             WHERE id = $7",
        )
        .bind(c.name)
        .bind(c.kind)
        .bind(c.region_id)
        .bind(c.starts_on)
        .bind(c.ends_on)
        .bind(c.categories.join(","))
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Ok(false);
        }
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// A recipient of a campaign's subtree, with whether a visit falls in its dates.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CampaignRecipient {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub category: Category,
    pub categories_text: String,
    pub region_id: i64,
    pub region_name: String,
    pub region_path: String,
    pub visited: bool,
}

impl CampaignRecipient {
    pub fn categories(&self) -> Vec<Category> {
        let mut all = categories_of(&self.categories_text);
        if !all.contains(&self.category) {
            all.push(self.category);
        }
        all
    }
}

/// The recipients under `within` (the campaign's region, or the part of it a
/// caller may see) and whether each was visited in the campaign's dates.
pub async fn campaign_recipients(pool: &Pool, c: &Campaign, within: &str) -> Result<Vec<CampaignRecipient>> {
    Ok(on_db!(pool, |p| sqlx::query_as(
        "SELECT c.id, c.name, c.category, c.categories AS categories_text, c.region_id, r.name AS region_name,
                r.path AS region_path,
                EXISTS (SELECT 1 FROM care_visits v WHERE v.recipient_id = c.id
                          AND v.visited_on >= $2 AND v.visited_on <= $3) AS visited
           FROM care_recipients c JOIN regions r ON r.id = c.region_id
          WHERE (r.path >= $1 AND r.path < $1 || '~') ORDER BY r.path, c.id"
    )
    .bind(within)
    .bind(c.starts_on)
    .bind(c.ends_on)
    .fetch_all(p)
    .await?))
}
