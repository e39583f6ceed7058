//! The needs list and its offers. Every move locks the need (PostgreSQL) or
//! takes SQLite's write lock, checks the workflow, and writes in one go.

use super::audit::{AuditTx, Record};
use super::service_records::{book_record, NewRecord};
use super::settings::TownRules;
use super::{BeginWrite, Pool, Result, StoreError, Vault};
use crate::domain::matching::Candidate;
use crate::domain::needs::{allowed, Move, NeedDraft, NeedSource, NeedStatus, OfferStatus};
use crate::on_db;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Need {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub description: Option<String>,
    pub region_id: i64,
    pub place: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    #[serde(skip)]
    pub required_skills_text: String,
    #[sqlx(skip)]
    pub required_skills: Vec<String>,
    pub volunteers_needed: i64,
    pub due_at: Option<DateTime<Utc>>,
    pub filed_at: DateTime<Utc>,
    pub requester_name: Option<String>,
    /// Masked; staff in scope see it in full on the need's own GET.
    #[sqlx(rename = "requester_phone_masked")]
    pub requester_phone: Option<String>,
    #[serde(skip)]
    pub requester_phone_sealed: Option<String>,
    #[sqlx(try_from = "String")]
    pub source: NeedSource,
    #[sqlx(try_from = "String")]
    pub status: NeedStatus,
    /// Why it was rejected or cancelled.
    pub reason: Option<String>,
    /// Accident insurance confirmed before dispatch (required for flood relief and rescue).
    pub insurance: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub rating: Option<i64>,
    pub rating_comment: Option<String>,
    pub beneficiaries: i64,
    pub households_relocated: i64,
    pub persons_relocated: i64,
    pub accepted: i64,
    pub offered: i64,
    #[serde(skip)]
    pub region_path: String,
}

const SELECT: &str = "SELECT n.id, n.title, n.category, n.description, n.region_id, n.place, n.lat, n.lon,
        n.required_skills AS required_skills_text, n.volunteers_needed, n.due_at, n.filed_at, n.requester_name,
        n.requester_phone_masked, n.requester_phone_sealed, n.source, n.status, n.reason, n.insurance, n.completed_at,
        n.rating, n.rating_comment, n.beneficiaries, n.households_relocated, n.persons_relocated,
        (SELECT COUNT(*) FROM need_offers o WHERE o.need_id = n.id AND o.status = 'accepted') AS accepted,
        (SELECT COUNT(*) FROM need_offers o WHERE o.need_id = n.id AND o.status = 'offered') AS offered,
        r.path AS region_path
   FROM needs n JOIN regions r ON r.id = n.region_id";

fn finish(mut n: Need) -> Need {
    n.required_skills = n.required_skills_text.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect();
    n
}

/// A row of `SELECT` read by the SQLite reader.
fn row_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Need> {
    use super::reader::{parsed, time_at};
    let opt_time = |i: usize| match r.get_ref(i)? {
        rusqlite::types::ValueRef::Null => Ok(None),
        _ => time_at(r, i).map(Some),
    };
    Ok(Need {
        id: r.get(0)?,
        title: r.get(1)?,
        category: r.get(2)?,
        description: r.get(3)?,
        region_id: r.get(4)?,
        place: r.get(5)?,
        lat: r.get(6)?,
        lon: r.get(7)?,
        required_skills_text: r.get(8)?,
        required_skills: Vec::new(),
        volunteers_needed: r.get(9)?,
        due_at: opt_time(10)?,
        filed_at: time_at(r, 11)?,
        requester_name: r.get(12)?,
        requester_phone: r.get(13)?,
        requester_phone_sealed: r.get(14)?,
        source: parsed(r, 15, |s| NeedSource::try_from(s.to_string()).ok())?,
        status: parsed(r, 16, |s| NeedStatus::try_from(s.to_string()).ok())?,
        reason: r.get(17)?,
        insurance: r.get(18)?,
        completed_at: opt_time(19)?,
        rating: r.get(20)?,
        rating_comment: r.get(21)?,
        beneficiaries: r.get(22)?,
        households_relocated: r.get(23)?,
        persons_relocated: r.get(24)?,
        accepted: r.get(25)?,
        offered: r.get(26)?,
        region_path: r.get(27)?,
    })
}

