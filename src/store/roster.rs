//! Importing a checked roster: duplicates against the database, then every
//! good row in one transaction with multi-row INSERTs, so a town's whole
//! roster (tens of thousands of rows) loads in seconds.

use super::audit::{AuditTx, Record};
use super::{mark, marks, BeginWrite, Db, Pool, Result, StoreError, Vault};
use crate::domain::roster::{check, samples, Book, Checked, Column, Header, Mapping, RowError, SheetError, Villages};
use crate::domain::volunteer::{volunteer_no, VolunteerDraft};
use crate::on_db;
use chrono::{NaiveDate, Utc};
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

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub dry_run: bool,
    pub skip_invalid: bool,
    /// Header texts mapped to fields by the person importing.
    pub mapping: Mapping,
    /// The town's last mapping, for headers neither the mapping nor the vocabulary knows.
    pub remembered: Mapping,
}

/// One field of someone already on the roster that the sheet changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field's name in a mapping (`phone`, `village`, …).
    pub field: &'static str,
    /// The column as written in the sheet.
    pub column: String,
    pub before: String,
    pub after: String,
}

/// Someone already on the roster whom the sheet changes.
#[derive(Debug, Clone)]
pub struct Change {
    pub sheet: String,
    pub row: u32,
    pub volunteer_no: String,
    pub name: String,
    pub fields: Vec<FieldChange>,
}

/// Someone on the roster of the sheet's villages whom the sheet no longer lists.
#[derive(Debug, Clone)]
pub struct Missing {
    pub volunteer_no: String,
    pub name: String,
    pub village: String,
}

#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub rows: usize,
    pub valid: usize,
    /// Rows stored: added and updated.
    pub imported: usize,
    /// New to the roster (stored unless a dry run or an invalid row forbids it).
    pub added: usize,
    /// Already on the roster with changes.
    pub updated: usize,
    /// Already on the roster exactly as the sheet has them.
    pub unchanged: usize,
    pub changes: Vec<Change>,
    pub missing: Vec<Missing>,
    pub errors: Vec<RowError>,
    pub warnings: Vec<RowError>,
    /// The header found on each sheet, with the first rows under it (masked).
    pub headers: Vec<(Header, Vec<Vec<String>>)>,
    /// Whether some column still needs mapping.
    pub needs_mapping: bool,
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

/// Someone already on the roster, as far as an import compares them.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Existing {
    id: i64,
    id_hash: String,
    volunteer_no: String,
    name: String,
    region_id: i64,
    region_path: String,
    region_name: String,
    phone_sealed: String,
    phone_hash: String,
    phone_masked: String,
    address: Option<String>,
    branch: Option<String>,
    enlisted_on: Option<NaiveDate>,
    discharged_on: Option<NaiveDate>,
    veteran_category: Option<String>,
    party_member: bool,
}

