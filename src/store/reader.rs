//! SQLite reads on the calling thread, for the hottest pages.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every
//! result row across to the async side; under load that hand-over, not
//! SQLite, was most of a roster page's cost (thread switches, a copy of every
//! value, see docs/benchmarks.md). The reader keeps a few read-only
//! connections of its own (rusqlite over the same bundled SQLite) and runs a
//! short read right where the request is, with its prepared statement cached
//! on the connection: a page's rows never cross a thread.
//!
//! It is bounded: at most `max` connections, each with a 2 MiB page cache; a
//! request that finds them all busy waits for one (asynchronously). Only
//! short, index-served reads belong here, as each holds its worker thread
//! for its length (tens of microseconds); writes and long reads (reports,
//! exports) stay on the sqlx pool. PostgreSQL has no reader: its queries go
//! over the network anyway, and sqlx serves them as they are (what it keeps
//! is kept by `keeper::Keeper`).
//!
//! The SQL is the stores' own text, `$N` binds included (SQLite names those
//! parameters `$1`, `$2`…; [`bind`] binds each by its name's number).

use super::keeper::Shelf;
use super::{Result, StoreError};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

pub struct Reader {
    path: PathBuf,
    idle: Mutex<Vec<Held>>,
    slots: tokio::sync::Semaphore,
    /// Pages of data read at an epoch (`epoch`), by what was asked.
    kept: Shelf,
}

/// A connection, and the `data_version` it last reported.
struct Held {
    conn: Connection,
    seen: Option<i64>,
}

/// Moves on whenever a reader connection finds that another connection
/// committed since it last looked (`Reader::epoch`). One for the process, so
/// that two readers of the same file (two servers in one process, as in the
/// tests) can never take each other's numbers for their own.
static EPOCH: AtomicU64 = AtomicU64::new(0);

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader").field("path", &self.path).finish()
    }
}

/// A value to bind.
pub enum Arg<'a> {
    Text(&'a str),
    Int(i64),
}

impl Reader {
    /// A reader of the SQLite file at `path`, with at most `max` connections
    /// (opened when first needed).
    pub fn new(path: PathBuf, max: usize) -> Reader {
        Reader {
            path,
            idle: Mutex::new(Vec::new()),
            slots: tokio::sync::Semaphore::new(max.max(1)),
            kept: Shelf::default(),
        }
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        c.busy_timeout(std::time::Duration::from_secs(10))?;
        c.execute_batch("PRAGMA cache_size = -2048; PRAGMA temp_store = memory; PRAGMA query_only = true;")?;
        c.set_prepared_statement_cache_capacity(64);
        Ok(c)
    }

