//! Activities, sign-ups with a waiting list, and attendance that becomes
//! service records.

use super::audit::{AuditTx, Record};
use super::service_records::{book_record, NewRecord};
use super::settings::TownRules;
use super::{BeginWrite, Pool, Result, StoreError};
use crate::domain::activity::{place_for, ActivityDraft, ActivityStatus, AttendanceMethod, SheetSignup, SignupStatus};
use crate::domain::error_code::ErrorCode;
pub use crate::domain::service::Outcomes;
use crate::domain::service::RecordSource;
use crate::domain::validation::Problem;
use crate::on_db;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Activity {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub team_id: Option<i64>,
    pub region_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub capacity: i64,
    pub description: Option<String>,
    /// The unit that organises it (the team, or the region's station).
    pub organiser: String,
    pub person_in_charge: Option<String>,
    pub status: ActivityStatus,
    pub signed_up: i64,
    pub waiting: i64,
    pub beneficiaries: i64,
    pub audience: i64,
    pub households_relocated: i64,
    pub persons_relocated: i64,
    pub outcome_notes: Option<String>,
    #[serde(skip)]
    pub region_path: String,
}

const SELECT: &str =
    "SELECT a.id, a.title, a.category, a.team_id, a.region_id, a.starts_at, a.ends_at, a.place, a.lat, a.lon,
        a.capacity, a.description, a.organiser, a.person_in_charge, a.status,
        (SELECT COUNT(*) FROM activity_signups s WHERE s.activity_id = a.id AND s.status = 'signed_up') AS signed_up,
        (SELECT COUNT(*) FROM activity_signups s WHERE s.activity_id = a.id AND s.status = 'waiting') AS waiting,
        a.beneficiaries, a.audience, a.households_relocated, a.persons_relocated, a.outcome_notes, r.path AS region_path
   FROM activities a JOIN regions r ON r.id = a.region_id";

/// A row of `SELECT` read by the SQLite reader, its columns from `at` on.
fn row_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Activity> {
    use super::reader::{parsed, time_at};
    Ok(Activity {
        id: r.get(at)?,
        title: r.get(at + 1)?,
        category: r.get(at + 2)?,
        team_id: r.get(at + 3)?,
        region_id: r.get(at + 4)?,
        starts_at: time_at(r, at + 5)?,
        ends_at: time_at(r, at + 6)?,
        place: r.get(at + 7)?,
        lat: r.get(at + 8)?,
        lon: r.get(at + 9)?,
        capacity: r.get(at + 10)?,
        description: r.get(at + 11)?,
        organiser: r.get(at + 12)?,
        person_in_charge: r.get(at + 13)?,
        status: parsed(r, at + 14, ActivityStatus::parse)?,
        signed_up: r.get(at + 15)?,
        waiting: r.get(at + 16)?,
        beneficiaries: r.get(at + 17)?,
        audience: r.get(at + 18)?,
        households_relocated: r.get(at + 19)?,
        persons_relocated: r.get(at + 20)?,
        outcome_notes: r.get(at + 21)?,
        region_path: r.get(at + 22)?,
    })
}

pub async fn get(pool: &Pool, id: i64) -> Result<Option<Activity>> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Activity>(&sql).bind(id).fetch_optional(p).await?))
}

/// Activities in a subtree, soonest first; `upcoming` keeps those not yet ended.
pub async fn list(pool: &Pool, within: &str, upcoming: bool, limit: i64) -> Result<Vec<Activity>> {
    let sql = format!(
        "{SELECT} WHERE (r.path >= $1 AND r.path < $1 || '~') AND ($2 = 0 OR (a.ends_at > $3 AND a.status = 'open')) ORDER BY a.starts_at DESC LIMIT $4"
    );
    let prefix = within;
    if let Some(reader) = super::reader_of(pool) {
        use super::reader::Arg;
        let now = super::reader::time_text(Utc::now());
        let args = [Arg::Text(prefix), Arg::Int(i64::from(upcoming)), Arg::Text(&now), Arg::Int(limit)];
        return reader.all(&sql, &args, |r| row_at(r, 0)).await;
    }
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Activity>(&sql)
        .bind(prefix)
        .bind(i64::from(upcoming))
        .bind(Utc::now())
        .bind(limit)
        .fetch_all(p)
        .await?))
}