/// What an existing volunteer becomes: the sheet's value for every field the
/// row gives, the stored one for the rest.
struct Update {
    id: i64,
    name: String,
    phone: (String, String, String),
    region_id: i64,
    address: Option<String>,
    branch: Option<String>,
    enlisted_on: Option<NaiveDate>,
    discharged_on: Option<NaiveDate>,
    veteran_category: Option<String>,
    party_member: bool,
    skills: Option<Vec<String>>,
    honors: Option<Vec<String>>,
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Compares one good row with the stored volunteer, field by field, over the
/// fields the row gives.
fn compare(
    e: &Existing,
    d: &VolunteerDraft,
    s: &Sealed,
    given: &[Column],
    header: &Header,
    (skills, honors): (&[String], &[String]),
    village_names: &HashMap<i64, String>,
) -> (Vec<FieldChange>, Update) {
    let mut changes = Vec::new();
    let mut u = Update {
        id: e.id,
        name: e.name.clone(),
        phone: (e.phone_sealed.clone(), e.phone_hash.clone(), e.phone_masked.clone()),
        region_id: e.region_id,
        address: e.address.clone(),
        branch: e.branch.clone(),
        enlisted_on: e.enlisted_on,
        discharged_on: e.discharged_on,
        veteran_category: e.veteran_category.clone(),
        party_member: e.party_member,
        skills: None,
        honors: None,
    };
    let mut note = |c: Column, before: String, after: String| {
        changes.push(FieldChange { field: c.code(), column: header.text(c), before, after });
    };
    let has = |c: Column| given.contains(&c);
    if has(Column::Name) && d.name != e.name {
        note(Column::Name, e.name.clone(), d.name.clone());
        u.name = d.name.clone();
    }
    if has(Column::Phone) && s.phone_hash != e.phone_hash {
        note(Column::Phone, e.phone_masked.clone(), s.phone_masked.clone());
        u.phone = (s.phone_sealed.clone(), s.phone_hash.clone(), s.phone_masked.clone());
    }
    if d.region_id != e.region_id && (has(Column::Village) || has(Column::Address)) {
        let after = village_names.get(&d.region_id).cloned().unwrap_or_default();
        note(Column::Village, e.region_name.clone(), after);
        u.region_id = d.region_id;
    }
    if has(Column::Address) && d.address != e.address {
        note(Column::Address, opt(&e.address), opt(&d.address));
        u.address = d.address.clone();
    }
    if has(Column::Branch) && d.branch != e.branch {
        note(Column::Branch, opt(&e.branch), opt(&d.branch));
        u.branch = d.branch.clone();
    }
    if has(Column::Enlisted) && d.enlisted_on != e.enlisted_on {
        note(Column::Enlisted, day(e.enlisted_on), day(d.enlisted_on));
        u.enlisted_on = d.enlisted_on;
    }
    if has(Column::Discharged) && d.discharged_on != e.discharged_on {
        note(Column::Discharged, day(e.discharged_on), day(d.discharged_on));
        u.discharged_on = d.discharged_on;
    }
    if has(Column::VeteranCategory) && d.veteran_category != e.veteran_category {
        note(Column::VeteranCategory, opt(&e.veteran_category), opt(&d.veteran_category));
        u.veteran_category = d.veteran_category.clone();
    }
    let yes_no = |b: bool| if b { "是" } else { "否" }.to_string();
    if has(Column::Politics) && d.party_member != e.party_member {
        note(Column::Politics, yes_no(e.party_member), yes_no(d.party_member));
        u.party_member = d.party_member;
    }
    let sorted = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort();
        v
    };
    if has(Column::Skills) && sorted(skills) != sorted(&d.skills) {
        note(Column::Skills, skills.join("、"), d.skills.join("、"));
        u.skills = Some(d.skills.clone());
    }
    if has(Column::Honors) && honors != d.honors.as_slice() {
        note(Column::Honors, honors.join("、"), d.honors.join("、"));
        u.honors = Some(d.honors.clone());
    }
    (changes, u)
}