pub async fn get(pool: &Pool, id: i64) -> Result<Option<Need>> {
    let sql = format!("{SELECT} WHERE n.id = $1");
    let n: Option<Need> = on_db!(pool, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
    Ok(n.map(finish))
}

pub async fn list(pool: &Pool, within: &str, status: Option<NeedStatus>, limit: i64) -> Result<Vec<Need>> {
    let sql = format!(
        "{SELECT} WHERE (r.path >= $1 AND r.path < $1 || '~') AND ($2 = '' OR n.status = $2) ORDER BY n.filed_at DESC, n.id DESC LIMIT $3"
    );
    let rows: Vec<Need> = on_db!(pool, |p| sqlx::query_as(&sql)
        .bind(within)
        .bind(status.map(NeedStatus::as_str).unwrap_or(""))
        .bind(limit)
        .fetch_all(p)
        .await?);
    Ok(rows.into_iter().map(finish).collect())
}

/// A page of the needs under `within`, newest first, searched by words of the
/// title or place; answers whether more follow.
pub async fn search(
    pool: &Pool,
    within: &str,
    status: Option<NeedStatus>,
    words: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Need>, bool)> {
    let sql = format!(
        "{SELECT} WHERE (r.path >= $1 AND r.path < $1 || '~') AND ($2 = '' OR n.status = $2)
            AND ($3 = '' OR n.title LIKE $3 ESCAPE '\\' OR COALESCE(n.place, '') LIKE $3 ESCAPE '\\')
          ORDER BY n.filed_at DESC, n.id DESC LIMIT $4 OFFSET $5"
    );
    let words = super::contains_pattern(words);
    let mut rows: Vec<Need> = on_db!(pool, |p| sqlx::query_as(&sql)
        .bind(within)
        .bind(status.map(NeedStatus::as_str).unwrap_or(""))
        .bind(&words)
        .bind(limit + 1)
        .bind(offset)
        .fetch_all(p)
        .await?);
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows.into_iter().map(finish).collect(), more))
}

