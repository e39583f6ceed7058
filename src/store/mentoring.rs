//! Mentor pairs (老兵带新兵): who guides whom, towards what, and how it ended.

use super::audit::{AuditTx, Record};
use super::{BeginWrite, Pool, Result, StoreError};
use crate::domain::mentoring::{Goal, MentorshipDraft, Outcome};
use crate::on_db;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Mentorship {
    pub id: i64,
    pub mentor_id: i64,
    pub mentee_id: i64,
    /// The mentee's region: a pair is counted where the new veteran lives.
    pub region_id: i64,
    #[sqlx(try_from = "String")]
    pub goal: Goal,
    pub started_on: NaiveDate,
    #[sqlx(try_from = "String")]
    pub outcome: Outcome,
    pub outcome_on: Option<NaiveDate>,
    pub notes: Option<String>,
    pub mentor_name: String,
    pub mentee_name: String,
    pub mentee_discharged_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub region_path: String,
}

const SELECT: &str =
    "SELECT m.id, m.mentor_id, m.mentee_id, m.region_id, m.goal, m.started_on, m.outcome, m.outcome_on,
        m.notes, a.name AS mentor_name, b.name AS mentee_name, b.discharged_on AS mentee_discharged_on,
        m.created_at, m.updated_at, r.path AS region_path
   FROM mentorships m
   JOIN volunteers a ON a.id = m.mentor_id
   JOIN volunteers b ON b.id = m.mentee_id
   JOIN regions r ON r.id = m.region_id";

pub async fn get(pool: &Pool, id: i64) -> Result<Option<Mentorship>> {
    let sql = format!("{SELECT} WHERE m.id = $1");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Mentorship>(&sql).bind(id).fetch_optional(p).await?))
}

/// A row of `SELECT` read by the SQLite reader.
fn row_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Mentorship> {
    use super::reader::{date_at, opt_date_at, parsed, time_at};
    Ok(Mentorship {
        id: r.get(0)?,
        mentor_id: r.get(1)?,
        mentee_id: r.get(2)?,
        region_id: r.get(3)?,
        goal: parsed(r, 4, |s| Goal::try_from(s.to_string()).ok())?,
        started_on: date_at(r, 5)?,
        outcome: parsed(r, 6, |s| Outcome::try_from(s.to_string()).ok())?,
        outcome_on: opt_date_at(r, 7)?,
        notes: r.get(8)?,
        mentor_name: r.get(9)?,
        mentee_name: r.get(10)?,
        mentee_discharged_on: opt_date_at(r, 11)?,
        created_at: time_at(r, 12)?,
        updated_at: time_at(r, 13)?,
        region_path: r.get(14)?,
    })
}

/// Pairs of a subtree, open ones first, newest first; with `volunteer_id`,
/// only the pairs that volunteer is part of (as mentor or mentee).
pub async fn list(pool: &Pool, within: &str, volunteer_id: Option<i64>) -> Result<Vec<Mentorship>> {
    let sql = format!(
        "{SELECT} WHERE (r.path >= $1 AND r.path < $1 || '~') AND ($2 = 0 OR m.mentor_id = $2 OR m.mentee_id = $2)
          ORDER BY CASE WHEN m.outcome = 'none' THEN 0 ELSE 1 END, m.started_on DESC, m.id DESC"
    );
    let who = volunteer_id.unwrap_or(0);
    if let Some(reader) = super::reader_of(pool) {
        use super::reader::Arg;
        return reader.all(&sql, &[Arg::Text(within), Arg::Int(who)], row_of).await;
    }
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Mentorship>(&sql).bind(within).bind(who).fetch_all(p).await?))
}

/// Pairs a volunteer belongs to, wherever they are (for the volunteer's own page).
pub async fn of_volunteer(pool: &Pool, volunteer_id: i64) -> Result<Vec<Mentorship>> {
    list(pool, "/", Some(volunteer_id)).await
}

/// The mentee already has an open pair: the partial unique index of migration
/// 0012 is the only unique rule on the table, so any unique violation means it.
fn clash(e: sqlx::Error) -> StoreError {
    match e.as_database_error() {
        Some(db) if db.is_unique_violation() => {
            StoreError::Conflict(crate::domain::error_code::ErrorCode::MenteeHasOpenMentorship)
        }
        _ => e.into(),
    }
}

