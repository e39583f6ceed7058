//! Storage: SQL for SQLite and PostgreSQL behind one small enum.
//!
//! Every query is written once with `$1`-style parameters, which both engines
//! accept, and runs on whichever pool the URL chose. Dialect forks are few and
//! marked where they happen.

pub mod accounts;
pub mod activities;
pub mod announcements;
pub mod applications;
pub mod audit;
pub mod awards;
pub mod bulk;
pub mod care;
pub mod certificates;
pub mod evaluations;
pub mod exports;
pub mod field;
pub mod grids;
pub mod keeper;
pub mod leads;
pub mod ledger;
pub mod mentoring;
pub mod mobilizations;
pub mod needs;
pub mod notifications;
pub mod photos;
pub mod points;
pub mod public_submissions;
pub mod reader;
pub mod regions;
pub mod reports;
pub mod rewards;
pub mod roster;
pub mod service_records;
pub mod sessions;
pub mod settings;
pub mod teams;
pub mod trainings;
pub mod vault;
pub mod volunteers;

use crate::domain::validation::{Problem, Problems};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, LazyLock, RwLock, Weak};
use std::time::Duration;

pub use vault::Vault;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database plus the key that seals personal data in it, and this
/// server's sessions held in memory (`sessions`).
#[derive(Clone)]
pub struct Db {
    pub pool: Pool,
    pub vault: Vault,
    pub sessions: sessions::Sessions,
    /// SQLite's reader for the hottest reads (`reader`); none on PostgreSQL.
    pub reader: Option<Arc<reader::Reader>>,
    /// PostgreSQL's kept data (`keeper`); none on SQLite, whose reader keeps.
    pub keeper: Option<Arc<keeper::Keeper>>,
}

/// The readers of the open SQLite files, by file, so that a store function
/// given only the pool finds its file's reader. Weak: a reader lives as long
/// as the `Db` that opened it.
static READERS: LazyLock<RwLock<HashMap<PathBuf, Weak<reader::Reader>>>> = LazyLock::new(Default::default);

/// The reader of an SQLite pool's file, if its `Db` has one.
pub fn reader_of(pool: &Pool) -> Option<Arc<reader::Reader>> {
    match pool {
        Pool::Sqlite(p) => {
            let options = p.connect_options();
            READERS.read().ok()?.get(options.get_filename())?.upgrade()
        }
        Pool::Postgres(_) => None,
    }
}

/// The keepers of the open PostgreSQL databases, by database (`db_key`), so
/// that a store function given only the pool finds its database's keeper.
/// Weak: a keeper lives as long as the `Db`s that opened it.
static KEEPERS: LazyLock<RwLock<HashMap<String, Weak<keeper::Keeper>>>> = LazyLock::new(Default::default);

/// Which PostgreSQL database a pool reaches. Two pools to one database (two
/// servers in one process, as in the tests) share a keeper, which is safe:
/// what it keeps is stamped with the database's own version.
fn db_key(p: &PgPool) -> String {
    let o = p.connect_options();
    // the socket and options too: another search path is another set of tables
    format!(
        "{}:{}:{:?}/{}@{}?{}",
        o.get_host(),
        o.get_port(),
        o.get_socket(),
        o.get_database().unwrap_or(""),
        o.get_username(),
        o.get_options().unwrap_or("")
    )
}

/// The keeper of a PostgreSQL pool's database, if a `Db` opened one.
pub fn keeper_of(pool: &Pool) -> Option<Arc<keeper::Keeper>> {
    match pool {
        Pool::Postgres(p) => KEEPERS.read().ok()?.get(&db_key(p))?.upgrade(),
        Pool::Sqlite(_) => None,
    }
}

/// Data kept until the database changes: `read`'s value under `key`, handed
/// out again for as long as nothing has been committed since it was read.
/// On SQLite the reader's epoch says so (`reader::Reader::epoch`), on
/// PostgreSQL the version row (`keeper::Keeper::version`); without either
/// (an in-memory file, or switched off) `read` runs every time. Only for data
/// read from the database alone, by `key` alone: never the time of day, never
/// who asks, unless `key` says so; and on PostgreSQL never from the tables
/// whose writes do not move the version (sessions, the audit log, failed
/// sign-ins: migration 0039).
pub async fn kept_or<T, F>(pool: &Pool, key: String, read: impl FnOnce() -> F) -> Result<T>
where
    T: Clone + Send + Sync + 'static,
    F: std::future::Future<Output = Result<T>>,
{
    kept_while(pool, key, |_| true, read).await
}