/// What an activities page asks for: words of the title or place, a state,
/// only those still to come; a page of `limit` from `offset`.
#[derive(Debug, Clone, Default)]
pub struct ActivitySearch {
    pub words: Option<String>,
    pub status: Option<ActivityStatus>,
    pub upcoming: bool,
}

/// A page of the activities under `within`, newest first, and whether more follow.
pub async fn search(
    pool: &Pool,
    within: &str,
    s: &ActivitySearch,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Activity>, bool)> {
    let sql = format!(
        "{SELECT} WHERE (r.path >= $1 AND r.path < $1 || '~')
            AND ($2 = '' OR a.title LIKE $2 ESCAPE '\\' OR COALESCE(a.place, '') LIKE $2 ESCAPE '\\')
            AND ($3 = '' OR a.status = $3)
            AND ($4 = 0 OR a.ends_at > $5)
          ORDER BY a.starts_at DESC, a.id DESC LIMIT $6 OFFSET $7"
    );
    let words = super::contains_pattern(s.words.as_deref().unwrap_or(""));
    let status = s.status.map(|x| x.as_str()).unwrap_or("");
    let mut rows: Vec<Activity> = on_db!(pool, |p| sqlx::query_as::<_, Activity>(&sql)
        .bind(within)
        .bind(&words)
        .bind(status)
        .bind(i64::from(s.upcoming))
        .bind(Utc::now())
        .bind(limit + 1)
        .bind(offset)
        .fetch_all(p)
        .await?);
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// Adds (`$sign` = 1) or takes away (-1) activity `$id` as it stands now from
/// the month tallies the summary report reads (migration 0016), inside `$tx`:
/// a change is taken away before it is written and added back after.
macro_rules! activity_tally {
    ($tx:expr, $id:expr, $sign:expr) => {{
        let sign: i64 = $sign;
        type Row = (i64, DateTime<Utc>, String, Option<i64>, i64, i64, i64, i64, ActivityStatus);
        let row: Option<Row> = sqlx::query_as(
            "SELECT region_id, starts_at, category, team_id, beneficiaries, audience, households_relocated,
                    persons_relocated, status FROM activities WHERE id = $1",
        )
        .bind($id)
        .fetch_optional(&mut *$tx)
        .await?;
        if let Some((region_id, starts_at, category, team_id, ben, aud, hh, pp, status)) = row {
            if status != ActivityStatus::Cancelled {
                sqlx::query(
                    "INSERT INTO activity_tallies_months (region_id, month, category, team_id, activities, beneficiaries,
                         audience, households_relocated, persons_relocated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT (region_id, month, category, team_id) DO UPDATE
                        SET activities = activity_tallies_months.activities + excluded.activities,
                            beneficiaries = activity_tallies_months.beneficiaries + excluded.beneficiaries,
                            audience = activity_tallies_months.audience + excluded.audience,
                            households_relocated = activity_tallies_months.households_relocated + excluded.households_relocated,
                            persons_relocated = activity_tallies_months.persons_relocated + excluded.persons_relocated",
                )
                .bind(region_id)
                .bind(crate::domain::service::local_date(starts_at).format("%Y-%m").to_string())
                .bind(category)
                .bind(team_id.unwrap_or(0))
                .bind(sign)
                .bind(sign * ben)
                .bind(sign * aud)
                .bind(sign * hh)
                .bind(sign * pp)
                .execute(&mut *$tx)
                .await?;
            }
        }
    }};
}

/// Creates an activity without an audit record (the demo town's seeding).
pub async fn create(pool: &Pool, d: &ActivityDraft, organiser: &str, person_in_charge: Option<&str>) -> Result<i64> {
    create_audited(pool, d, organiser, person_in_charge, None).await
}

/// Creates an activity; the audit record, about the new id, is written with it.
pub async fn create_audited(
    pool: &Pool,
    d: &ActivityDraft,
    organiser: &str,
    person_in_charge: Option<&str>,
    record: Option<&Record>,
) -> Result<i64> {
    Ok(on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO activities (title, category, team_id, region_id, starts_at, ends_at, place, lat, lon, capacity,
             description, organiser, person_in_charge, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id"
    )
    .bind(&d.title)
    .bind(&d.category)
    .bind(d.team_id)
    .bind(d.region_id)
    .bind(d.starts_at)
    .bind(d.ends_at)
    .bind(&d.place)
    .bind(d.position.map(|x| x.lat))
    .bind(d.position.map(|x| x.lon))
    .bind(d.capacity)
    .bind(&d.description)
    .bind(organiser)
    .bind(person_in_charge)
    .bind(Utc::now())
    .fetch_one(&mut *tx)
    .await?;
        activity_tally!(tx, id, 1);
        if let Some(r) = record {
            tx.audit(&r.clone().about(id).entry()).await?;
        }
        tx.commit().await?;
        id
    }))
}

