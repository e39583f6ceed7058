//! Service records: one per volunteer per service, from activities and from
//! completed needs. Corrections are new rows; the original stays, marked with
//! the correction that replaced it, and no longer counts. Points are booked in
//! the same transaction as the record they come from.

use super::audit::{AuditTx, Record};
use super::settings::TownRules;
use super::{BeginWrite, Pool, Result, StoreError};
use crate::domain::service::{hours, is_late, local_date, served_minutes, RecordSource};
use crate::on_db;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// What a service was, as the record keeps it.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub volunteer_id: i64,
    pub source: &'static str,
    pub source_id: i64,
    pub category: String,
    pub title: String,
    pub place: Option<String>,
    pub content: Option<String>,
    pub organiser: String,
    pub person_in_charge: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub travel_minutes: i64,
    pub recorded_by: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ServiceRecord {
    pub id: i64,
    pub volunteer_id: i64,
    /// activity or need
    pub source: RecordSource,
    pub source_id: i64,
    pub category: String,
    pub title: String,
    pub place: Option<String>,
    pub content: Option<String>,
    pub organiser: String,
    pub person_in_charge: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    #[serde(skip)]
    pub minutes: i64,
    /// Decimal hours actually served.
    #[sqlx(skip)]
    pub hours: f64,
    pub travel_minutes: i64,
    /// Entered more than 10 working days after the service.
    pub late: bool,
    /// The record this one corrects.
    pub corrects: Option<i64>,
    /// The correction that replaced this record; a corrected record no longer counts.
    pub corrected_by: Option<i64>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Adds (`$sign` = 1) or takes away (-1) one counting record from the running
/// tallies the summary report reads (see migrations 0015–0017), inside `$tx`.
macro_rules! tally {
    ($tx:expr, $region_id:expr, $volunteer_id:expr, $started_at:expr, $category:expr, $minutes:expr, $sign:expr) => {{
        let day = $crate::domain::service::local_date($started_at);
        let sign: i64 = $sign;
        sqlx::query(
            "INSERT INTO service_tallies (region_id, day, category, person_times, minutes) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (region_id, day, category) DO UPDATE
                SET person_times = service_tallies.person_times + excluded.person_times,
                    minutes = service_tallies.minutes + excluded.minutes",
        )
        .bind($region_id)
        .bind(day)
        .bind($category)
        .bind(sign)
        .bind(sign * $minutes)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "INSERT INTO service_tallies_months (region_id, month, category, person_times, minutes) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (region_id, month, category) DO UPDATE
                SET person_times = service_tallies_months.person_times + excluded.person_times,
                    minutes = service_tallies_months.minutes + excluded.minutes",
        )
        .bind($region_id)
        .bind(day.format("%Y-%m").to_string())
        .bind($category)
        .bind(sign)
        .bind(sign * $minutes)
        .execute(&mut *$tx)
        .await?;
        // who served: the year's row, and the day's bit. Taking a record away
        // clears the bit only if no other counting record is left that day
        // (a correction is already in place when its original is taken away).
        let (year, word, bit) = $crate::domain::report::day_bit(day);
        let sql = format!(
            "INSERT INTO service_people_years (year, region_id, volunteer_id, records, days{word}) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (year, region_id, volunteer_id) DO UPDATE
                SET records = service_people_years.records + excluded.records,
                    days{word} = service_people_years.days{word} | excluded.days{word}"
        );
        sqlx::query(&sql)
            .bind(i64::from(year))
            .bind($region_id)
            .bind($volunteer_id)
            .bind(sign)
            .bind(if sign > 0 { bit } else { 0 })
            .execute(&mut *$tx)
            .await?;
        if sign < 0 {
            let (from, to) = $crate::domain::report::day_bounds(day, day);
            let sql = format!(
                "UPDATE service_people_years
                    SET days{word} = CASE WHEN EXISTS (
                            SELECT 1 FROM service_records WHERE volunteer_id = $3 AND region_id = $2 AND corrected_by IS NULL
                               AND started_at >= $4 AND started_at < $5)
                        THEN days{word} | $6 ELSE days{word} & $7 END
                  WHERE year = $1 AND region_id = $2 AND volunteer_id = $3"
            );
            sqlx::query(&sql)
                .bind(i64::from(year))
                .bind($region_id)
                .bind($volunteer_id)
                .bind(from)
                .bind(to)
                .bind(bit)
                .bind(!bit)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}
pub(crate) use tally;

/// Inserts a record and its points inside an open transaction `$tx`; evaluates
/// to the new id, or `None` when this volunteer already has a record for this
/// service (so retries and double clicks never count twice).
macro_rules! book_record {
    ($tx:expr, $rec:expr, $rules:expr, $today:expr) => {{
        let rec: &$crate::store::service_records::NewRecord = $rec;
        let rules: &$crate::store::settings::TownRules = $rules;
        let minutes = $crate::domain::service::served_minutes(rec.started_at, rec.ended_at, rec.travel_minutes, rules.count_travel);
        let late = $crate::domain::service::is_late($crate::domain::service::local_date(rec.started_at), $today, &rules.calendar);
        let made: Option<(i64, Option<i64>)> = sqlx::query_as(
            "INSERT INTO service_records (volunteer_id, source, source_id, category, title, place, content, organiser,
                 person_in_charge, started_at, ended_at, minutes, travel_minutes, late, recorded_by, created_at, region_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                     CASE WHEN $2 = 'activity' THEN (SELECT region_id FROM activities WHERE id = $3)
                          ELSE (SELECT region_id FROM needs WHERE id = $3) END)
             ON CONFLICT DO NOTHING RETURNING id, region_id",
        )
        .bind(rec.volunteer_id)
        .bind(rec.source)
        .bind(rec.source_id)
        .bind(&rec.category)
        .bind(&rec.title)
        .bind(&rec.place)
        .bind(&rec.content)
        .bind(&rec.organiser)
        .bind(&rec.person_in_charge)
        .bind(rec.started_at)
        .bind(rec.ended_at)
        .bind(minutes)
        .bind(rec.travel_minutes)
        .bind(late)
        .bind(rec.recorded_by)
        .bind(chrono::Utc::now())
        .fetch_optional(&mut *$tx)
        .await?;
        if let Some((_, Some(region_id))) = made {
            $crate::store::service_records::tally!($tx, region_id, rec.volunteer_id, rec.started_at, &rec.category, minutes, 1);
        }
        let id = made.map(|m| m.0);
        if let Some(id) = id {
            let points = rules.earning.earn(minutes, &rec.category);
            if points != 0 {
                sqlx::query(
                    "INSERT INTO points_ledger (volunteer_id, points, source, source_id, reason, unique_key, created_by, created_at)
                     VALUES ($1, $2, 'service_record', $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                )
                .bind(rec.volunteer_id)
                .bind(points)
                .bind(id.to_string())
                .bind(format!("服务：{}", rec.title))
                .bind(format!("record:{id}"))
                .bind(rec.recorded_by)
                .bind(chrono::Utc::now())
                .execute(&mut *$tx)
                .await?;
            }
        }
        id
    }};
}
pub(crate) use book_record;

const COLUMNS: &str =
    "id, volunteer_id, source, source_id, category, title, place, content, organiser, person_in_charge,
    started_at, ended_at, minutes, travel_minutes, late, corrects, corrected_by, reason, created_at";

fn with_hours(mut v: Vec<ServiceRecord>) -> Vec<ServiceRecord> {
    for r in &mut v {
        r.hours = hours(r.minutes);
    }
    v
}

pub async fn get(pool: &Pool, id: i64) -> Result<Option<ServiceRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM service_records WHERE id = $1");
    let r: Option<ServiceRecord> = on_db!(pool, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
    Ok(r.map(|r| with_hours(vec![r]).remove(0)))
}

/// All records of a volunteer, corrected ones included, newest service first.
/// A row of `COLUMNS` read by the SQLite reader.
fn row_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<ServiceRecord> {
    use super::reader::{parsed, time_at};
    let source = |s: &str| match s {
        "activity" => Some(RecordSource::Activity),
        "need" => Some(RecordSource::Need),
        _ => None,
    };
    Ok(ServiceRecord {
        id: r.get(0)?,
        volunteer_id: r.get(1)?,
        source: parsed(r, 2, source)?,
        source_id: r.get(3)?,
        category: r.get(4)?,
        title: r.get(5)?,
        place: r.get(6)?,
        content: r.get(7)?,
        organiser: r.get(8)?,
        person_in_charge: r.get(9)?,
        started_at: time_at(r, 10)?,
        ended_at: time_at(r, 11)?,
        minutes: r.get(12)?,
        hours: 0.0,
        travel_minutes: r.get(13)?,
        late: r.get(14)?,
        corrects: r.get(15)?,
        corrected_by: r.get(16)?,
        reason: r.get(17)?,
        created_at: time_at(r, 18)?,
    })
}

pub async fn of_volunteer(pool: &Pool, volunteer_id: i64) -> Result<Vec<ServiceRecord>> {
    let sql =
        format!("SELECT {COLUMNS} FROM service_records WHERE volunteer_id = $1 ORDER BY started_at DESC, id DESC");
    if let Some(reader) = super::reader_of(pool) {
        return Ok(with_hours(reader.all(&sql, &[super::reader::Arg::Int(volunteer_id)], row_of).await?));
    }
    let rows = on_db!(pool, |p| sqlx::query_as(&sql).bind(volunteer_id).fetch_all(p).await?);
    Ok(with_hours(rows))
}

/// The record that counts for one volunteer's part in one service, if any.
pub async fn for_source(
    pool: &Pool,
    source: RecordSource,
    source_id: i64,
    volunteer_id: i64,
) -> Result<Option<ServiceRecord>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM service_records WHERE source = $1 AND source_id = $2 AND volunteer_id = $3 AND corrected_by IS NULL"
    );
    let r: Option<ServiceRecord> = on_db!(pool, |p| sqlx::query_as(&sql)
        .bind(source)
        .bind(source_id)
        .bind(volunteer_id)
        .fetch_optional(p)
        .await?);
    Ok(r.map(|r| with_hours(vec![r]).remove(0)))
}

/// Records one service on its own (for callers outside an open transaction).
pub async fn record(pool: &Pool, rec: &NewRecord, rules: &TownRules, today: NaiveDate) -> Result<Option<i64>> {
    let id = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id = book_record!(tx, rec, rules, today);
        tx.commit().await?;
        id
    });
    Ok(id)
}

