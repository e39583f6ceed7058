//! Multi-row inserts for made-up data at county scale (benchmarks only): a
//! statement per thousand rows, one transaction per call, the same SQL text on
//! both databases.
//!
//! Committing every thousand rows was tried first and crawled at a few
//! thousand records a second on SQLite: rows land at random places in four
//! indexes, so each commit rewrote most of the pages it touched into the WAL.
//! One transaction per call with a large page cache writes each page once.

use super::{marks, BeginWrite, Pool, Result};
use crate::domain::report::{DAY_BITS, DAY_WORDS};
use crate::on_db;
use chrono::{DateTime, NaiveDate, Utc};

pub struct Person {
    pub volunteer_no: String,
    pub name: String,
    pub birth_date: NaiveDate,
    pub id_sealed: String,
    pub id_hash: String,
    pub id_masked: String,
    pub phone_sealed: String,
    pub phone_hash: String,
    pub phone_masked: String,
    pub region_id: i64,
}

pub struct Held {
    pub title: String,
    pub category: &'static str,
    pub region_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub beneficiaries: i64,
}

pub struct Served {
    pub volunteer_id: i64,
    pub activity_id: i64,
    pub category: &'static str,
    pub region_id: i64,
    pub started_at: DateTime<Utc>,
    pub minutes: i64,
}

/// `(…binds…, tail), …` for `rows` rows of `cols` binds each (`?` on SQLite; see `store::mark`).
fn values(pool: &Pool, rows: usize, cols: usize, tail: &str) -> String {
    (0..rows).map(|r| format!("({}{tail})", marks(pool, r * cols + 1, cols))).collect::<Vec<_>>().join(", ")
}

const CHUNK: usize = 1000;

pub async fn volunteers(pool: &Pool, people: &[Person]) -> Result<()> {
    let now = Utc::now();
    for chunk in people.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO volunteers (volunteer_no, name, gender, birth_date, id_sealed, id_hash, id_masked, phone_sealed, phone_hash,
                 phone_masked, region_id, created_at, updated_at, status) VALUES {}",
            values(pool, chunk.len(), 13, ", 'active'")
        );
        on_db!(pool, |p| {
            let mut tx = p.begin_write().await?;
            let mut q = sqlx::query(&sql);
            for v in chunk {
                q = q
                    .bind(&v.volunteer_no)
                    .bind(&v.name)
                    .bind("male")
                    .bind(v.birth_date)
                    .bind(&v.id_sealed)
                    .bind(&v.id_hash)
                    .bind(&v.id_masked)
                    .bind(&v.phone_sealed)
                    .bind(&v.phone_hash)
                    .bind(&v.phone_masked)
                    .bind(v.region_id)
                    .bind(now)
                    .bind(now);
            }
            q.execute(&mut *tx).await?;
            tx.commit().await?;
        });
    }
    Ok(())
}

/// Inserts held (closed) activities; returns their ids in the order given.
pub async fn activities(pool: &Pool, held: &[Held]) -> Result<Vec<i64>> {
    let now = Utc::now();
    let mut ids = Vec::with_capacity(held.len());
    for chunk in held.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO activities (title, category, region_id, starts_at, ends_at, beneficiaries, created_at, capacity, organiser, status)
             VALUES {} RETURNING id",
            values(pool, chunk.len(), 7, ", 30, '压测', 'closed'")
        );
        let mut got: Vec<i64> = on_db!(pool, |p| {
            let mut tx = p.begin_write().await?;
            let mut q = sqlx::query_scalar(&sql);
            for a in chunk {
                q = q
                    .bind(&a.title)
                    .bind(a.category)
                    .bind(a.region_id)
                    .bind(a.starts_at)
                    .bind(a.ends_at)
                    .bind(a.beneficiaries)
                    .bind(now);
            }
            let ids = q.fetch_all(&mut *tx).await?;
            tx.commit().await?;
            ids
        });
        // RETURNING gives rows in insertion order on both databases for a single VALUES list
        got.sort_unstable();
        ids.extend(got);
    }
    Ok(ids)
}

pub async fn service_records(pool: &Pool, served: &[Served]) -> Result<()> {
    let now = Utc::now();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        if matches!(pool, Pool::Sqlite(_)) {
            sqlx::query("PRAGMA cache_size = -1000000").execute(&mut *tx).await?;
        }
        for chunk in served.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO service_records (volunteer_id, source_id, category, region_id, started_at, ended_at, minutes,
                     created_at, source, title, organiser, late) VALUES {}",
                values(pool, chunk.len(), 8, ", 'activity', '压测活动', '压测', FALSE")
            );
            let mut q = sqlx::query(&sql);
            for s in chunk {
                q = q
                    .bind(s.volunteer_id)
                    .bind(s.activity_id)
                    .bind(s.category)
                    .bind(s.region_id)
                    .bind(s.started_at)
                    .bind(s.started_at + chrono::Duration::minutes(s.minutes))
                    .bind(s.minutes)
                    .bind(now);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
    });
    Ok(())
}