/// Checks the rows against the roster already stored and, unless this is a
/// dry run or an invalid row forbids it, stores them: people new to the
/// roster are added, people already on it (matched by ID number) get the
/// fields the sheet changes, in one transaction; nobody is deleted, and those
/// of the sheet's villages whom the sheet no longer lists are reported.
/// `progress` is told how many rows are stored so far, and of how many.
/// With `record`, an import that stores rows writes it in the same
/// transaction, its detail saying how many rows of how many.
pub async fn import(
    db: &Db,
    within: &str,
    mut checked: Checked,
    opts: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
    record: Option<&Record>,
    village_names: &HashMap<i64, String>,
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
    let keys: Vec<(usize, u32)> = checked.good.iter().map(|g| (g.sheet, g.row)).collect();

    let now = Utc::now();
    let result: Result<Outcome> = on_db!(&db.pool, |p| {
        // The matching and the writes share one transaction (on SQLite one
        // write lock), so no other import can slip in between.
        let clock = std::time::Instant::now();
        let mut tx = p.begin_write().await?;
        let mut existing: HashMap<String, Existing> = HashMap::new();
        for chunk in sealed.chunks(BATCH) {
            let sql = format!(
                "SELECT v.id, v.id_hash, v.volunteer_no, v.name, v.region_id, r.path AS region_path, r.name AS region_name,
                        v.phone_sealed, v.phone_hash, v.phone_masked, v.address, v.branch, v.enlisted_on, v.discharged_on,
                        v.veteran_category, v.party_member
                 FROM volunteers v JOIN regions r ON r.id = v.region_id WHERE v.id_hash IN ({})",
                marks(&db.pool, 1, chunk.len())
            );
            let mut q = sqlx::query_as::<_, Existing>(&sql);
            for s in chunk {
                q = q.bind(&s.id_hash);
            }
            for e in q.fetch_all(&mut *tx).await? {
                existing.insert(e.id_hash.clone(), e);
            }
        }
        // someone on another town's roster is not this town's to change
        let mut taken: HashMap<(usize, u32), (String, String)> = HashMap::new();
        for (key, s) in keys.iter().zip(&sealed) {
            if let Some(e) = existing.get(&s.id_hash) {
                if !(e.region_path.as_str() >= within && e.region_path.as_str() < format!("{within}~").as_str()) {
                    let column = checked.headers[key.0].text(Column::IdNumber);
                    taken.insert(
                        *key,
                        (
                            format!(
                                "{column}已在本区域以外（{}）的花名册中，不能在此导入：请与该村所属镇核实",
                                e.region_name
                            ),
                            format!(
                                "ID number is on the roster of {}, outside this region: check with its town",
                                e.region_name
                            ),
                        ),
                    );
                }
            }
        }
        let ids: Vec<i64> = existing.values().map(|e| e.id).collect();
        let mut skills_of: HashMap<i64, Vec<String>> = HashMap::new();
        let mut honors_of: HashMap<i64, Vec<String>> = HashMap::new();
        for chunk in ids.chunks(BATCH) {
            let sql = format!(
                "SELECT volunteer_id, skill FROM volunteer_skills WHERE volunteer_id IN ({})",
                marks(&db.pool, 1, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            for (id, k) in q.fetch_all(&mut *tx).await? {
                skills_of.entry(id).or_default().push(k);
            }
            let sql = format!(
                "SELECT volunteer_id, title FROM volunteer_honors WHERE volunteer_id IN ({}) ORDER BY volunteer_id, position",
                marks(&db.pool, 1, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            for (id, h) in q.fetch_all(&mut *tx).await? {
                honors_of.entry(id).or_default().push(h);
            }
        }
        tracing::debug!(ms = clock.elapsed().as_millis() as u64, "import: roster matched");
        let keep: Vec<bool> = keys.iter().map(|k| !taken.contains_key(k)).collect();
        let good_rows: Vec<(usize, u32, Vec<Column>)> =
            checked.good.iter().map(|g| (g.sheet, g.row, g.given.clone())).collect();
        checked.reject(&taken);
        let valid = checked.good.len();
        let mut fresh: Vec<(&VolunteerDraft, &Sealed)> = Vec::new();
        let mut updates: Vec<Update> = Vec::new();
        let mut changes: Vec<Change> = Vec::new();
        let mut unchanged = 0;
        let mut seen_hashes: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut villages_in_sheet: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
        for (((d, s), k), (sheet, row, given)) in drafts.iter().zip(&sealed).zip(&keep).zip(&good_rows) {
            seen_hashes.insert(s.id_hash.as_str());
            if !*k {
                continue;
            }
            villages_in_sheet.insert(d.region_id);
            match existing.get(&s.id_hash) {
                None => fresh.push((d, s)),
                Some(e) => {
                    let none = Vec::new();
                    let header = &checked.headers[*sheet];
                    let (fields, u) = compare(
                        e,
                        d,
                        s,
                        given,
                        header,
                        (skills_of.get(&e.id).unwrap_or(&none), honors_of.get(&e.id).unwrap_or(&none)),
                        village_names,
                    );
                    if fields.is_empty() {
                        unchanged += 1;
                    } else {
                        changes.push(Change {
                            sheet: header.sheet.clone(),
                            row: *row,
                            volunteer_no: e.volunteer_no.clone(),
                            name: e.name.clone(),
                            fields,
                        });
                        updates.push(u);
                    }
                }
            }
        }
        // those of the sheet's villages whom it no longer lists
        let mut missing = Vec::new();
        let vs: Vec<i64> = villages_in_sheet.into_iter().collect();
        for chunk in vs.chunks(BATCH) {
            let sql = format!(
                "SELECT v.volunteer_no, v.name, r.name, v.id_hash FROM volunteers v JOIN regions r ON r.id = v.region_id
                 WHERE v.status <> 'inactive' AND v.region_id IN ({}) ORDER BY r.name, v.volunteer_no",
                marks(&db.pool, 1, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (String, String, String, String)>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            for (no, name, village, hash) in q.fetch_all(&mut *tx).await? {
                if !seen_hashes.contains(hash.as_str()) {
                    missing.push(Missing { volunteer_no: no, name, village });
                }
            }
        }
        let added = fresh.len();
        let updated = updates.len();
        let write = !opts.dry_run && (checked.errors.is_empty() || opts.skip_invalid) && added + updated > 0;
        let outcome = |imported: usize, checked: Checked, changes: Vec<Change>, missing: Vec<Missing>| Outcome {
            rows: checked.rows,
            valid,
            imported,
            added,
            updated,
            unchanged,
            changes,
            missing,
            errors: checked.errors,
            warnings: checked.warnings,
            headers: vec![],
            needs_mapping: false,
        };
        if !write {
            tx.rollback().await?;
            return Ok(outcome(0, checked, changes, missing));
        }
        let todo = fresh;
        // Ids are taken before inserting, so each row goes in whole with its
        // volunteer number: numbering afterwards with an UPDATE rewrote every
        // row and its indexes a second time (seconds on PostgreSQL).
        let ids: Vec<i64> = if todo.is_empty() {
            vec![]
        } else if matches!(db.pool, Pool::Postgres(_)) {
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
        let total = todo.len() + updates.len();
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
            progress(done, total);
        }
        let update_sql = format!(
            "UPDATE volunteers SET name = {}, phone_sealed = {}, phone_hash = {}, phone_masked = {}, region_id = {},
                 address = {}, branch = {}, enlisted_on = {}, discharged_on = {}, veteran_category = {}, party_member = {},
                 updated_at = {} WHERE id = {}",
            mark(&db.pool, 1),
            mark(&db.pool, 2),
            mark(&db.pool, 3),
            mark(&db.pool, 4),
            mark(&db.pool, 5),
            mark(&db.pool, 6),
            mark(&db.pool, 7),
            mark(&db.pool, 8),
            mark(&db.pool, 9),
            mark(&db.pool, 10),
            mark(&db.pool, 11),
            mark(&db.pool, 12),
            mark(&db.pool, 13)
        );
        let one = mark(&db.pool, 1);
        for u in &updates {
            sqlx::query(&update_sql)
                .bind(&u.name)
                .bind(&u.phone.0)
                .bind(&u.phone.1)
                .bind(&u.phone.2)
                .bind(u.region_id)
                .bind(&u.address)
                .bind(&u.branch)
                .bind(u.enlisted_on)
                .bind(u.discharged_on)
                .bind(&u.veteran_category)
                .bind(u.party_member)
                .bind(now)
                .bind(u.id)
                .execute(&mut *tx)
                .await?;
            if let Some(skills) = &u.skills {
                sqlx::query(&format!("DELETE FROM volunteer_skills WHERE volunteer_id = {one}"))
                    .bind(u.id)
                    .execute(&mut *tx)
                    .await?;
                if !skills.is_empty() {
                    let sql = pairs_sql(&db.pool, "volunteer_skills (volunteer_id, skill)", skills.len(), 2);
                    let mut q = sqlx::query(&sql);
                    for k in skills {
                        q = q.bind(u.id).bind(k);
                    }
                    q.execute(&mut *tx).await?;
                }
            }
            if let Some(honors) = &u.honors {
                sqlx::query(&format!("DELETE FROM volunteer_honors WHERE volunteer_id = {one}"))
                    .bind(u.id)
                    .execute(&mut *tx)
                    .await?;
                if !honors.is_empty() {
                    let sql = pairs_sql(&db.pool, "volunteer_honors (volunteer_id, position, title)", honors.len(), 3);
                    let mut q = sqlx::query(&sql);
                    for (i, h) in honors.iter().enumerate() {
                        q = q.bind(u.id).bind(i as i64).bind(h);
                    }
                    q.execute(&mut *tx).await?;
                }
            }
            done += 1;
            if done % BATCH == 0 || done == total {
                progress(done, total);
            }
        }
        tracing::debug!(ms = clock.elapsed().as_millis() as u64, "import: rows stored");
        if let Some(r) = record.filter(|_| done > 0) {
            let r = Record {
                detail: format!("{} of {} rows ({} added, {} updated)", done, checked.rows, added, updated),
                ..r.clone()
            };
            tx.audit(&r.entry()).await?;
        }
        tx.commit().await?;
        // A freshly loaded PostgreSQL plans as if the table were still empty
        // until its statistics are refreshed.
        tracing::debug!(ms = clock.elapsed().as_millis() as u64, "import: committed");
        if added > 0 {
            sqlx::query("ANALYZE volunteers").execute(p).await?;
            sqlx::query("ANALYZE volunteer_skills").execute(p).await?;
        }
        Ok(outcome(done, checked, changes, missing))
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

/// Reads a workbook (.xlsx, .xls) or csv, checks it against the villages of
/// `within` and imports it. The outer error is the database's; the inner one
/// says the file is no roster. The workbook comes back too, for the report
/// workbook with its 错误原因 column.
pub async fn run(
    db: &Db,
    within: &str,
    bytes: Vec<u8>,
    opts: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<std::result::Result<(Outcome, Book), SheetError>> {
    run_audited(db, within, bytes, opts, progress, None).await
}

/// `run`, with the audit record of a stored import written in its transaction.
pub async fn run_audited(
    db: &Db,
    within: &str,
    bytes: Vec<u8>,
    opts: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
    record: Option<&Record>,
) -> Result<std::result::Result<(Outcome, Book), SheetError>> {
    let list = villages_within(&db.pool, within).await?;
    let village_names: HashMap<i64, String> = list.iter().cloned().collect();
    let villages = Villages::new(&list);
    let today = crate::today_local();
    let (mapping, remembered) = (opts.mapping.clone(), opts.remembered.clone());
    let checked = tokio::task::spawn_blocking(move || {
        let book = Book::read(&bytes)?;
        drop(bytes);
        let c = check(&book, &villages, today, &mapping, &remembered)?;
        Ok::<_, SheetError>((book, c))
    })
    .await
    .map_err(|e| StoreError::Other(e.to_string()))?;
    let (book, mut c) = match checked {
        Ok(x) => x,
        Err(e) => return Ok(Err(e)),
    };
    let headers: Vec<(Header, Vec<Vec<String>>)> =
        c.headers.iter().map(|h| (h.clone(), samples(&book, h, SAMPLE_ROWS))).collect();
    let mut outcome = if c.unmapped.is_empty() {
        import(db, within, c, opts, progress, record, &village_names).await?
    } else {
        // nothing is checked, let alone stored, until every column is understood
        Outcome { rows: c.rows, errors: std::mem::take(&mut c.unmapped), needs_mapping: true, ..Default::default() }
    };
    outcome.headers = headers;
    Ok(Ok((outcome, book)))
}

/// Rows under the header shown in the mapping step.
const SAMPLE_ROWS: usize = 3;

/// The last mapping staff chose for imports into a region, as JSON.
pub async fn remembered_mapping(pool: &Pool, region_path: &str) -> Result<Option<String>> {
    Ok(on_db!(pool, |p| {
        sqlx::query_scalar::<_, String>("SELECT mapping FROM import_mappings WHERE region_path = $1")
            .bind(region_path)
            .fetch_optional(p)
            .await?
    }))
}

/// Remembers a region's mapping (JSON), with its audit entry in the same transaction.
pub async fn remember_mapping(pool: &Pool, region_path: &str, mapping: &str, record: &Record) -> Result<()> {
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO import_mappings (region_path, mapping, updated_by, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (region_path) DO UPDATE SET mapping = excluded.mapping, updated_by = excluded.updated_by,
                 updated_at = excluded.updated_at",
        )
        .bind(region_path)
        .bind(mapping)
        .bind(&record.username)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?;
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
    });
    Ok(())
}