/// Changes an open activity. The capacity is checked against the places
/// taken under the same lock a sign-up takes, so a sign-up at the same moment
/// cannot leave more people with a place than the new capacity allows.
pub async fn update(pool: &Pool, id: i64, d: &ActivityDraft, record: &Record) -> Result<()> {
    let lock_sql = super::locking(pool, "SELECT status FROM activities WHERE id = $1");
    let n = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let status: Option<ActivityStatus> = sqlx::query_scalar(&lock_sql).bind(id).fetch_optional(&mut *tx).await?;
        match status {
            None => return Err(StoreError::NotFound),
            Some(ActivityStatus::Open) => {}
            Some(_) => return Err(StoreError::Conflict(ErrorCode::ActivityNotOpen)),
        }
        let taken: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM activity_signups WHERE activity_id = $1 AND status = 'signed_up'")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        if d.capacity < taken {
            return Err(StoreError::invalid(Problem::about(
                "capacity",
                "不能少于已报名人数，请先取消部分报名",
                "cannot be less than the number already signed up",
            )));
        }
        activity_tally!(tx, id, -1);
        let n = sqlx::query(
        "UPDATE activities SET title = $1, category = $2, team_id = $3, region_id = $4, starts_at = $5, ends_at = $6,
             place = $7, lat = $8, lon = $9, capacity = $10, description = $11 WHERE id = $12"
    )
    .bind(&d.title)
    .bind(&d.category)
    .bind(d.team_id)
    .bind(d.region_id)
    .bind(d.starts_at)
    .bind(d.ends_at)
    .bind(&d.place)
    .bind(d.position.map(|x| x.lat))
    .bind(d.position.map(|x| x.lon))
    .bind(d.capacity)
    .bind(&d.description)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
        activity_tally!(tx, id, 1);
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        n
    });
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignupOutcome {
    pub activity_id: i64,
    pub volunteer_id: i64,
    /// signed_up (has a place) or waiting
    pub status: SignupStatus,
    /// Place in the waiting list, 1 = next to move up.
    pub waiting_position: Option<i64>,
}

/// Signs a volunteer up without an audit record (the demo town's seeding).
pub async fn sign_up(pool: &Pool, activity_id: i64, volunteer_id: i64) -> Result<SignupOutcome> {
    sign_up_audited(pool, activity_id, volunteer_id, None).await
}

