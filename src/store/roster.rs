//! Importing a checked roster: duplicates against the database, then every
//! good row in one transaction with multi-row INSERTs, so a town's whole
//! roster (tens of thousands of rows) loads in seconds.

use super::audit::{AuditTx, Record};
use super::{mark, marks, BeginWrite, Db, Pool, Result, StoreError, Vault};
use crate::domain::roster::{check, Checked, RowError, Sheet, SheetError, Villages};
use crate::domain::volunteer::{volunteer_no, VolunteerDraft};
use crate::on_db;
use chrono::Utc;
use std::collections::HashMap;

/// Villages (and communities) inside a region's subtree, for matching names.
pub async fn villages_within(pool: &Pool, within: &str) -> Result<Vec<(i64, String)>> {
    let prefix = within;
    Ok(on_db!(pool, |p| {
        sqlx::query_as::<_, (i64, String)>(
            "SELECT id, name FROM regions WHERE kind = 'village' AND (path >= $1 AND path < $1 || '~')",
        )
        .bind(prefix)
        .fetch_all(p)
        .await?
    }))
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub dry_run: bool,
    pub skip_invalid: bool,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub rows: usize,
    pub valid: usize,
    pub imported: usize,
    pub errors: Vec<RowError>,
    pub warnings: Vec<RowError>,
}

/// The personal data of one row, sealed once before the transaction starts.
struct Sealed {
    id_sealed: String,
    id_hash: String,
    id_masked: String,
    phone_sealed: String,
    phone_hash: String,
    phone_masked: String,
}

fn seal_one(vault: &Vault, d: &VolunteerDraft) -> Sealed {
    Sealed {
        id_sealed: vault.seal(d.id_number.as_str()),
        id_hash: vault.blind(d.id_number.as_str()),
        id_masked: d.id_number.masked(),
        phone_sealed: vault.seal(d.phone.as_str()),
        phone_hash: vault.blind(d.phone.as_str()),
        phone_masked: d.phone.masked(),
    }
}

/// Sealing is the import's CPU work (two AES-GCM seals and two HMACs a row);
/// it is spread over the cores.
fn seal_all(vault: &Vault, drafts: &[&VolunteerDraft]) -> Vec<Sealed> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if threads < 2 || drafts.len() < 2000 {
        return drafts.iter().map(|d| seal_one(vault, d)).collect();
    }
    let chunk = drafts.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = drafts
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|d| seal_one(vault, d)).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}

/// Rows a multi-row INSERT carries: 25 binds a row stays under SQLite's
/// 32 766 and PostgreSQL's 65 535 bind limits.
const BATCH: usize = 1000;
const VOLUNTEER_COLUMNS: usize = 25;

fn insert_sql(pool: &Pool, rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO volunteers (id, volunteer_no, name, gender, birth_date, id_sealed, id_hash, id_masked, phone_sealed, phone_hash,
             phone_masked, region_id, address, lat, lon, branch, enlisted_on, discharged_on, veteran_category,
             party_member, cadre_role, availability, status, created_at, updated_at) VALUES ",
    );
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..VOLUNTEER_COLUMNS {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&mark(pool, r * VOLUNTEER_COLUMNS + c + 1));
        }
        sql.push(')');
    }
    sql
}

fn pairs_sql(pool: &Pool, table_and_columns: &str, rows: usize, per_row: usize) -> String {
    let values: Vec<String> = (0..rows).map(|r| format!("({})", marks(pool, r * per_row + 1, per_row))).collect();
    format!("INSERT INTO {table_and_columns} VALUES {}", values.join(", "))
}