/// `kept_or`, for data that also goes stale with time (what is still open
/// now): the kept value is handed out only while `fresh` says it still holds.
pub async fn kept_while<T, F>(
    pool: &Pool,
    key: String,
    fresh: impl Fn(&T) -> bool,
    read: impl FnOnce() -> F,
) -> Result<T>
where
    T: Clone + Send + Sync + 'static,
    F: std::future::Future<Output = Result<T>>,
{
    // the number first, then (if nothing is kept under it) the data
    match pool {
        Pool::Sqlite(_) => match reader_of(pool) {
            Some(reader) => reader.shelf().kept_while(key, reader.epoch().await?, fresh, read).await,
            None => read().await,
        },
        Pool::Postgres(p) => match keeper_of(pool) {
            Some(keeper) => keeper.shelf().kept_while(key, keeper.version(p).await?, fresh, read).await,
            None => read().await,
        },
    }
}

tokio::task_local! {
    /// When the reads run by `asked_together` were asked for.
    static ASKED: std::time::Instant;
}

/// Runs reads that are asked for together (the parts of one page, joined) so
/// that on PostgreSQL one reading of the data version answers them all: each
/// may take a reading begun after this call instead of after its own start
/// (`keeper::Keeper::version`). Only for reads: anything this request wrote
/// was committed before the call, so every reading inside still sees it; a
/// write inside might not be seen by the reads after it.
pub async fn asked_together<F: std::future::Future>(reads: F) -> F::Output {
    ASKED.scope(std::time::Instant::now(), reads).await
}

/// When the reads under way were asked for, if `asked_together` runs them.
fn asked_at() -> Option<std::time::Instant> {
    ASKED.try_with(|t| *t).ok()
}

/// A keeper for a PostgreSQL pool (the one already open for its database, if
/// any), unless `LAOBING_POSTGRES_KEEPER=off` (kept for measuring both ways).
fn open_keeper(pool: &Pool) -> Option<Arc<keeper::Keeper>> {
    let Pool::Postgres(p) = pool else { return None };
    if std::env::var("LAOBING_POSTGRES_KEEPER").is_ok_and(|v| v == "off") {
        return None;
    }
    let mut all = KEEPERS.write().ok()?;
    all.retain(|_, w| w.strong_count() > 0);
    let key = db_key(p);
    if let Some(k) = all.get(&key).and_then(Weak::upgrade) {
        return Some(k);
    }
    let k = Arc::new(keeper::Keeper::default());
    all.insert(key, Arc::downgrade(&k));
    Some(k)
}

/// A reader for an SQLite pool, unless `LAOBING_SQLITE_READER=off` (kept for
/// measuring both ways, see docs/benchmarks.md) or the database is in memory.
fn open_reader(pool: &Pool) -> Option<Arc<reader::Reader>> {
    let Pool::Sqlite(p) = pool else { return None };
    if std::env::var("LAOBING_SQLITE_READER").is_ok_and(|v| v == "off") {
        return None;
    }
    let path = p.connect_options().get_filename().to_path_buf();
    if path.as_os_str().is_empty() || path.to_string_lossy().contains(":memory:") {
        return None;
    }
    // reads never wait while holding a connection, so one per worker thread is enough
    let max = std::env::var("LAOBING_SQLITE_READERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8));
    let r = Arc::new(reader::Reader::new(path.clone(), max));
    if let Ok(mut all) = READERS.write() {
        all.retain(|_, w| w.strong_count() > 0);
        all.insert(path, Arc::downgrade(&r));
    }
    Some(r)
}

/// Runs the same block on whichever pool is in use; `$pool` is bound to the
/// typed pool in each arm, so the block is compiled once per engine.
#[macro_export]
macro_rules! on_db {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            $crate::store::Pool::Sqlite($p) => $body,
            $crate::store::Pool::Postgres($p) => $body,
        }
    };
}

/// Starts a transaction that will write. On SQLite it takes the write lock at
/// once (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead
/// of one failing when it upgrades from reading to writing.
pub trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.begin().await
    }
}