/// Signs a volunteer up: a place while there is one, else the waiting list.
/// The audit record's detail gets the outcome (`signed_up` or `waiting`) added.
pub async fn sign_up_audited(
    pool: &Pool,
    activity_id: i64,
    volunteer_id: i64,
    record: Option<&Record>,
) -> Result<SignupOutcome> {
    let now = Utc::now();
    let lock_sql = super::locking(pool, "SELECT capacity, status, ends_at FROM activities WHERE id = $1");
    let status: Result<SignupStatus> = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let row: Option<(i64, ActivityStatus, DateTime<Utc>)> =
            sqlx::query_as(&lock_sql).bind(activity_id).fetch_optional(&mut *tx).await?;
        let Some((capacity, status, ends_at)) = row else { return Err(StoreError::NotFound) };
        if !status.is_open() || ends_at <= now {
            return Err(StoreError::Conflict(ErrorCode::ActivityNotOpen));
        }
        let existing: Option<SignupStatus> =
            sqlx::query_scalar("SELECT status FROM activity_signups WHERE activity_id = $1 AND volunteer_id = $2")
                .bind(activity_id)
                .bind(volunteer_id)
                .fetch_optional(&mut *tx)
                .await?;
        if existing.is_some_and(SignupStatus::is_active) {
            return Err(StoreError::Conflict(ErrorCode::AlreadySignedUp));
        }
        let taken: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM activity_signups WHERE activity_id = $1 AND status = 'signed_up'")
                .bind(activity_id)
                .fetch_one(&mut *tx)
                .await?;
        let next_seq: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM activity_signups WHERE activity_id = $1")
                .bind(activity_id)
                .fetch_one(&mut *tx)
                .await?;
        let new_status = if place_for(taken, capacity) { SignupStatus::SignedUp } else { SignupStatus::Waiting };
        sqlx::query(
            "INSERT INTO activity_signups (activity_id, volunteer_id, status, seq, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
             ON CONFLICT (activity_id, volunteer_id) DO UPDATE SET status = excluded.status, seq = excluded.seq, updated_at = excluded.updated_at",
        )
        .bind(activity_id)
        .bind(volunteer_id)
        .bind(new_status)
        .bind(next_seq)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if let Some(r) = record {
            let mut r = r.clone();
            r.detail = format!("{} {}", r.detail, new_status.as_str());
            tx.audit(&r.entry()).await?;
        }
        tx.commit().await?;
        Ok(new_status)
    });
    let status = status?;
    let waiting_position =
        if status == SignupStatus::Waiting { waiting_position(pool, activity_id, volunteer_id).await? } else { None };
    Ok(SignupOutcome { activity_id, volunteer_id, status, waiting_position })
}

pub async fn waiting_position(pool: &Pool, activity_id: i64, volunteer_id: i64) -> Result<Option<i64>> {
    let n: Option<i64> = on_db!(pool, |p| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM activity_signups w JOIN activity_signups me ON me.activity_id = w.activity_id
          WHERE w.activity_id = $1 AND me.volunteer_id = $2 AND me.status = 'waiting' AND w.status = 'waiting' AND w.seq <= me.seq"
    )
    .bind(activity_id)
    .bind(volunteer_id)
    .fetch_optional(p)
    .await?
    });
    Ok(n.filter(|n| *n > 0))
}

/// Cancels a sign-up; a freed place goes to the first on the waiting list,
/// whose id is returned.
pub async fn cancel(pool: &Pool, activity_id: i64, volunteer_id: i64, record: &Record) -> Result<Option<i64>> {
    let now = Utc::now();
    let lock_sql = super::locking(pool, "SELECT capacity, status FROM activities WHERE id = $1");
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let row: Option<(i64, ActivityStatus)> =
            sqlx::query_as(&lock_sql).bind(activity_id).fetch_optional(&mut *tx).await?;
        let Some((capacity, status)) = row else { return Err(StoreError::NotFound) };
        if !status.is_open() {
            // what happened at a closed activity stays as it was, no-shows included
            return Err(StoreError::Conflict(ErrorCode::ActivityNotOpen));
        }
        let was: Option<SignupStatus> =
            sqlx::query_scalar("SELECT status FROM activity_signups WHERE activity_id = $1 AND volunteer_id = $2")
                .bind(activity_id)
                .bind(volunteer_id)
                .fetch_optional(&mut *tx)
                .await?;
        if !was.is_some_and(SignupStatus::is_active) {
            return Err(StoreError::NotFound);
        }
        sqlx::query("UPDATE activity_signups SET status = 'cancelled', updated_at = $1 WHERE activity_id = $2 AND volunteer_id = $3")
            .bind(now)
            .bind(activity_id)
            .bind(volunteer_id)
            .execute(&mut *tx)
            .await?;
        let taken: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM activity_signups WHERE activity_id = $1 AND status = 'signed_up'")
                .bind(activity_id)
                .fetch_one(&mut *tx)
                .await?;
        let mut promoted = None;
        if place_for(taken, capacity) {
            promoted = sqlx::query_scalar(
                "SELECT volunteer_id FROM activity_signups WHERE activity_id = $1 AND status = 'waiting' ORDER BY seq LIMIT 1",
            )
            .bind(activity_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(v) = promoted {
                sqlx::query("UPDATE activity_signups SET status = 'signed_up', updated_at = $1 WHERE activity_id = $2 AND volunteer_id = $3")
                    .bind(now)
                    .bind(activity_id)
                    .bind(v)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        Ok(promoted)
    })
}

/// One line of the leader's attendance sheet.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct SheetLine {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    /// signed_up, waiting, cancelled, or walk_in (attended without signing up)
    pub signup: SheetSignup,
    pub check_in: Option<DateTime<Utc>>,
    pub check_out: Option<DateTime<Utc>>,
    /// Checked out by the system at the activity's end; the leader should confirm.
    pub auto_closed: Option<bool>,
}