pub async fn create(
    pool: &Pool,
    vault: &Vault,
    d: &NeedDraft,
    source: NeedSource,
    by: Option<i64>,
    record: Option<&Record>,
) -> Result<i64> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO needs (title, category, description, region_id, place, lat, lon, required_skills, volunteers_needed,
             due_at, filed_at, requester_name, requester_phone_sealed, requester_phone_masked, source, filed_by, status, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'submitted', $17) RETURNING id"
    )
    .bind(&d.title)
    .bind(&d.category)
    .bind(&d.description)
    .bind(d.region_id)
    .bind(&d.place)
    .bind(d.position.map(|x| x.lat))
    .bind(d.position.map(|x| x.lon))
    .bind(d.required_skills.join(","))
    .bind(d.volunteers_needed)
    .bind(d.due_at)
    .bind(d.filed_at.unwrap_or(now))
    .bind(&d.requester_name)
    .bind(d.requester_phone.as_ref().map(|p| vault.seal(p.as_str())))
    .bind(d.requester_phone.as_ref().map(|p| p.masked()))
    .bind(source.as_str())
    .bind(by)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
        if let Some(r) = record {
            tx.audit(&r.clone().about(id).entry()).await?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

fn lock_sql(pool: &Pool) -> String {
    super::locking(pool, "SELECT status, volunteers_needed FROM needs WHERE id = $1")
}

/// Locks the need, then counts its acceptances in a statement of its own: on
/// PostgreSQL a statement sees what was committed before it began, so counting
/// inside the locking statement could miss an acceptance it waited for.
macro_rules! lock_need {
    ($tx:expr, $pool:expr, $id:expr) => {{
        let row: Option<(String, i64)> = sqlx::query_as(&lock_sql($pool)).bind($id).fetch_optional(&mut *$tx).await?;
        match row {
            None => None,
            Some((status, needed)) => {
                let accepted: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM need_offers WHERE need_id = $1 AND status = 'accepted'")
                        .bind($id)
                        .fetch_one(&mut *$tx)
                        .await?;
                let status = NeedStatus::parse(&status)
                    .ok_or_else(|| StoreError::Other(format!("need {} has unknown status `{status}`", $id)))?;
                Some((status, needed, accepted))
            }
        }
    }};
}

/// A conflict naming the workflow rule that was broken.
fn refused() -> StoreError {
    StoreError::Conflict(crate::domain::error_code::ErrorCode::InvalidState)
}

/// Reject or cancel, with a reason.
pub async fn close(pool: &Pool, id: i64, m: Move, reason: &str, record: Option<&Record>) -> Result<()> {
    let now = Utc::now();
    let to = if m == Move::Reject { NeedStatus::Rejected } else { NeedStatus::Cancelled };
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let row: Option<(NeedStatus, i64, i64)> = lock_need!(tx, pool, id);
        let Some((status, needed, accepted)) = row else { return Err(StoreError::NotFound) };
        if !allowed(status, m, accepted >= needed) {
            return Err(refused());
        }
        sqlx::query("UPDATE needs SET status = $1, reason = $2, updated_at = $3 WHERE id = $4")
            .bind(to.as_str())
            .bind(reason)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE need_offers SET status = 'withdrawn', answered_at = $1 WHERE need_id = $2 AND status = 'offered'",
        )
        .bind(now)
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

/// Sends offers; volunteers already offered or accepted are left as they are.
/// Returns how many new offers went out.
pub async fn dispatch(
    pool: &Pool,
    id: i64,
    volunteer_ids: &[i64],
    insurance: bool,
    record: Option<&Record>,
) -> Result<usize> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let row: Option<(NeedStatus, i64, i64)> = lock_need!(tx, pool, id);
        let Some((status, needed, accepted)) = row else { return Err(StoreError::NotFound) };
        if !allowed(status, Move::Dispatch, accepted >= needed) {
            return Err(refused());
        }
        let mut sent = 0;
        for v in volunteer_ids {
            let n = sqlx::query(
                "INSERT INTO need_offers (need_id, volunteer_id, status, offered_at) VALUES ($1, $2, 'offered', $3)
                 ON CONFLICT (need_id, volunteer_id) DO UPDATE SET status = 'offered', reason = NULL, offered_at = excluded.offered_at, answered_at = NULL
                 WHERE need_offers.status IN ('declined', 'withdrawn')",
            )
            .bind(id)
            .bind(v)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sent += n as usize;
        }
        let next = if status == NeedStatus::Submitted { NeedStatus::Dispatched } else { status };
        sqlx::query("UPDATE needs SET status = $1, insurance = (insurance OR $2), updated_at = $3 WHERE id = $4")
            .bind(next.as_str())
            .bind(insurance)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if let Some(r) = record {
            tx.audit(&r.entry()).await?;
        }
        tx.commit().await?;
        Ok(sent)
    })
}