/// Checks the rows against the roster already stored and, unless this is a
/// dry run or an invalid row forbids it, stores the good ones. `progress` is
/// told how many rows are stored so far, and of how many.
/// With `record`, an import that stores rows writes it in the same
/// transaction, its detail saying how many rows of how many.
pub async fn import(
    db: &Db,
    mut checked: Checked,
    opts: Options,
    progress: &(dyn Fn(usize, usize) + Sync),
    record: Option<&Record>,
) -> Result<Outcome> {
    let vault = db.vault.clone();
    let drafts: Vec<VolunteerDraft> = checked.good.iter().map(|g| g.draft.clone()).collect();
    let (drafts, sealed) = tokio::task::spawn_blocking(move || {
        let refs: Vec<&VolunteerDraft> = drafts.iter().collect();
        let sealed = seal_all(&vault, &refs);
        (drafts, sealed)
    })
    .await
    .map_err(|e| StoreError::Other(e.to_string()))?;
    let rows_of: Vec<u32> = checked.good.iter().map(|g| g.row).collect();

    let now = Utc::now();
    let result: Result<Outcome> = on_db!(&db.pool, |p| {
        // The duplicate check and the inserts share one transaction (on SQLite
        // one write lock), so no other import can slip in between.
        let clock = std::time::Instant::now();
        let mut tx = p.begin_write().await?;
        let mut taken: HashMap<u32, (String, String)> = HashMap::new();
        let id_column = checked.header.text(crate::domain::roster::Column::IdNumber);
        for (rows, chunk) in rows_of.chunks(BATCH).zip(sealed.chunks(BATCH)) {
            let sql = format!("SELECT id_hash FROM volunteers WHERE id_hash IN ({})", marks(&db.pool, 1, chunk.len()));
            let mut q = sqlx::query_scalar::<_, String>(&sql);
            for s in chunk {
                q = q.bind(&s.id_hash);
            }
            let found: std::collections::HashSet<String> = q.fetch_all(&mut *tx).await?.into_iter().collect();
            for (row, s) in rows.iter().zip(chunk) {
                if found.contains(&s.id_hash) {
                    taken.insert(
                        *row,
                        (format!("{id_column}已在花名册中，不能重复登记"), "ID number is already on the roster".into()),
                    );
                }
            }
        }
        tracing::debug!(ms = clock.elapsed().as_millis() as u64, "import: duplicates checked");
        let keep: Vec<bool> = rows_of.iter().map(|r| !taken.contains_key(r)).collect();
        checked.reject(&taken);
        let valid = checked.good.len();
        let write = !opts.dry_run && (checked.errors.is_empty() || opts.skip_invalid) && valid > 0;
        if !write {
            tx.rollback().await?;
            return Ok(Outcome {
                rows: checked.rows,
                valid,
                imported: 0,
                errors: checked.errors,
                warnings: checked.warnings,
            });
        }
        let todo: Vec<(&VolunteerDraft, &Sealed)> =
            drafts.iter().zip(&sealed).zip(&keep).filter(|(_, k)| **k).map(|(x, _)| x).collect();
        // Ids are taken before inserting, so each row goes in whole with its
        // volunteer number: numbering afterwards with an UPDATE rewrote every
        // row and its indexes a second time (seconds on PostgreSQL).
        let ids: Vec<i64> = if matches!(db.pool, Pool::Postgres(_)) {
            sqlx::query_scalar::<_, i64>(
                "SELECT nextval(pg_get_serial_sequence('volunteers', 'id')) FROM generate_series(1, $1::bigint)",
            )
            .bind(todo.len() as i64)
            .fetch_all(&mut *tx)
            .await?
        } else {
            // the write lock is held, so nobody else takes the next rowids meanwhile
            let max: i64 =
                sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(id), 0) FROM volunteers").fetch_one(&mut *tx).await?;
            (max + 1..=max + todo.len() as i64).collect()
        };
        let mut done = 0;
        for (chunk, chunk_ids) in todo.chunks(BATCH).zip(ids.chunks(BATCH)) {
            let sql = insert_sql(&db.pool, chunk.len());
            let mut q = sqlx::query(&sql);
            for ((d, s), id) in chunk.iter().zip(chunk_ids) {
                q = q
                    .bind(id)
                    .bind(volunteer_no(*id))
                    .bind(&d.name)
                    .bind(d.gender.as_str())
                    .bind(d.birth_date)
                    .bind(&s.id_sealed)
                    .bind(&s.id_hash)
                    .bind(&s.id_masked)
                    .bind(&s.phone_sealed)
                    .bind(&s.phone_hash)
                    .bind(&s.phone_masked)
                    .bind(d.region_id)
                    .bind(&d.address)
                    .bind(d.position.map(|x| x.lat))
                    .bind(d.position.map(|x| x.lon))
                    .bind(&d.branch)
                    .bind(d.enlisted_on)
                    .bind(d.discharged_on)
                    .bind(&d.veteran_category)
                    .bind(d.party_member)
                    .bind(&d.cadre_role)
                    .bind(&d.availability)
                    .bind(d.status.as_str())
                    .bind(now)
                    .bind(now);
            }
            q.execute(&mut *tx).await.map_err(clash)?;
            let mut skills: Vec<(i64, &str)> = Vec::new();
            let mut honors: Vec<(i64, i64, &str)> = Vec::new();
            for ((d, _), id) in chunk.iter().zip(chunk_ids) {
                skills.extend(d.skills.iter().map(|k| (*id, k.as_str())));
                honors.extend(d.honors.iter().enumerate().map(|(i, h)| (*id, i as i64, h.as_str())));
            }
            for part in skills.chunks(BATCH * 4) {
                let sql = pairs_sql(&db.pool, "volunteer_skills (volunteer_id, skill)", part.len(), 2);
                let mut q = sqlx::query(&sql);
                for (id, k) in part {
                    q = q.bind(id).bind(*k);
                }
                q.execute(&mut *tx).await?;
            }
            for part in honors.chunks(BATCH * 3) {
                let sql = pairs_sql(&db.pool, "volunteer_honors (volunteer_id, position, title)", part.len(), 3);
                let mut q = sqlx::query(&sql);
                for (id, i, h) in part {
                    q = q.bind(id).bind(i).bind(*h);
                }
                q.execute(&mut *tx).await?;
            }
            done += chunk.len();
            progress(done, todo.len());
        }
        tracing::debug!(ms = clock.elapsed().as_millis() as u64, "import: rows inserted");
        if let Some(r) = record.filter(|_| done > 0) {
            let r = Record { detail: format!("{} of {} rows", done, checked.rows), ..r.clone() };
            tx.audit(&r.entry()).await?;
        }
        tx.commit().await?;
        // A freshly loaded PostgreSQL plans as if the table were still empty
        // until its statistics are refreshed.
        tracing::debug!(ms = clock.elapsed().as_millis() as u64, "import: committed");
        sqlx::query("ANALYZE volunteers").execute(p).await?;
        sqlx::query("ANALYZE volunteer_skills").execute(p).await?;
        Ok(Outcome { rows: checked.rows, valid, imported: done, errors: checked.errors, warnings: checked.warnings })
    });
    result
}

