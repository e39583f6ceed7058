//! Emergency mobilisation: who was called, who answered yes or no.

use super::audit::{AuditTx, Record};
use super::{BeginWrite, Pool, Result, StoreError};
use crate::domain::needs::{Answer, MobilizationStatus};
use crate::on_db;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Mobilization {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub region_id: i64,
    pub lat: f64,
    pub lon: f64,
    pub radius_km: f64,
    #[serde(skip)]
    pub required_skills_text: String,
    #[sqlx(skip)]
    pub required_skills: Vec<String>,
    /// People wanted.
    pub headcount: i64,
    pub insurance: bool,
    #[sqlx(try_from = "String")]
    pub status: MobilizationStatus,
    pub households_relocated: i64,
    pub persons_relocated: i64,
    pub called: i64,
    pub yes: i64,
    pub no: i64,
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub region_path: String,
}

const SELECT: &str = "SELECT m.id, m.title, m.category, m.region_id, m.lat, m.lon, m.radius_km, m.required_skills AS required_skills_text,
        m.headcount, m.insurance, m.status, m.households_relocated, m.persons_relocated,
        (SELECT COUNT(*) FROM mobilization_calls c WHERE c.mobilization_id = m.id) AS called,
        (SELECT COUNT(*) FROM mobilization_calls c WHERE c.mobilization_id = m.id AND c.answer = 'yes') AS yes,
        (SELECT COUNT(*) FROM mobilization_calls c WHERE c.mobilization_id = m.id AND c.answer = 'no') AS no,
        m.created_at, r.path AS region_path
   FROM mobilizations m JOIN regions r ON r.id = m.region_id";

/// A row of `SELECT` read by the SQLite reader, its columns from `at` on.
fn row_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Mobilization> {
    use super::reader::{parsed, time_at};
    Ok(Mobilization {
        id: r.get(at)?,
        title: r.get(at + 1)?,
        category: r.get(at + 2)?,
        region_id: r.get(at + 3)?,
        lat: r.get(at + 4)?,
        lon: r.get(at + 5)?,
        radius_km: r.get(at + 6)?,
        required_skills_text: r.get(at + 7)?,
        required_skills: Vec::new(),
        headcount: r.get(at + 8)?,
        insurance: r.get(at + 9)?,
        status: parsed(r, at + 10, |s| MobilizationStatus::try_from(s.to_string()).ok())?,
        households_relocated: r.get(at + 11)?,
        persons_relocated: r.get(at + 12)?,
        called: r.get(at + 13)?,
        yes: r.get(at + 14)?,
        no: r.get(at + 15)?,
        created_at: time_at(r, at + 16)?,
        region_path: r.get(at + 17)?,
    })
}

fn finish(mut m: Mobilization) -> Mobilization {
    m.required_skills = m.required_skills_text.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect();
    m
}

pub async fn get(pool: &Pool, id: i64) -> Result<Option<Mobilization>> {
    let sql = format!("{SELECT} WHERE m.id = $1");
    let m: Option<Mobilization> = on_db!(pool, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
    Ok(m.map(finish))
}

pub async fn list(pool: &Pool, within: &str) -> Result<Vec<Mobilization>> {
    let sql = format!("{SELECT} WHERE (r.path >= $1 AND r.path < $1 || '~') ORDER BY m.id DESC LIMIT 200");
    let rows: Vec<Mobilization> = on_db!(pool, |p| sqlx::query_as(&sql).bind(within).fetch_all(p).await?);
    Ok(rows.into_iter().map(finish).collect())
}

pub struct NewMobilization<'a> {
    pub title: &'a str,
    pub category: &'a str,
    pub region_id: i64,
    pub lat: f64,
    pub lon: f64,
    pub radius_km: f64,
    pub required_skills: &'a [String],
    pub headcount: i64,
    pub insurance: bool,
    pub created_by: i64,
}

