//! Recruitment applications: the applicant's profile sealed like a volunteer's,
//! the reviewers' checklist, the priority score, and the decision that turns
//! an applicant into a volunteer on a team.

use super::audit::{AuditTx, Record};
use super::volunteers::bind_profile;
use super::{BeginWrite, Pool, Result, StoreError, Vault};
use crate::domain::recruitment::{ApplicationSource, ApplicationStatus};
use crate::domain::validation::{Problem, Problems};
use crate::domain::volunteer::{volunteer_no, VolunteerDraft};
use crate::on_db;
use chrono::{DateTime, NaiveDate, Utc};

/// One application as stored; personal data sealed, with masked forms beside it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationRow {
    pub id: i64,
    pub name: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub id_sealed: String,
    pub id_masked: String,
    pub phone_sealed: String,
    pub phone_masked: String,
    pub region_id: i64,
    pub region_name: String,
    pub region_path: String,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub branch: Option<String>,
    pub enlisted_on: Option<NaiveDate>,
    pub discharged_on: Option<NaiveDate>,
    pub veteran_category: Option<String>,
    pub party_member: bool,
    pub cadre_role: Option<String>,
    pub honors: String,
    pub skills: String,
    #[sqlx(try_from = "String")]
    pub source: ApplicationSource,
    #[sqlx(try_from = "String")]
    pub status: ApplicationStatus,
    pub political_record: Option<bool>,
    pub conduct: Option<bool>,
    pub public_spirit: Option<bool>,
    pub priority_score: i64,
    pub reasons: String,
    pub reject_reason: Option<String>,
    pub volunteer_id: Option<i64>,
    pub team_id: Option<i64>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Lists are kept one item a line: honours and skills never hold a line break
/// once tidied.
pub fn split_lines(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

impl ApplicationRow {
    /// In code order, as a volunteer's skills are listed.
    pub fn skill_list(&self) -> Vec<String> {
        let mut s = split_lines(&self.skills);
        s.sort();
        s
    }
    pub fn honor_list(&self) -> Vec<String> {
        split_lines(&self.honors)
    }
}

const SELECT: &str = "SELECT a.id, a.name, a.gender, a.birth_date, a.id_sealed, a.id_masked, a.phone_sealed,
        a.phone_masked, a.region_id, r.name AS region_name, r.path AS region_path, a.address, a.lat, a.lon, a.branch,
        a.enlisted_on, a.discharged_on, a.veteran_category, a.party_member, a.cadre_role, a.honors, a.skills,
        a.source, a.status, a.political_record, a.conduct, a.public_spirit, a.priority_score, a.reasons,
        a.reject_reason, a.volunteer_id, a.team_id, a.reviewed_at, a.created_at, a.updated_at
   FROM applications a JOIN regions r ON r.id = a.region_id";

pub async fn get(pool: &Pool, id: i64) -> Result<Option<ApplicationRow>> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, ApplicationRow>(&sql).bind(id).fetch_optional(p).await?))
}

/// Applications of a subtree, highest priority first; `status` narrows them.
pub async fn list(pool: &Pool, within: &str, status: Option<ApplicationStatus>) -> Result<Vec<ApplicationRow>> {
    let sql = format!(
        "{SELECT} WHERE (r.path >= $1 AND r.path < $1 || '~') AND ($2 = '' OR a.status = $2) ORDER BY a.priority_score DESC, a.id LIMIT 1000"
    );
    Ok(on_db!(pool, |p| sqlx::query_as::<_, ApplicationRow>(&sql)
        .bind(within)
        .bind(status.map(ApplicationStatus::as_str).unwrap_or(""))
        .fetch_all(p)
        .await?))
}

/// Skills that active volunteers living inside `village_path` already have.
pub async fn skills_within(pool: &Pool, village_path: &str) -> Result<Vec<String>> {
    Ok(on_db!(pool, |p| sqlx::query_scalar::<_, String>(
        "SELECT DISTINCT s.skill FROM volunteer_skills s
           JOIN volunteers v ON v.id = s.volunteer_id JOIN regions r ON r.id = v.region_id
          WHERE (r.path >= $1 AND r.path < $1 || '~') AND v.status = 'active'"
    )
    .bind(village_path)
    .fetch_all(p)
    .await?))
}

/// The score, its reasons (JSON), and the checklist, computed by the caller.
pub struct Review<'a> {
    pub priority_score: i64,
    pub reasons_json: &'a str,
    pub political_record: Option<bool>,
    pub conduct: Option<bool>,
    pub public_spirit: Option<bool>,
}

fn already_volunteer() -> StoreError {
    StoreError::invalid(Problem::about("id_number", "已是在册志愿者，无需再申请", "is already on the roster"))
}