/// One line of the printed sign-in sheet (签到表): who holds a place or came,
/// with the village and the phone masked (the sheet lies on a table for all).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PrintLine {
    pub name: String,
    pub volunteer_no: String,
    pub village: String,
    pub phone_masked: String,
    pub check_in: Option<DateTime<Utc>>,
    pub check_out: Option<DateTime<Utc>>,
}

pub async fn print_sheet(pool: &Pool, activity_id: i64) -> Result<Vec<PrintLine>> {
    Ok(on_db!(pool, |p| sqlx::query_as::<_, PrintLine>(
        "SELECT v.name, v.volunteer_no, r.name AS village, v.phone_masked, t.check_in, t.check_out
           FROM volunteers v JOIN regions r ON r.id = v.region_id
           LEFT JOIN activity_signups s ON s.volunteer_id = v.id AND s.activity_id = $1
           LEFT JOIN attendance t ON t.volunteer_id = v.id AND t.activity_id = $1
          WHERE s.status = 'signed_up' OR t.activity_id IS NOT NULL
          ORDER BY COALESCE(s.seq, 1000000), v.id"
    )
    .bind(activity_id)
    .fetch_all(p)
    .await?))
}

pub async fn sheet(pool: &Pool, activity_id: i64) -> Result<Vec<SheetLine>> {
    Ok(on_db!(pool, |p| {
        sqlx::query_as::<_, SheetLine>(
        "SELECT v.id AS volunteer_id, v.volunteer_no, v.name, COALESCE(s.status, 'walk_in') AS signup,
                t.check_in, t.check_out, t.auto_closed
           FROM volunteers v
           LEFT JOIN activity_signups s ON s.volunteer_id = v.id AND s.activity_id = $1
           LEFT JOIN attendance t ON t.volunteer_id = v.id AND t.activity_id = $1
          WHERE s.activity_id IS NOT NULL OR t.activity_id IS NOT NULL
          ORDER BY CASE COALESCE(s.status, 'walk_in') WHEN 'signed_up' THEN 0 WHEN 'walk_in' THEN 1 WHEN 'waiting' THEN 2 ELSE 3 END, s.seq, v.id"
    )
    .bind(activity_id)
    .fetch_all(p)
    .await?
    }))
}

/// What a service record of this activity says about it.
pub fn record_for(
    a: &Activity,
    volunteer_id: i64,
    started_at: DateTime<Utc>,
    ended_at: DateTime<Utc>,
    by: Option<i64>,
) -> NewRecord {
    NewRecord {
        volunteer_id,
        source: RecordSource::Activity.as_str(),
        source_id: a.id,
        category: a.category.clone(),
        title: a.title.clone(),
        place: a.place.clone(),
        content: a.description.clone(),
        organiser: a.organiser.clone(),
        person_in_charge: a.person_in_charge.clone(),
        started_at,
        ended_at,
        travel_minutes: 0,
        recorded_by: by,
    }
}

/// Records one volunteer's attendance without an audit record (the demo
/// town's seeding); with a check-out it also books the service record (once).
/// Returns the record id when one was made.
#[allow(clippy::too_many_arguments)]
pub async fn attend(
    pool: &Pool,
    a: &Activity,
    volunteer_id: i64,
    check_in: DateTime<Utc>,
    check_out: Option<DateTime<Utc>>,
    method: AttendanceMethod,
    by: Option<i64>,
    rules: &TownRules,
    today: NaiveDate,
) -> Result<Option<i64>> {
    let made = attend_all(pool, a, &[(volunteer_id, check_in, check_out)], method, by, rules, today, None).await?;
    Ok(made.into_iter().next().flatten())
}