/// Accepts an offer. The first `volunteers_needed` acceptances win; when the
/// need is full, the offers still open are withdrawn.
pub async fn accept(pool: &Pool, id: i64, volunteer_id: i64, record: Option<&Record>) -> Result<()> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let row: Option<(NeedStatus, i64, i64)> = lock_need!(tx, pool, id);
        let Some((status, needed, accepted)) = row else { return Err(StoreError::NotFound) };
        if accepted >= needed && matches!(status, NeedStatus::Dispatched | NeedStatus::Accepted) {
            return Err(StoreError::Conflict(crate::domain::error_code::ErrorCode::NeedFull));
        }
        if !allowed(status, Move::Accept, accepted >= needed) {
            return Err(refused());
        }
        let taken = sqlx::query(
            "UPDATE need_offers SET status = 'accepted', answered_at = $1 WHERE need_id = $2 AND volunteer_id = $3 AND status = 'offered'",
        )
        .bind(now)
        .bind(id)
        .bind(volunteer_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if taken != 1 {
            return Err(StoreError::Conflict(crate::domain::error_code::ErrorCode::NotOffered));
        }
        if accepted + 1 >= needed {
            sqlx::query("UPDATE need_offers SET status = 'withdrawn', answered_at = $1 WHERE need_id = $2 AND status = 'offered'")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE needs SET status = 'accepted', updated_at = $1 WHERE id = $2")
            .bind(now)
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

pub async fn decline(
    pool: &Pool,
    id: i64,
    volunteer_id: i64,
    reason: Option<&str>,
    record: Option<&Record>,
) -> Result<()> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query(
        "UPDATE need_offers SET status = 'declined', reason = $1, answered_at = $2 WHERE need_id = $3 AND volunteer_id = $4 AND status = 'offered'"
    )
    .bind(reason)
    .bind(now)
    .bind(id)
    .bind(volunteer_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict(crate::domain::error_code::ErrorCode::NotOffered));
        }
        if let Some(r) = record {
            tx.audit(&r.entry()).await?;
        }
        tx.commit().await?;
        Ok(())
    })
}

pub struct Served {
    pub volunteer_id: i64,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
}

pub struct NeedOutcomes {
    pub beneficiaries: i64,
    pub households_relocated: i64,
    pub persons_relocated: i64,
    pub notes: Option<String>,
}

/// Completes a need: each volunteer who served gets one service record.
#[allow(clippy::too_many_arguments)]
pub async fn complete(
    pool: &Pool,
    n: &Need,
    completed_at: DateTime<Utc>,
    served: &[Served],
    outcomes: &NeedOutcomes,
    organiser: &str,
    by: Option<i64>,
    rules: &TownRules,
    today: NaiveDate,
    record: Option<&Record>,
) -> Result<usize> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let row: Option<(NeedStatus, i64, i64)> = lock_need!(tx, pool, n.id);
        let Some((status, needed, accepted)) = row else { return Err(StoreError::NotFound) };
        if !allowed(status, Move::Complete, accepted >= needed) {
            return Err(refused());
        }
        let accepted_ids: Vec<i64> =
            sqlx::query_scalar("SELECT volunteer_id FROM need_offers WHERE need_id = $1 AND status = 'accepted'")
                .bind(n.id)
                .fetch_all(&mut *tx)
                .await?;
        if served.iter().any(|s| !accepted_ids.contains(&s.volunteer_id)) {
            return Err(StoreError::Conflict(crate::domain::error_code::ErrorCode::NotAccepted));
        }
        let mut made = 0;
        for s in served {
            let rec = NewRecord {
                volunteer_id: s.volunteer_id,
                source: "need",
                source_id: n.id,
                category: n.category.clone(),
                title: n.title.clone(),
                place: n.place.clone(),
                content: n.description.clone(),
                organiser: organiser.to_string(),
                person_in_charge: None,
                started_at: s.started_at,
                ended_at: s.ended_at,
                travel_minutes: 0,
                recorded_by: by,
            };
            if book_record!(tx, &rec, rules, today).is_some() {
                made += 1;
            }
        }
        sqlx::query(
            "UPDATE needs SET status = 'completed', completed_at = $1, beneficiaries = $2, households_relocated = $3,
                 persons_relocated = $4, outcome_notes = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(completed_at)
        .bind(outcomes.beneficiaries)
        .bind(outcomes.households_relocated)
        .bind(outcomes.persons_relocated)
        .bind(&outcomes.notes)
        .bind(now)
        .bind(n.id)
        .execute(&mut *tx)
        .await?;
        if let Some(r) = record {
            tx.audit(&r.entry()).await?;
        }
        tx.commit().await?;
        Ok(made)
    })
}