fn waiting() -> StoreError {
    StoreError::invalid(Problem::about(
        "id_number",
        "已有一份待审核的申请",
        "already has an application waiting for review",
    ))
}

/// The partial unique index of migration 0012 (one pending application per ID
/// number) is the only unique rule on the table; it speaks when two entries of
/// the same person race past `check_person`.
fn clash(e: sqlx::Error) -> StoreError {
    match e.as_database_error() {
        Some(db) if db.is_unique_violation() => waiting(),
        _ => e.into(),
    }
}

/// Refuses an ID number that is on the roster or has an application waiting.
macro_rules! check_person {
    ($tx:expr, $id_hash:expr, $except:expr) => {{
        let on_roster: Option<i64> = sqlx::query_scalar("SELECT id FROM volunteers WHERE id_hash = $1")
            .bind($id_hash)
            .fetch_optional(&mut *$tx)
            .await?;
        if on_roster.is_some() {
            return Err(already_volunteer());
        }
        let queued: Option<i64> =
            sqlx::query_scalar("SELECT id FROM applications WHERE id_hash = $1 AND status = 'pending' AND id <> $2")
                .bind($id_hash)
                .bind($except)
                .fetch_optional(&mut *$tx)
                .await?;
        if queued.is_some() {
            return Err(waiting());
        }
    }};
}

/// Where a public application came from, for rate limiting: hashed, never the address itself.
pub struct PublicOrigin<'a> {
    pub client_hash: &'a str,
    pub phone_hash: &'a str,
}