/// Only an import or a create running at the same moment on PostgreSQL can
/// get here: the check above saw the number free, another writer took it since.
fn clash(e: sqlx::Error) -> StoreError {
    let p = crate::domain::validation::Problem::new(
        "file",
        "导入期间有身份证号被同时登记，请重新检查后再导入",
        "An ID number in the file was registered while importing; check the file again and retry",
    );
    match super::unique_violation(&e, &[("id_hash", p)]) {
        Some(p) => StoreError::invalid(p),
        None => e.into(),
    }
}

/// Reads a workbook or csv (told apart by the zip signature every `.xlsx`
/// starts with), checks it against the villages of `within` and imports it.
/// The outer error is the database's; the inner one says the file is no roster.
pub async fn run(
    db: &Db,
    within: &str,
    bytes: Vec<u8>,
    opts: Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<std::result::Result<Outcome, SheetError>> {
    run_audited(db, within, bytes, opts, progress, None).await
}

/// `run`, with the audit record of a stored import written in its transaction.
pub async fn run_audited(
    db: &Db,
    within: &str,
    bytes: Vec<u8>,
    opts: Options,
    progress: &(dyn Fn(usize, usize) + Sync),
    record: Option<&Record>,
) -> Result<std::result::Result<Outcome, SheetError>> {
    let villages = Villages::new(&villages_within(&db.pool, within).await?);
    let today = crate::today_local();
    let checked = tokio::task::spawn_blocking(move || {
        let sheet = if bytes.starts_with(b"PK\x03\x04") { Sheet::from_xlsx(&bytes) } else { Sheet::from_csv(&bytes) }?;
        check(&sheet, &villages, today)
    })
    .await
    .map_err(|e| StoreError::Other(e.to_string()))?;
    match checked {
        Ok(c) => Ok(Ok(import(db, c, opts, progress, record).await?)),
        Err(e) => Ok(Err(e)),
    }
}