pub async fn rate(pool: &Pool, id: i64, stars: i64, comment: Option<&str>, record: Option<&Record>) -> Result<()> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let row: Option<(NeedStatus, i64, i64)> = lock_need!(tx, pool, id);
        let Some((status, needed, accepted)) = row else { return Err(StoreError::NotFound) };
        if !allowed(status, Move::Rate, accepted >= needed) {
            return Err(refused());
        }
        sqlx::query(
            "UPDATE needs SET status = 'rated', rating = $1, rating_comment = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(stars)
        .bind(comment)
        .bind(now)
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

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Offer {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub status: OfferStatus,
    pub reason: Option<String>,
    pub offered_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
}

pub async fn offers(pool: &Pool, id: i64) -> Result<Vec<Offer>> {
    Ok(on_db!(pool, |p| {
        sqlx::query_as::<_, Offer>(
        "SELECT o.volunteer_id, v.volunteer_no, v.name, o.status, o.reason, o.offered_at, o.answered_at
           FROM need_offers o JOIN volunteers v ON v.id = o.volunteer_id WHERE o.need_id = $1 ORDER BY o.offered_at, o.volunteer_id"
    )
    .bind(id)
    .fetch_all(p)
    .await?
    }))
}

#[derive(sqlx::FromRow)]
struct CandidateRow {
    id: i64,
    lat: Option<f64>,
    lon: Option<f64>,
    status: String,
    skills: Option<String>,
    recent: i64,
    busy: i64,
}

/// Everyone who could be offered a need in `within`: with place (his own, or
/// his village's when he has none), skills,
/// whether they are on another need right now, and their recent workload.
pub async fn candidates(pool: &Pool, within: &str, except_need: i64) -> Result<Vec<Candidate>> {
    let agg = match pool {
        Pool::Sqlite(_) => "(SELECT group_concat(skill, ',') FROM volunteer_skills s WHERE s.volunteer_id = v.id)",
        Pool::Postgres(_) => "(SELECT string_agg(skill, ',') FROM volunteer_skills s WHERE s.volunteer_id = v.id)",
    };
    let sql = format!(
        // a volunteer with no pin of his own lives in his village: its place stands for his
        "SELECT v.id, COALESCE(v.lat, r.lat) AS lat, COALESCE(v.lon, r.lon) AS lon, v.status, {agg} AS skills,
                (SELECT COUNT(*) FROM service_records sr WHERE sr.volunteer_id = v.id AND sr.corrected_by IS NULL AND sr.started_at >= $2) AS recent,
                (SELECT COUNT(*) FROM need_offers o JOIN needs n ON n.id = o.need_id
                  WHERE o.volunteer_id = v.id AND o.status = 'accepted' AND n.status = 'accepted' AND n.id <> $3) AS busy
           FROM volunteers v JOIN regions r ON r.id = v.region_id WHERE (r.path >= $1 AND r.path < $1 || '~')"
    );
    let since = Utc::now() - chrono::Duration::days(30);
    let rows: Vec<CandidateRow> =
        on_db!(pool, |p| sqlx::query_as(&sql).bind(within).bind(since).bind(except_need).fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|r| Candidate {
            id: r.id,
            pos: match (r.lat, r.lon) {
                (Some(lat), Some(lon)) => Some(crate::domain::geo::LatLon { lat, lon }),
                _ => None,
            },
            skills: r.skills.unwrap_or_default().split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
            active: r.status == "active",
            busy: r.busy > 0,
            recent_load: r.recent as u32,
        })
        .collect())
}

/// Needs offered to a volunteer and still waiting for their answer.
pub async fn open_offers_for(pool: &Pool, volunteer_id: i64) -> Result<Vec<Need>> {
    let sql = format!(
        "{SELECT} WHERE n.id IN (SELECT need_id FROM need_offers WHERE volunteer_id = $1 AND status = 'offered')
           AND n.status IN ('dispatched', 'accepted') ORDER BY n.filed_at"
    );
    if let Some(reader) = super::reader_of(pool) {
        let rows = reader.all(&sql, &[super::reader::Arg::Int(volunteer_id)], row_of).await?;
        return Ok(rows.into_iter().map(finish).collect());
    }
    let rows: Vec<Need> = on_db!(pool, |p| sqlx::query_as(&sql).bind(volunteer_id).fetch_all(p).await?);
    Ok(rows.into_iter().map(finish).collect())
}