/// A `LIKE … ESCAPE '\\'` pattern for text holding `words` as typed (`%` and `_`
/// are characters, not wildcards); empty when there are no words.
pub fn contains_pattern(words: &str) -> String {
    match words.trim() {
        "" => String::new(),
        w => format!("%{}%", w.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")),
    }
}

/// A `SELECT` that locks the rows it reads until the transaction ends, for
/// read-check-write steps (places left, points left, a state that may move).
/// PostgreSQL needs `FOR UPDATE`; SQLite has no row locks and needs none, as
/// `BEGIN IMMEDIATE` (`begin_write`) already holds its only write lock.
pub fn locking(pool: &Pool, select: &str) -> String {
    match pool {
        Pool::Sqlite(_) => select.to_string(),
        Pool::Postgres(_) => format!("{select} FOR UPDATE"),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The request is well-formed but clashes with what is stored (a
    /// duplicate, a reference to something that does not exist).
    #[error("invalid: {0:?}")]
    Invalid(Problems),
    /// The thing exists but is in a state that does not allow this.
    #[error("conflict: {0}")]
    Conflict(crate::domain::error_code::ErrorCode),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    pub fn invalid(p: Problem) -> Self {
        StoreError::Invalid(p.into())
    }
}

/// Turns a unique-index violation into the field problem it means, using the
/// index names of the migrations (PostgreSQL names the constraint, SQLite only
/// the columns, so both are checked).
pub fn unique_violation(e: &sqlx::Error, rules: &[(&str, Problem)]) -> Option<Problem> {
    let db = e.as_database_error()?;
    if !db.is_unique_violation() {
        return None;
    }
    let text = format!("{} {}", db.constraint().unwrap_or(""), db.message());
    rules.iter().find(|(needle, _)| text.contains(needle)).map(|(_, p)| p.clone())
}

pub const DEFAULT_DATA_DIR: &str = "laobing-data";

/// `postgres://…` picks PostgreSQL; anything else is SQLite (`sqlite://path` or a
/// plain file path). No URL means `./laobing-data/laobing.db`.
pub fn resolve_url(url: Option<&str>) -> String {
    match url {
        Some(u) if !u.trim().is_empty() => u.trim().to_string(),
        _ => format!("sqlite://{DEFAULT_DATA_DIR}/laobing.db"),
    }
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Where the SQLite file lives, for creating its folder and for backups.
pub fn sqlite_path(url: &str) -> PathBuf {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

pub async fn connect(url: &str) -> Result<Pool> {
    if is_postgres(url) {
        let opts = PgConnectOptions::from_str(url)?;
        let max = env_pool_size().unwrap_or(16);
        let pool = PgPoolOptions::new()
            .max_connections(max)
            // a ping before every query doubles the round trips; a broken
            // connection shows itself on the query anyway
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        Ok(Pool::Postgres(pool))
    } else {
        let path = sqlite_path(url);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Other(format!("{}: {e}", dir.display())))?;
        }
        let opts = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 2 MiB of page cache per connection keeps the whole server small
            .pragma("cache_size", "-2048")
            .pragma("temp_store", "memory");
        let max = env_pool_size().unwrap_or(8);
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            // each ping is a round trip to the connection's worker thread
            .test_before_acquire(false)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(opts)
            .await?;
        Ok(Pool::Sqlite(pool))
    }
}

fn env_pool_size() -> Option<u32> {
    std::env::var("LAOBING_DB_POOL").ok()?.parse().ok()
}

pub async fn migrate(pool: &Pool) -> Result<()> {
    match pool {
        Pool::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await,
        Pool::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await,
    }
    .map_err(|e| StoreError::Other(format!("migration failed: {e}")))
}

impl Db {
    /// Connects, migrates and loads the sealing key.
    pub async fn open(url: &str, key_dir: &Path) -> Result<Db> {
        let pool = connect(url).await?;
        migrate(&pool).await?;
        let vault = Vault::load(key_dir).map_err(StoreError::Other)?;
        let sessions = sessions::Sessions::new(pool.clone());
        let reader = open_reader(&pool);
        let keeper = open_keeper(&pool);
        Ok(Db { pool, vault, sessions, reader, keeper })
    }

    pub async fn ping(&self) -> bool {
        on_db!(&self.pool, |p| sqlx::query("SELECT 1").execute(p).await.is_ok())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.pool, Pool::Postgres(_))
    }
}

/// A consistent copy of an SQLite database while it is in use (`laobing backup`).
pub async fn vacuum_into(pool: &Pool, target: &str) -> Result<()> {
    if let Pool::Sqlite(p) = pool {
        sqlx::query("VACUUM INTO $1").bind(target).execute(p).await?;
    }
    Ok(())
}

/// Whether a database has Laobing's migrations applied (a restore checks its file first).
pub async fn has_migrations(pool: &Pool) -> bool {
    on_db!(pool, |p| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(p)
        .await
        .is_ok_and(|n| n > 0))
}

/// A bind marker. SQLite looks a numbered `$N` up by a linear scan of all
/// its names, which makes a 25 000-bind statement quadratic (a second a
/// batch); plain `?` binds by position. PostgreSQL wants `$N`.
pub fn mark(pool: &Pool, n: usize) -> String {
    match pool {
        Pool::Sqlite(_) => "?".to_string(),
        Pool::Postgres(_) => format!("${n}"),
    }
}

pub fn marks(pool: &Pool, first: usize, count: usize) -> String {
    (0..count).map(|i| mark(pool, first + i)).collect::<Vec<_>>().join(", ")
}

/// Binds for `IN (...)` lists: `$n, $n+1, …` starting after `first`.
pub fn placeholders(first: usize, count: usize) -> String {
    (0..count).map(|i| format!("${}", first + i)).collect::<Vec<_>>().join(", ")
}