/// Rebuilds the running tallies (migrations 0015–0017) from the records, after rows
/// were written around them; local days are UTC+8 as everywhere else.
pub async fn rebuild_tallies(pool: &Pool) -> Result<()> {
    let (day, month, year, doy, one) = match pool {
        Pool::Sqlite(_) => (
            "date(started_at, '+8 hours')",
            "strftime('%Y-%m', started_at, '+8 hours')",
            "CAST(strftime('%Y', started_at, '+8 hours') AS INTEGER)",
            "CAST(strftime('%j', started_at, '+8 hours') AS INTEGER) - 1",
            "1",
        ),
        Pool::Postgres(_) => (
            "CAST(started_at AT TIME ZONE 'UTC' + INTERVAL '8 hours' AS DATE)",
            "to_char(started_at AT TIME ZONE 'UTC' + INTERVAL '8 hours', 'YYYY-MM')",
            "CAST(EXTRACT(YEAR FROM started_at AT TIME ZONE 'UTC' + INTERVAL '8 hours') AS BIGINT)",
            "CAST(EXTRACT(DOY FROM started_at AT TIME ZONE 'UTC' + INTERVAL '8 hours') AS INTEGER) - 1",
            "CAST(1 AS BIGINT)",
        ),
    };
    let counted = "FROM service_records WHERE corrected_by IS NULL AND region_id IS NOT NULL GROUP BY 1, 2, 3";
    // who served, a row per year with the days as bits (as migration 0017 fills it)
    let words: Vec<String> = (0..DAY_WORDS)
        .map(|w| {
            format!("CAST(SUM(CASE WHEN doy / {DAY_BITS} = {w} THEN {one} << (doy % {DAY_BITS}) ELSE 0 END) AS BIGINT)")
        })
        .collect();
    let statements = [
        "DELETE FROM service_tallies".to_string(),
        "DELETE FROM service_people_years".to_string(),
        format!(
            "INSERT INTO service_tallies (region_id, day, category, person_times, minutes)
                 SELECT region_id, {day}, category, COUNT(*), SUM(minutes) {counted}"
        ),
        format!(
            "INSERT INTO service_people_years (year, region_id, volunteer_id, records, days0, days1, days2, days3, days4, days5)
             SELECT y, region_id, volunteer_id, CAST(SUM(n) AS BIGINT), {}
               FROM (SELECT {year} AS y, region_id, volunteer_id, {doy} AS doy, COUNT(*) AS n
                       FROM service_records WHERE corrected_by IS NULL AND region_id IS NOT NULL GROUP BY 1, 2, 3, 4) d
              GROUP BY y, region_id, volunteer_id",
            words.join(", ")
        ),
        "DELETE FROM service_tallies_months".to_string(),
        "DELETE FROM activity_tallies_months".to_string(),
        format!(
            "INSERT INTO service_tallies_months (region_id, month, category, person_times, minutes)
                 SELECT region_id, {month}, category, COUNT(*), SUM(minutes) {counted}"
        ),
        format!(
            "INSERT INTO activity_tallies_months (region_id, month, category, team_id, activities, beneficiaries, audience,
                 households_relocated, persons_relocated)
             SELECT region_id, {}, category, COALESCE(team_id, 0), COUNT(*), SUM(beneficiaries), SUM(audience),
                    SUM(households_relocated), SUM(persons_relocated)
               FROM activities WHERE status <> 'cancelled' GROUP BY 1, 2, 3, 4",
            month.replace("started_at", "starts_at")
        ),
    ];
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        for sql in &statements {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        tx.commit().await?;
    });
    Ok(())
}

/// Fresh statistics after a bulk load: PostgreSQL plans badly without them,
/// and SQLite's planner uses them too.
pub async fn analyze(pool: &Pool) -> Result<()> {
    // VACUUM as well on PostgreSQL: a fresh table's visibility map is empty,
    // and index-only scans go back to the heap until it is set
    let sql = match pool {
        Pool::Sqlite(_) => "ANALYZE",
        Pool::Postgres(_) => "VACUUM ANALYZE",
    };
    on_db!(pool, |p| {
        sqlx::query(sql).execute(p).await?;
    });
    Ok(())
}