/// Minutes that count (corrected records do not), and how many records, in an
/// optional period of service days.
pub async fn totals(
    pool: &Pool,
    volunteer_id: i64,
    period: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> Result<(i64, i64)> {
    // No sentinel dates for "all time": SQLite compares times as text, where
    // extreme years sort wrongly.
    let sql = match period {
        None => "SELECT CAST(SUM(minutes) AS BIGINT), COUNT(*) FROM service_records
                  WHERE volunteer_id = $1 AND corrected_by IS NULL"
            .to_string(),
        Some(_) => "SELECT CAST(SUM(minutes) AS BIGINT), COUNT(*) FROM service_records
                  WHERE volunteer_id = $1 AND corrected_by IS NULL AND started_at >= $2 AND started_at < $3"
            .to_string(),
    };
    let row: (Option<i64>, i64) = on_db!(pool, |p| {
        let mut q = sqlx::query_as(&sql).bind(volunteer_id);
        if let Some((from, to)) = period {
            q = q.bind(from).bind(to);
        }
        q.fetch_one(p).await?
    });
    Ok((row.0.unwrap_or(0), row.1))
}

/// Adds a correcting record: the original stays, marked, and stops counting;
/// its points are reversed and the correction's booked, all at once.
#[allow(clippy::too_many_arguments)]
pub async fn correct(
    pool: &Pool,
    original_id: i64,
    started_at: DateTime<Utc>,
    ended_at: DateTime<Utc>,
    reason: &str,
    by_user: i64,
    rules: &TownRules,
    record: &Record,
) -> Result<ServiceRecord> {
    let original = get(pool, original_id).await?.ok_or(StoreError::NotFound)?;
    if original.corrected_by.is_some() {
        return Err(StoreError::Conflict(crate::domain::error_code::ErrorCode::AlreadyCorrected));
    }
    let minutes = served_minutes(started_at, ended_at, original.travel_minutes, rules.count_travel);
    // the correction is late if the service itself was recorded late, or if it
    // comes more than ten working days after the service
    let late = original.late || is_late(local_date(started_at), crate::today_local(), &rules.calendar);
    let now = Utc::now();
    let lock = super::locking(pool, "SELECT id FROM volunteers WHERE id = $1");
    let res: Result<i64> = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        // the volunteer's points are held while they are reversed and re-booked,
        // as a redemption holds them while it spends
        sqlx::query(&lock).bind(original.volunteer_id).execute(&mut *tx).await?;
        let new_id: i64 = sqlx::query_scalar(
            "INSERT INTO service_records (volunteer_id, source, source_id, category, title, place, content, organiser,
                 person_in_charge, started_at, ended_at, minutes, travel_minutes, late, corrects, reason, recorded_by, created_at,
                 region_id)
             SELECT volunteer_id, source, source_id, category, title, place, content, organiser, person_in_charge,
                    $1, $2, $3, travel_minutes, $4, id, $5, $6, $7, region_id
               FROM service_records WHERE id = $8 RETURNING id",
        )
        .bind(started_at)
        .bind(ended_at)
        .bind(minutes)
        .bind(late)
        .bind(reason)
        .bind(by_user)
        .bind(now)
        .bind(original_id)
        .fetch_one(&mut *tx)
        .await?;
        // Only one correction can win the original; a second at the same time finds it taken.
        let claimed =
            sqlx::query("UPDATE service_records SET corrected_by = $1 WHERE id = $2 AND corrected_by IS NULL")
                .bind(new_id)
                .bind(original_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if claimed != 1 {
            return Err(StoreError::Conflict(crate::domain::error_code::ErrorCode::AlreadyCorrected));
        }
        // the original's tally moves to the correction
        let region: Option<i64> = sqlx::query_scalar("SELECT region_id FROM service_records WHERE id = $1")
            .bind(new_id)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(region_id) = region {
            tally!(tx, region_id, original.volunteer_id, original.started_at, &original.category, original.minutes, -1);
            tally!(tx, region_id, original.volunteer_id, started_at, &original.category, minutes, 1);
        }
        let earned: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(SUM(points) AS BIGINT) FROM points_ledger WHERE source = 'service_record' AND source_id = $1",
        )
        .bind(original_id.to_string())
        .fetch_one(&mut *tx)
        .await?;
        let earned = earned.unwrap_or(0);
        let points = rules.earning.earn(minutes, &original.category);
        let balance: Option<i64> =
            sqlx::query_scalar("SELECT CAST(SUM(points) AS BIGINT) FROM points_ledger WHERE volunteer_id = $1")
                .bind(original.volunteer_id)
                .fetch_one(&mut *tx)
                .await?;
        // Points already spent in the shop cannot be taken back: the reversal
        // stops at what keeps the balance at zero, and says so.
        let reversal = earned.min(balance.unwrap_or(0) + points).max(0);
        let reversal_reason = if reversal < earned {
            format!("更正冲销：{}（已兑换{}分无法追回）", original.title, earned - reversal)
        } else {
            format!("更正冲销：{}", original.title)
        };
        if reversal != 0 {
            sqlx::query(
                "INSERT INTO points_ledger (volunteer_id, points, source, source_id, reason, unique_key, created_by, created_at)
                 VALUES ($1, $2, 'service_record', $3, $4, $5, $6, $7)",
            )
            .bind(original.volunteer_id)
            .bind(-reversal)
            .bind(original_id.to_string())
            .bind(&reversal_reason)
            .bind(format!("reverse:{original_id}"))
            .bind(by_user)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        if points != 0 {
            sqlx::query(
                "INSERT INTO points_ledger (volunteer_id, points, source, source_id, reason, unique_key, created_by, created_at)
                 VALUES ($1, $2, 'service_record', $3, $4, $5, $6, $7)",
            )
            .bind(original.volunteer_id)
            .bind(points)
            .bind(new_id.to_string())
            .bind(format!("服务（更正）：{}", original.title))
            .bind(format!("record:{new_id}"))
            .bind(by_user)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
        Ok(new_id)
    });
    get(pool, res?).await?.ok_or(StoreError::NotFound)
}