/// Pairs two veterans, with the audit record (about the new id) in the same
/// transaction; only the demo's seeding goes unrecorded.
pub async fn create(pool: &Pool, d: &MentorshipDraft, region_id: i64, record: Option<&Record>) -> Result<i64> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO mentorships (mentor_id, mentee_id, region_id, goal, started_on, outcome, outcome_on, notes,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(d.mentor_id)
        .bind(d.mentee_id)
        .bind(region_id)
        .bind(d.goal.as_str())
        .bind(d.started_on)
        .bind(d.outcome.as_str())
        .bind(d.outcome_on)
        .bind(&d.notes)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(clash)?;
        if let Some(record) = record {
            tx.audit(&record.clone().about(id).entry()).await?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

pub async fn update(pool: &Pool, id: i64, d: &MentorshipDraft, region_id: i64, record: &Record) -> Result<()> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let done = sqlx::query(
            "UPDATE mentorships SET mentor_id = $1, mentee_id = $2, region_id = $3, goal = $4, started_on = $5,
                 outcome = $6, outcome_on = $7, notes = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(d.mentor_id)
        .bind(d.mentee_id)
        .bind(region_id)
        .bind(d.goal.as_str())
        .bind(d.started_on)
        .bind(d.outcome.as_str())
        .bind(d.outcome_on)
        .bind(&d.notes)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(clash)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        Ok(())
    })
}

/// A veteran who could be paired: id, name, village name, discharge date, and
/// whether he already has an open pair as mentee.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Candidate {
    pub id: i64,
    pub name: String,
    pub volunteer_no: String,
    pub region_name: String,
    pub discharged_on: Option<NaiveDate>,
    pub open_as_mentee: bool,
}

/// Active volunteers of a subtree whose name holds `words` or whose volunteer
/// number is `words` (everyone when blank), the most recently discharged
/// first, so the pairing form offers newly discharged veterans at the top; with
/// `unpaired`, only those without an open pair as mentee. At most `limit`.
pub async fn candidates(pool: &Pool, within: &str, words: &str, unpaired: bool, limit: i64) -> Result<Vec<Candidate>> {
    let pattern = super::contains_pattern(words);
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Candidate>(
        "SELECT v.id, v.name, v.volunteer_no, r.name AS region_name, v.discharged_on,
                EXISTS (SELECT 1 FROM mentorships m WHERE m.mentee_id = v.id AND m.outcome = 'none') AS open_as_mentee
           FROM volunteers v JOIN regions r ON r.id = v.region_id
          WHERE (r.path >= $1 AND r.path < $1 || '~') AND v.status = 'active'
            AND ($2 = '' OR LOWER(v.name) LIKE LOWER($2) ESCAPE '\\' OR v.volunteer_no = $3)
            AND ($4 = '' OR NOT EXISTS (SELECT 1 FROM mentorships m WHERE m.mentee_id = v.id AND m.outcome = 'none'))
          ORDER BY CASE WHEN v.discharged_on IS NULL THEN 1 ELSE 0 END, v.discharged_on DESC, v.id
          LIMIT $5"
    )
    .bind(within)
    .bind(&pattern)
    .bind(words.trim().to_uppercase())
    .bind(if unpaired { "unpaired" } else { "" })
    .bind(limit)
    .fetch_all(p)
    .await?))
}

/// One active volunteer of a subtree as the pairing form offers him (a person
/// chosen before a refused pair, so the form keeps him).
pub async fn candidate(pool: &Pool, within: &str, id: i64) -> Result<Option<Candidate>> {
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Candidate>(
        "SELECT v.id, v.name, v.volunteer_no, r.name AS region_name, v.discharged_on,
                EXISTS (SELECT 1 FROM mentorships m WHERE m.mentee_id = v.id AND m.outcome = 'none') AS open_as_mentee
           FROM volunteers v JOIN regions r ON r.id = v.region_id
          WHERE (r.path >= $1 AND r.path < $1 || '~') AND v.status = 'active' AND v.id = $2"
    )
    .bind(within)
    .bind(id)
    .fetch_optional(p)
    .await?))
}