/// Files a need from the public form, with the token of its follow link, and
/// counts the submission for rate limiting, in one transaction.
pub async fn create_public(pool: &Pool, vault: &Vault, d: &NeedDraft, client_hash: &str, token: &str) -> Result<i64> {
    let now = Utc::now();
    let phone_hash = d.requester_phone.as_ref().map(|p| vault.blind(p.as_str())).unwrap_or_default();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO needs (title, category, description, region_id, place, lat, lon, required_skills, volunteers_needed,
                 due_at, filed_at, requester_name, requester_phone_sealed, requester_phone_masked, source, status, follow_token, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9, $10, $11, $12, $13, 'public', 'submitted', $14, $10) RETURNING id",
        )
        .bind(&d.title)
        .bind(&d.category)
        .bind(&d.description)
        .bind(d.region_id)
        .bind(&d.place)
        .bind(d.position.map(|x| x.lat))
        .bind(d.position.map(|x| x.lon))
        .bind(d.volunteers_needed)
        .bind(d.due_at)
        .bind(now)
        .bind(&d.requester_name)
        .bind(d.requester_phone.as_ref().map(|p| vault.seal(p.as_str())))
        .bind(d.requester_phone.as_ref().map(|p| p.masked()))
        .bind(token)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO public_submissions (client_hash, phone_hash, at) VALUES ($1, $2, $3)")
            .bind(client_hash)
            .bind(&phone_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    })
}

pub async fn by_follow_token(pool: &Pool, token: &str) -> Result<Option<Need>> {
    let sql = format!("{SELECT} WHERE n.follow_token = $1");
    let n: Option<Need> = on_db!(pool, |p| sqlx::query_as(&sql).bind(token).fetch_optional(p).await?);
    Ok(n.map(finish))
}

/// Open needs past their deadline inside a subtree: escalated on the dashboard.
pub async fn count_overdue(pool: &Pool, within: &str) -> Result<i64> {
    Ok(on_db!(pool, |p| {
        sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM needs n JOIN regions r ON r.id = n.region_id
          WHERE (r.path >= $1 AND r.path < $1 || '~') AND n.status IN ('submitted', 'dispatched', 'accepted') AND n.due_at < $2"
    )
    .bind(within)
    .bind(Utc::now())
    .fetch_one(p)
    .await?
    }))
}

/// Changes what a need asks for, while nobody has taken it on yet.
pub async fn update(pool: &Pool, vault: &Vault, id: i64, d: &NeedDraft, record: Option<&Record>) -> Result<()> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let row: Option<(NeedStatus, i64, i64)> = lock_need!(tx, pool, id);
        let Some((status, _, accepted)) = row else { return Err(StoreError::NotFound) };
        if !status.is_editable() || accepted > 0 {
            return Err(refused());
        }
        sqlx::query(
            "UPDATE needs SET title = $1, category = $2, description = $3, region_id = $4, place = $5, lat = $6, lon = $7,
                 required_skills = $8, volunteers_needed = $9, due_at = $10, requester_name = $11,
                 requester_phone_sealed = $12, requester_phone_masked = $13, updated_at = $14 WHERE id = $15",
        )
        .bind(&d.title)
        .bind(&d.category)
        .bind(&d.description)
        .bind(d.region_id)
        .bind(&d.place)
        .bind(d.position.map(|x| x.lat))
        .bind(d.position.map(|x| x.lon))
        .bind(d.required_skills.join(","))
        .bind(d.volunteers_needed)
        .bind(d.due_at)
        .bind(&d.requester_name)
        .bind(d.requester_phone.as_ref().map(|p| vault.seal(p.as_str())))
        .bind(d.requester_phone.as_ref().map(|p| p.masked()))
        .bind(now)
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