/// Creates the call-out and calls everyone given, in one transaction.
pub async fn create(
    pool: &Pool,
    m: &NewMobilization<'_>,
    called: &[(i64, f64)],
    record: Option<&Record>,
) -> Result<i64> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO mobilizations (title, category, region_id, lat, lon, radius_km, required_skills, headcount, insurance, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(m.title)
        .bind(m.category)
        .bind(m.region_id)
        .bind(m.lat)
        .bind(m.lon)
        .bind(m.radius_km)
        .bind(m.required_skills.join(","))
        .bind(m.headcount)
        .bind(m.insurance)
        .bind(m.created_by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        for (v, d) in called {
            sqlx::query(
                "INSERT INTO mobilization_calls (mobilization_id, volunteer_id, distance_km) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(v)
            .bind(d)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(r) = record {
            tx.audit(&r.clone().about(id).entry()).await?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

/// Records a yes or no; a later answer replaces an earlier one (people change
/// their plans as the water rises).
pub async fn answer(pool: &Pool, id: i64, volunteer_id: i64, answer: Answer, record: Option<&Record>) -> Result<()> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query(
            "UPDATE mobilization_calls SET answer = $1, answered_at = $2
              WHERE mobilization_id = $3 AND volunteer_id = $4
                AND EXISTS (SELECT 1 FROM mobilizations m WHERE m.id = $3 AND m.status = 'open')",
        )
        .bind(answer.as_str())
        .bind(Utc::now())
        .bind(id)
        .bind(volunteer_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict(crate::domain::error_code::ErrorCode::NotCalled));
        }
        if let Some(r) = record {
            tx.audit(&r.entry()).await?;
        }
        tx.commit().await?;
        Ok(())
    })
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Call {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub distance_km: Option<f64>,
    #[serde(skip)]
    #[sqlx(rename = "answer")]
    pub answer_text: Option<String>,
    /// null while waiting
    #[sqlx(skip)]
    pub answer: Option<Answer>,
    pub answered_at: Option<DateTime<Utc>>,
}

pub async fn calls(pool: &Pool, id: i64) -> Result<Vec<Call>> {
    let rows: Vec<Call> = on_db!(pool, |p| sqlx::query_as::<_, Call>(
        "SELECT c.volunteer_id, v.volunteer_no, v.name, c.distance_km, c.answer, c.answered_at
           FROM mobilization_calls c JOIN volunteers v ON v.id = c.volunteer_id
          WHERE c.mobilization_id = $1 ORDER BY c.distance_km, c.volunteer_id"
    )
    .bind(id)
    .fetch_all(p)
    .await?);
    Ok(rows
        .into_iter()
        .map(|mut c| {
            c.answer = c.answer_text.as_deref().and_then(Answer::parse);
            c
        })
        .collect())
}

pub async fn update(
    pool: &Pool,
    id: i64,
    households: i64,
    persons: i64,
    status: MobilizationStatus,
    record: Option<&Record>,
) -> Result<()> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "UPDATE mobilizations SET households_relocated = $1, persons_relocated = $2, status = $3 WHERE id = $4",
        )
        .bind(households)
        .bind(persons)
        .bind(status.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if let Some(r) = record {
            tx.audit(&r.entry()).await?;
        }
        tx.commit().await?;
        Ok(())
    })
}

/// Open call-outs a volunteer was called to.
pub async fn open_calls_for(pool: &Pool, volunteer_id: i64) -> Result<Vec<(Mobilization, Option<String>)>> {
    // one statement: each open call-out with the volunteer's answer beside it
    #[derive(sqlx::FromRow)]
    struct Called {
        #[sqlx(flatten)]
        mobilization: Mobilization,
        my_answer: Option<String>,
    }
    let sql = format!(
        "{} JOIN mobilization_calls mine ON mine.mobilization_id = m.id AND mine.volunteer_id = $1
          WHERE m.status = 'open' ORDER BY m.id DESC",
        SELECT.replacen("SELECT ", "SELECT mine.answer AS my_answer, ", 1)
    );
    let rows: Vec<Called> = match super::reader_of(pool) {
        Some(reader) => {
            let called = |r: &rusqlite::Row<'_>| Ok(Called { my_answer: r.get(0)?, mobilization: row_at(r, 1)? });
            reader.all(&sql, &[super::reader::Arg::Int(volunteer_id)], called).await?
        }
        None => on_db!(pool, |p| sqlx::query_as(&sql).bind(volunteer_id).fetch_all(p).await?),
    };
    Ok(rows
        .into_iter()
        .map(|c| {
            let answer = c.my_answer.as_deref().and_then(Answer::parse).map(|a| a.as_str().to_string());
            (finish(c.mobilization), answer)
        })
        .collect())
}