/// One volunteer's attendance: who, check-in, check-out if they have left.
pub type AttendanceRow = (i64, DateTime<Utc>, Option<DateTime<Utc>>);

/// Records the attendance of several volunteers at once, with one audit
/// record, in one transaction; each check-out books its service record
/// (once). Returns, row by row, the record id when one was made.
#[allow(clippy::too_many_arguments)]
pub async fn attend_all(
    pool: &Pool,
    a: &Activity,
    rows: &[AttendanceRow],
    method: AttendanceMethod,
    by: Option<i64>,
    rules: &TownRules,
    today: NaiveDate,
    record: Option<&Record>,
) -> Result<Vec<Option<i64>>> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let mut made_all = Vec::with_capacity(rows.len());
        for &(volunteer_id, check_in, check_out) in rows {
            sqlx::query(
            "INSERT INTO attendance (activity_id, volunteer_id, check_in, check_out, method, auto_closed, recorded_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, FALSE, $6, $7)
             ON CONFLICT (activity_id, volunteer_id) DO UPDATE SET check_in = excluded.check_in,
                 check_out = COALESCE(excluded.check_out, attendance.check_out), method = excluded.method,
                 auto_closed = FALSE, recorded_by = excluded.recorded_by, updated_at = excluded.updated_at",
        )
        .bind(a.id)
        .bind(volunteer_id)
        .bind(check_in)
        .bind(check_out)
        .bind(method)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
            let mut made = None;
            if let Some(out) = check_out {
                let rec = record_for(a, volunteer_id, check_in, out, by);
                made = book_record!(tx, &rec, rules, today);
            }
            made_all.push(made);
        }
        if let Some(r) = record {
            tx.audit(&r.entry()).await?;
        }
        tx.commit().await?;
        Ok(made_all)
    })
}

/// Closes an activity: forgotten check-outs are set to the activity's end and
/// flagged for the leader, and every attendance becomes a service record.
/// Returns (records made, check-outs closed by the system).
pub async fn close(
    pool: &Pool,
    a: &Activity,
    by: Option<i64>,
    rules: &TownRules,
    today: NaiveDate,
) -> Result<(usize, usize)> {
    close_audited(pool, a, by, rules, today, None).await
}

/// Closes an activity as `close` does; the audit record's detail is set to
/// the number of records made.
pub async fn close_audited(
    pool: &Pool,
    a: &Activity,
    by: Option<i64>,
    rules: &TownRules,
    today: NaiveDate,
    record: Option<&Record>,
) -> Result<(usize, usize)> {
    let now = Utc::now();
    let lock_sql = super::locking(pool, "SELECT status FROM activities WHERE id = $1");
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let status: Option<ActivityStatus> = sqlx::query_scalar(&lock_sql).bind(a.id).fetch_optional(&mut *tx).await?;
        if status != Some(ActivityStatus::Open) {
            return Err(StoreError::Conflict(ErrorCode::ActivityNotOpen));
        }
        let open: Vec<(i64, DateTime<Utc>)> = sqlx::query_as(
            "SELECT volunteer_id, check_in FROM attendance WHERE activity_id = $1 AND check_out IS NULL",
        )
        .bind(a.id)
        .fetch_all(&mut *tx)
        .await?;
        // closed early, forgotten check-outs end now; closed late, at the activity's end
        let end = if a.ends_at < now { a.ends_at } else { now };
        for (v, check_in) in &open {
            let out = if *check_in < end { end } else { *check_in };
            sqlx::query("UPDATE attendance SET check_out = $1, auto_closed = TRUE, updated_at = $2 WHERE activity_id = $3 AND volunteer_id = $4")
                .bind(out)
                .bind(now)
                .bind(a.id)
                .bind(v)
                .execute(&mut *tx)
                .await?;
        }
        let all: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
            "SELECT volunteer_id, check_in, check_out FROM attendance WHERE activity_id = $1 AND check_out IS NOT NULL",
        )
        .bind(a.id)
        .fetch_all(&mut *tx)
        .await?;
        let mut made = 0;
        for (v, cin, cout) in &all {
            let rec = record_for(a, *v, *cin, *cout, by);
            if book_record!(tx, &rec, rules, today).is_some() {
                made += 1;
            }
        }
        sqlx::query("UPDATE activities SET status = $1 WHERE id = $2")
            .bind(ActivityStatus::Closed)
            .bind(a.id)
            .execute(&mut *tx)
            .await?;
        if let Some(r) = record {
            let mut r = r.clone();
            r.detail = format!("{made} records");
            tx.audit(&r.entry()).await?;
        }
        tx.commit().await?;
        Ok((made, open.len()))
    })
}