    /// Runs `f` on one of the reader's connections.
    pub async fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        self.with_held(|h| f(&h.conn)).await
    }

    async fn with_held<T>(&self, f: impl FnOnce(&mut Held) -> rusqlite::Result<T>) -> Result<T> {
        let _slot = self.slots.acquire().await.map_err(|e| StoreError::Other(e.to_string()))?;
        let taken = self.idle.lock().map_err(|e| StoreError::Other(e.to_string()))?.pop();
        let mut held = match taken {
            Some(h) => h,
            None => Held { conn: self.open().map_err(failed)?, seen: None },
        };
        let out = f(&mut held);
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(held);
        }
        out.map_err(failed)
    }

    /// A number for what the file holds now: data read after this call and
    /// kept under the number it gave (`keep`) is good for as long as later
    /// calls give the same number.
    ///
    /// SQLite's `PRAGMA data_version` on a connection changes when another
    /// connection (this server's writers, another server's, a command-line
    /// tool) has committed since that connection last asked. The reader's
    /// connections never write (`query_only`), so every commit is another
    /// connection's. A connection that finds its value changed, or asks for
    /// the first time, moves the process-wide epoch on before answering.
    ///
    /// Why that is enough: say data was read after a call answered `e`, and a
    /// change was committed after that call. A later call runs on some
    /// connection; the first time that connection asked after the commit, it
    /// either had never asked or had last asked before the commit, so its
    /// value differed and it moved the epoch on, after the commit and so past
    /// `e`. No call after the commit answers `e`, and the data read before it
    /// is never handed out again.
    pub async fn epoch(&self) -> Result<u64> {
        self.with_held(|h| {
            let v: i64 = h.conn.prepare_cached("PRAGMA data_version")?.query_row([], |r| r.get(0))?;
            if h.seen != Some(v) {
                EPOCH.fetch_add(1, Ordering::SeqCst);
                h.seen = Some(v);
            }
            Ok(EPOCH.load(Ordering::SeqCst))
        })
        .await
    }

    /// The values read from this file and kept by their epoch (`super::kept_while`).
    pub fn shelf(&self) -> &Shelf {
        &self.kept
    }

    /// All rows of `sql` with `args`, each made by `row`.
    pub async fn all<T>(
        &self,
        sql: &str,
        args: &[Arg<'_>],
        row: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        self.read(|c| {
            let mut st = c.prepare_cached(sql)?;
            bind(&mut st, args)?;
            let mut rows = st.raw_query();
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(row(r)?);
            }
            Ok(out)
        })
        .await
    }

    /// The one value of the first row of `sql`.
    pub async fn scalar(&self, sql: &str, args: &[Arg<'_>]) -> Result<i64> {
        let v = self.all(sql, args, |r| r.get::<_, Option<i64>>(0)).await?;
        Ok(v.into_iter().next().flatten().unwrap_or(0))
    }
}

fn failed(e: rusqlite::Error) -> StoreError {
    StoreError::Other(format!("sqlite read: {e}"))
}

/// Binds `args` to a statement written with `$N` markers: `$N` gets `args[N-1]`.
pub fn bind(st: &mut rusqlite::CachedStatement<'_>, args: &[Arg<'_>]) -> rusqlite::Result<()> {
    for i in 1..=st.parameter_count() {
        let n: usize =
            st.parameter_name(i).and_then(|name| name.trim_start_matches(['$', '?']).parse().ok()).unwrap_or(i);
        match args.get(n - 1) {
            Some(Arg::Text(t)) => st.raw_bind_parameter(i, t)?,
            Some(Arg::Int(v)) => st.raw_bind_parameter(i, v)?,
            None => return Err(rusqlite::Error::InvalidParameterCount(n, args.len())),
        }
    }
    Ok(())
}

fn bad(i: usize, what: &str, text: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, format!("{what}: {text:?}").into())
}

/// A time as sqlx writes it to SQLite (RFC 3339), or as SQLite's own
/// functions do (`2026-01-02 03:04:05`, UTC).
pub fn time_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<DateTime<Utc>> {
    let s: String = r.get(i)?;
    parse_time(&s).ok_or_else(|| bad(i, "time", &s))
}

pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Some(t.with_timezone(&Utc));
    }
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| t.and_utc())
}

/// A time as sqlx binds it to SQLite, for comparing with stored times.
pub fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

pub fn date_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<NaiveDate> {
    let s: String = r.get(i)?;
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| bad(i, "date", &s))
}

pub fn opt_date_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    match r.get::<_, Option<String>>(i)? {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(&s, "%Y-%m-%d").map(Some).map_err(|_| bad(i, "date", &s)),
    }
}

/// A text column read into a type by its parser (an enum's `parse`).
pub fn parsed<T>(r: &rusqlite::Row<'_>, i: usize, parse: impl Fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    parse(&s).ok_or_else(|| bad(i, "value", &s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_as_sqlx_and_sqlite_write_them() {
        let want = "2026-12-07T03:05:06.123456Z".parse::<DateTime<Utc>>().expect("time");
        assert_eq!(parse_time("2026-12-07T03:05:06.123456+00:00"), Some(want));
        assert_eq!(parse_time("2026-12-07 03:05:06.123456+00:00"), Some(want));
        assert_eq!(parse_time("2026-12-07 03:05:06.123456"), Some(want));
        assert_eq!(parse_time("2026-12-07T11:05:06.123456+08:00"), Some(want));
        assert_eq!(parse_time("yesterday"), None);
    }
}