pub async fn create(
    pool: &Pool,
    vault: &Vault,
    d: &VolunteerDraft,
    source: ApplicationSource,
    review: &Review<'_>,
    origin: Option<&PublicOrigin<'_>>,
    record: Option<&Record>,
) -> Result<i64> {
    let now = Utc::now();
    let id_hash = vault.blind(d.id_number.as_str());
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        check_person!(tx, &id_hash, 0i64);
        let id: i64 = bind_profile!(sqlx::query_scalar(
            "INSERT INTO applications (name, gender, birth_date, id_sealed, id_hash, id_masked, phone_sealed, phone_hash,
                 phone_masked, region_id, address, lat, lon, branch, enlisted_on, discharged_on, veteran_category,
                 party_member, cadre_role, honors, skills, source, status, political_record, conduct, public_spirit,
                 priority_score, reasons, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
                 'pending', $23, $24, $25, $26, $27, $28, $28)
             RETURNING id",
        ), d, vault)
        .bind(d.honors.join("\n"))
        .bind(d.skills.join("\n"))
        .bind(source.as_str())
        .bind(review.political_record)
        .bind(review.conduct)
        .bind(review.public_spirit)
        .bind(review.priority_score)
        .bind(review.reasons_json)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(clash)?;
        if let Some(o) = origin {
            sqlx::query("INSERT INTO public_submissions (client_hash, phone_hash, at) VALUES ($1, $2, $3)")
                .bind(o.client_hash)
                .bind(o.phone_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(record) = record {
            tx.audit(&record.clone().about(id).entry()).await?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

fn lock_sql(pool: &Pool) -> String {
    super::locking(pool, "SELECT status, political_record, conduct, public_spirit FROM applications WHERE id = $1")
}

type Locked = (String, Option<bool>, Option<bool>, Option<bool>);

/// Decided applications are final: approving or rejecting twice is a conflict.
fn decided() -> StoreError {
    StoreError::Conflict(crate::domain::error_code::ErrorCode::ApplicationDecided)
}

fn is_pending(status: &str) -> bool {
    ApplicationStatus::parse(status) == Some(ApplicationStatus::Pending)
}

/// Changes the profile and the checklist while the application waits.
pub async fn update(
    pool: &Pool,
    vault: &Vault,
    id: i64,
    d: &VolunteerDraft,
    review: &Review<'_>,
    record: &Record,
) -> Result<()> {
    let now = Utc::now();
    let id_hash = vault.blind(d.id_number.as_str());
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let row: Option<Locked> = sqlx::query_as(&lock_sql(pool)).bind(id).fetch_optional(&mut *tx).await?;
        let Some((status, ..)) = row else { return Err(StoreError::NotFound) };
        if !is_pending(&status) {
            return Err(decided());
        }
        check_person!(tx, &id_hash, id);
        bind_profile!(
            sqlx::query(
                "UPDATE applications SET name = $1, gender = $2, birth_date = $3, id_sealed = $4, id_hash = $5,
                 id_masked = $6, phone_sealed = $7, phone_hash = $8, phone_masked = $9, region_id = $10,
                 address = $11, lat = $12, lon = $13, branch = $14, enlisted_on = $15, discharged_on = $16,
                 veteran_category = $17, party_member = $18, cadre_role = $19, honors = $20, skills = $21,
                 political_record = $22, conduct = $23, public_spirit = $24, priority_score = $25, reasons = $26,
                 updated_at = $27
             WHERE id = $28",
            ),
            d,
            vault
        )
        .bind(d.honors.join("\n"))
        .bind(d.skills.join("\n"))
        .bind(review.political_record)
        .bind(review.conduct)
        .bind(review.public_spirit)
        .bind(review.priority_score)
        .bind(review.reasons_json)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(clash)?;
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        Ok(())
    })
}

/// Approves onto a team: the applicant becomes an active volunteer with a
/// volunteer number and joins the team, all in one transaction on the locked
/// application, so that two reviewers approving at once make one volunteer.
/// Returns the new volunteer's id.
/// The audit record gets the new volunteer in its detail.
pub async fn approve(pool: &Pool, id: i64, team_id: i64, by: i64, record: &Record) -> Result<i64> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let row: Option<Locked> = sqlx::query_as(&lock_sql(pool)).bind(id).fetch_optional(&mut *tx).await?;
        let Some((status, political_record, conduct, public_spirit)) = row else { return Err(StoreError::NotFound) };
        if !is_pending(&status) {
            return Err(decided());
        }
        let missing: Problems = crate::domain::recruitment::unchecked(political_record, conduct, public_spirit);
        if !missing.is_empty() {
            return Err(StoreError::Invalid(missing));
        }
        let (id_hash, honors, skills): (String, String, String) =
            sqlx::query_as("SELECT id_hash, honors, skills FROM applications WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        let on_roster: Option<i64> = sqlx::query_scalar("SELECT id FROM volunteers WHERE id_hash = $1")
            .bind(&id_hash)
            .fetch_optional(&mut *tx)
            .await?;
        if on_roster.is_some() {
            return Err(already_volunteer());
        }
        // The sealed values are copied as they are: the same key sealed them.
        let vid: i64 = sqlx::query_scalar(
            "INSERT INTO volunteers (name, gender, birth_date, id_sealed, id_hash, id_masked, phone_sealed, phone_hash,
                 phone_masked, region_id, address, lat, lon, branch, enlisted_on, discharged_on, veteran_category,
                 party_member, cadre_role, status, created_at, updated_at)
             SELECT name, gender, birth_date, id_sealed, id_hash, id_masked, phone_sealed, phone_hash, phone_masked,
                 region_id, address, lat, lon, branch, enlisted_on, discharged_on, veteran_category, party_member,
                 cadre_role, 'active', $2, $2
               FROM applications WHERE id = $1
             RETURNING id",
        )
        .bind(id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE volunteers SET volunteer_no = $1 WHERE id = $2")
            .bind(volunteer_no(vid))
            .bind(vid)
            .execute(&mut *tx)
            .await?;
        for s in split_lines(&skills) {
            sqlx::query("INSERT INTO volunteer_skills (volunteer_id, skill) VALUES ($1, $2)")
                .bind(vid)
                .bind(s)
                .execute(&mut *tx)
                .await?;
        }
        for (i, h) in split_lines(&honors).into_iter().enumerate() {
            sqlx::query("INSERT INTO volunteer_honors (volunteer_id, position, title) VALUES ($1, $2, $3)")
                .bind(vid)
                .bind(i as i64)
                .bind(h)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("INSERT INTO team_members (team_id, volunteer_id, joined_at) VALUES ($1, $2, $3)")
            .bind(team_id)
            .bind(vid)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE applications SET status = 'approved', volunteer_id = $1, team_id = $2, reviewed_by = $3,
                 reviewed_at = $4, updated_at = $4 WHERE id = $5",
        )
        .bind(vid)
        .bind(team_id)
        .bind(by)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let record = Record { detail: format!("volunteer {vid}"), ..record.clone() };
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        Ok(vid)
    })
}

pub async fn reject(pool: &Pool, id: i64, reason: &str, by: i64, record: &Record) -> Result<()> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let row: Option<Locked> = sqlx::query_as(&lock_sql(pool)).bind(id).fetch_optional(&mut *tx).await?;
        let Some((status, ..)) = row else { return Err(StoreError::NotFound) };
        if !is_pending(&status) {
            return Err(decided());
        }
        sqlx::query(
            "UPDATE applications SET status = 'rejected', reject_reason = $1, reviewed_by = $2, reviewed_at = $3,
                 updated_at = $3 WHERE id = $4",
        )
        .bind(reason)
        .bind(by)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        Ok(())
    })
}