/// Sets an activity's outcomes without an audit record (the demo town's seeding).
pub async fn set_outcomes(pool: &Pool, id: i64, o: &Outcomes) -> Result<()> {
    set_outcomes_audited(pool, id, o, None).await
}

pub async fn set_outcomes_audited(pool: &Pool, id: i64, o: &Outcomes, record: Option<&Record>) -> Result<()> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        activity_tally!(tx, id, -1);
        sqlx::query(
            "UPDATE activities SET beneficiaries = $1, audience = $2, households_relocated = $3, persons_relocated = $4,
                 outcome_notes = $5 WHERE id = $6",
        )
        .bind(o.beneficiaries)
        .bind(o.audience)
        .bind(o.households_relocated)
        .bind(o.persons_relocated)
        .bind(&o.notes)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        activity_tally!(tx, id, 1);
        if let Some(r) = record {
            tx.audit(&r.entry()).await?;
        }
        tx.commit().await?;
    });
    Ok(())
}

/// A volunteer's sign-ups with their activities, newest first.
pub async fn of_volunteer(pool: &Pool, volunteer_id: i64) -> Result<Vec<(Activity, SignupStatus)>> {
    // one statement: each activity with the volunteer's sign-up status beside it
    #[derive(sqlx::FromRow)]
    struct Mine {
        #[sqlx(flatten)]
        activity: Activity,
        my_status: SignupStatus,
    }
    let sql = format!(
        "{} , activity_signups s2 WHERE s2.activity_id = a.id AND s2.volunteer_id = $1 AND s2.status <> 'cancelled' ORDER BY a.starts_at DESC",
        SELECT.replacen("SELECT ", "SELECT s2.status AS my_status, ", 1)
    );
    if let Some(reader) = super::reader_of(pool) {
        let mine = |r: &rusqlite::Row<'_>| {
            let st = super::reader::parsed(r, 0, |s| {
                [SignupStatus::SignedUp, SignupStatus::Waiting, SignupStatus::Cancelled]
                    .into_iter()
                    .find(|x| x.as_str() == s)
            })?;
            Ok((row_at(r, 1)?, st))
        };
        return reader.all(&sql, &[super::reader::Arg::Int(volunteer_id)], mine).await;
    }
    let rows: Vec<Mine> = on_db!(pool, |p| sqlx::query_as::<_, Mine>(&sql).bind(volunteer_id).fetch_all(p).await?);
    Ok(rows.into_iter().map(|m| (m.activity, m.my_status)).collect())
}

/// A volunteer's check-in and check-out at one activity, if any.
pub async fn attendance_of(
    pool: &Pool,
    activity_id: i64,
    volunteer_id: i64,
) -> Result<Option<(DateTime<Utc>, Option<DateTime<Utc>>)>> {
    Ok(on_db!(pool, |p| sqlx::query_as::<_, (DateTime<Utc>, Option<DateTime<Utc>>)>(
        "SELECT check_in, check_out FROM attendance WHERE activity_id = $1 AND volunteer_id = $2"
    )
    .bind(activity_id)
    .bind(volunteer_id)
    .fetch_optional(p)
    .await?))
}

pub async fn signup_status(pool: &Pool, activity_id: i64, volunteer_id: i64) -> Result<Option<SignupStatus>> {
    Ok(on_db!(pool, |p| sqlx::query_scalar::<_, SignupStatus>(
        "SELECT status FROM activity_signups WHERE activity_id = $1 AND volunteer_id = $2"
    )
    .bind(activity_id)
    .bind(volunteer_id)
    .fetch_optional(p)
    .await?))
}
