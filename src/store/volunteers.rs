//! The roster: volunteers with their sealed personal data, skills and honours.

use super::audit::{AuditTx, Record};
use super::reader::{date_at, opt_date_at, parsed, time_at, Arg};
use super::{placeholders, unique_violation, BeginWrite, Pool, Result, StoreError, Vault};
use crate::domain::erasure::{self, Blocker, OpenWork};
use crate::domain::id_number::IdNumber;
use crate::domain::phone::Phone;
use crate::domain::validation::Problem;
use crate::domain::volunteer::{volunteer_no, Gender, VolunteerDraft, VolunteerStatus};
use crate::on_db;
use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// One row as stored: personal data sealed, with its masked form beside it so
/// lists never need to open the seal.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VolunteerRow {
    pub id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub id_sealed: String,
    pub id_masked: String,
    pub phone_sealed: String,
    pub phone_masked: String,
    pub region_id: i64,
    pub region_path: String,
    pub region_name: String,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub branch: Option<String>,
    pub enlisted_on: Option<NaiveDate>,
    pub discharged_on: Option<NaiveDate>,
    pub veteran_category: Option<String>,
    pub party_member: bool,
    pub cadre_role: Option<String>,
    pub availability: Option<String>,
    pub status: VolunteerStatus,
    pub skills: Option<String>,
    pub honors: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The grid (网格) under the village the volunteer belongs to, if any.
    pub grid_id: Option<i64>,
    /// When the person was erased (`erase`): their personal data is gone.
    pub erased_at: Option<DateTime<Utc>>,
}

impl VolunteerRow {
    pub fn skill_list(&self) -> Vec<String> {
        split_list(self.skills.as_deref())
    }
    pub fn honor_list(&self) -> Vec<String> {
        // honours are joined in their entered order by position
        split_list(self.honors.as_deref())
    }
}

/// Lists come back from one query as `a\u{1f}b`; the unit separator never
/// appears in typed text.
fn split_list(s: Option<&str>) -> Vec<String> {
    s.map(|s| s.split('\u{1f}').filter(|x| !x.is_empty()).map(str::to_string).collect()).unwrap_or_default()
}

fn select(pool: &Pool) -> String {
    // The one dialect fork of this file: the name of the string aggregate.
    let (skills, honors) = match pool {
        Pool::Sqlite(_) => (
            "(SELECT group_concat(skill, char(31)) FROM (SELECT skill FROM volunteer_skills s WHERE s.volunteer_id = v.id ORDER BY skill))",
            "(SELECT group_concat(title, char(31)) FROM (SELECT title FROM volunteer_honors h WHERE h.volunteer_id = v.id ORDER BY position))",
        ),
        Pool::Postgres(_) => (
            "(SELECT string_agg(skill, chr(31) ORDER BY skill) FROM volunteer_skills s WHERE s.volunteer_id = v.id)",
            "(SELECT string_agg(title, chr(31) ORDER BY position) FROM volunteer_honors h WHERE h.volunteer_id = v.id)",
        ),
    };
    format!(
        "SELECT v.id, v.volunteer_no, v.name, v.gender, v.birth_date, v.id_sealed, v.id_masked, v.phone_sealed,
                v.phone_masked, v.region_id, r.path AS region_path, r.name AS region_name, v.address, v.lat, v.lon,
                v.branch, v.enlisted_on, v.discharged_on, v.veteran_category, v.party_member, v.cadre_role,
                v.availability, v.status, {skills} AS skills, {honors} AS honors, v.created_at, v.updated_at,
                v.grid_id, v.erased_at
           FROM volunteers v JOIN regions r ON r.id = v.region_id"
    )
}

/// A row of `select` read by the SQLite reader, column by column in its order.
fn row_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<VolunteerRow> {
    Ok(VolunteerRow {
        id: r.get(0)?,
        volunteer_no: r.get(1)?,
        name: r.get(2)?,
        gender: parsed(r, 3, Gender::parse)?,
        birth_date: date_at(r, 4)?,
        id_sealed: r.get(5)?,
        id_masked: r.get(6)?,
        phone_sealed: r.get(7)?,
        phone_masked: r.get(8)?,
        region_id: r.get(9)?,
        region_path: r.get(10)?,
        region_name: r.get(11)?,
        address: r.get(12)?,
        lat: r.get(13)?,
        lon: r.get(14)?,
        branch: r.get(15)?,
        enlisted_on: opt_date_at(r, 16)?,
        discharged_on: opt_date_at(r, 17)?,
        veteran_category: r.get(18)?,
        party_member: r.get(19)?,
        cadre_role: r.get(20)?,
        availability: r.get(21)?,
        status: parsed(r, 22, VolunteerStatus::parse)?,
        skills: r.get(23)?,
        honors: r.get(24)?,
        created_at: time_at(r, 25)?,
        updated_at: time_at(r, 26)?,
        grid_id: r.get(27)?,
        erased_at: match r.get::<_, Option<String>>(28)? {
            None => None,
            Some(_) => Some(time_at(r, 28)?),
        },
    })
}

pub async fn get(pool: &Pool, id: i64) -> Result<Option<VolunteerRow>> {
    let sql = format!("{} WHERE v.id = $1", select(pool));
    if let Some(reader) = super::reader_of(pool) {
        return Ok(reader.all(&sql, &[Arg::Int(id)], row_of).await?.pop());
    }
    Ok(on_db!(pool, |p| sqlx::query_as::<_, VolunteerRow>(&sql).bind(id).fetch_optional(p).await?))
}

/// What a list may be narrowed by. `within` is a region path prefix and is
/// always set: the caller's scope, or a region inside it.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub within: String,
    pub team_id: Option<i64>,
    pub skill: Option<String>,
    pub status: Option<VolunteerStatus>,
    pub text: Option<String>,
    /// Whether a whole phone or ID number in `text` is looked up: only for
    /// callers who may see those in full, or a search would reveal whose they are.
    pub personal_lookup: bool,
    pub limit: i64,
    pub offset: i64,
}

fn where_clause(f: &Filter, vault: &Vault) -> (String, Vec<String>, Vec<i64>) {
    // Text binds first, then integer binds; placeholders are numbered to match.
    let mut texts = vec![f.within.clone()];
    let mut ints = Vec::new();
    let mut conds = vec!["(r.path >= $1 AND r.path < $1 || '~')".to_string()];
    if let Some(skill) = &f.skill {
        texts.push(skill.clone());
        conds.push(format!(
            "EXISTS (SELECT 1 FROM volunteer_skills s WHERE s.volunteer_id = v.id AND s.skill = ${})",
            texts.len()
        ));
    }
    if let Some(st) = f.status {
        texts.push(st.as_str().to_string());
        conds.push(format!("v.status = ${}", texts.len()));
    }
    if let Some(q) = f.text.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        // A whole phone or ID number is found through its blind index; anything
        // else matches the name or the volunteer number.
        let mut alts = Vec::new();
        // LOWER on both sides: SQLite's LIKE ignores the case of Latin letters
        // and PostgreSQL's does not; wildcards and PostgreSQL's escape
        // character are taken out of what was typed
        texts.push(format!("%{}%", q.replace(['%', '_', '\\'], "")));
        alts.push(format!("LOWER(v.name) LIKE LOWER(${})", texts.len()));
        texts.push(q.to_uppercase());
        alts.push(format!("v.volunteer_no = ${}", texts.len()));
        if let (true, Ok(phone)) = (f.personal_lookup, Phone::parse(q)) {
            texts.push(vault.blind(phone.as_str()));
            alts.push(format!("v.phone_hash = ${}", texts.len()));
        }
        if let (true, Ok(id)) = (f.personal_lookup, IdNumber::parse(q)) {
            texts.push(vault.blind(id.as_str()));
            alts.push(format!("v.id_hash = ${}", texts.len()));
        }
        conds.push(format!("({})", alts.join(" OR ")));
    }
    if let Some(team) = f.team_id {
        ints.push(team);
        conds.push(format!(
            "EXISTS (SELECT 1 FROM team_members m WHERE m.volunteer_id = v.id AND m.team_id = ${})",
            texts.len() + ints.len()
        ));
    }
    (conds.join(" AND "), texts, ints)
}

/// The longest page of the roster a reader keeps.
const KEPT_ROWS: i64 = 50;

/// What a page of the roster was read for, as a key of the reader's kept
/// pages (`reader::Reader::keep`): everything the statement is made of.
fn kept_key(what: &str, texts: &[String], ints: &[i64], f: &Filter) -> String {
    format!("volunteers::{what}\u{1f}{texts:?}\u{1f}{ints:?}\u{1f}{:?}\u{1f}{}\u{1f}{}", f.status, f.limit, f.offset)
}

/// What a page of the roster is kept under, for keeping what is made of it
/// (the API's written list) beside it.
pub fn page_key(vault: &Vault, f: &Filter) -> String {
    let (_, texts, ints) = where_clause(f, vault);
    kept_key("list", &texts, &ints, f)
}

/// A page of the roster. A page read once is kept until any change is
/// committed (`super::kept_or`), so the same page asked again costs one
/// check of the database's version instead of its statements.
pub async fn list(pool: &Pool, vault: &Vault, f: &Filter) -> Result<Vec<VolunteerRow>> {
    let (cond, texts, ints) = where_clause(f, vault);
    // pages of up to `KEPT_ROWS` (the page's 20, the API's usual sizes): a
    // reader keeps at most a few dozen, so they stay small
    if f.limit <= KEPT_ROWS {
        let key = kept_key("list", &texts, &ints, f);
        return super::kept_or(pool, key, || read_list(pool, f, &cond, &texts, &ints)).await;
    }
    read_list(pool, f, &cond, &texts, &ints).await
}

async fn read_list(pool: &Pool, f: &Filter, cond: &str, texts: &[String], ints: &[i64]) -> Result<Vec<VolunteerRow>> {
    let n = texts.len() + ints.len();
    let mut sql = format!("{} WHERE {cond} ORDER BY v.id LIMIT ${} OFFSET ${}", select(pool), n + 1, n + 2);
    if walk_in_id_order(pool, f).await? {
        sql = sql.replacen(
            "FROM volunteers v JOIN regions r ON r.id = v.region_id WHERE ",
            "FROM volunteers v CROSS JOIN regions r WHERE r.id = v.region_id AND ",
            1,
        );
    }
    if let Some(reader) = super::reader_of(pool) {
        let mut args: Vec<Arg> = texts.iter().map(|t| Arg::Text(t)).collect();
        args.extend(ints.iter().map(|i| Arg::Int(*i)));
        args.extend([Arg::Int(f.limit), Arg::Int(f.offset)]);
        return reader.all(&sql, &args, row_of).await;
    }
    Ok(on_db!(pool, |p| {
        let mut q = sqlx::query_as::<_, VolunteerRow>(&sql);
        for t in texts {
            q = q.bind(t);
        }
        for i in ints {
            q = q.bind(i);
        }
        q.bind(f.limit).bind(f.offset).fetch_all(p).await?
    }))
}

/// The number of volunteers a filter matches; kept like `list`'s pages.
pub async fn count(pool: &Pool, vault: &Vault, f: &Filter) -> Result<i64> {
    let (_, texts, ints) = where_clause(f, vault);
    let key = kept_key("count", &texts, &ints, &Filter { limit: 0, offset: 0, ..f.clone() });
    super::kept_or(pool, key, || read_count(pool, vault, f)).await
}

async fn read_count(pool: &Pool, vault: &Vault, f: &Filter) -> Result<i64> {
    let searched = f.text.as_deref().is_some_and(|t| !t.trim().is_empty());
    if f.skill.is_none() && f.team_id.is_none() && !searched {
        return count_from_tally(pool, f).await;
    }
    let (cond, texts, ints) = where_clause(f, vault);
    let sql = format!("SELECT COUNT(*) FROM volunteers v JOIN regions r ON r.id = v.region_id WHERE {cond}");
    if let Some(reader) = super::reader_of(pool) {
        let mut args: Vec<Arg> = texts.iter().map(|t| Arg::Text(t)).collect();
        args.extend(ints.iter().map(|i| Arg::Int(*i)));
        return reader.scalar(&sql, &args).await;
    }
    Ok(on_db!(pool, |p| {
        let mut q = sqlx::query_scalar::<_, i64>(&sql);
        for t in &texts {
            q = q.bind(t);
        }
        for i in &ints {
            q = q.bind(i);
        }
        q.fetch_one(p).await?
    }))
}

/// SQLite only: whether a page of the roster is best read by walking the
/// volunteers in id order, checking each one's region, and stopping when the
/// page is full (`CROSS JOIN` keeps that order), rather than by gathering the
/// subtree's volunteers from the region index and sorting them all by id. Left
/// to itself SQLite (which cannot know how much a bound range of paths holds)
/// gathers and sorts: 2.6 ms for a town of 20 000, against 0.2 ms for the walk.
/// The walk is chosen when the subtree holds at least a twentieth of the roster,
/// so that it reads at most about twenty rows for each one it keeps; a small
/// village or grid is still gathered and sorted. PostgreSQL plans this itself
/// from its statistics.
async fn walk_in_id_order(pool: &Pool, f: &Filter) -> Result<bool> {
    let Pool::Sqlite(p) = pool else { return Ok(false) };
    let sql = "SELECT CAST(COALESCE(SUM(t.n), 0) AS BIGINT),
                      CAST(COALESCE(SUM(CASE WHEN r.path >= $1 AND r.path < $1 || '~' THEN t.n ELSE 0 END), 0) AS BIGINT)
                 FROM volunteer_tally t JOIN regions r ON r.id = t.region_id";
    let (all, within): (i64, i64) = match super::reader_of(pool) {
        Some(reader) => {
            reader.all(sql, &[Arg::Text(&f.within)], |r| Ok((r.get(0)?, r.get(1)?))).await?.pop().unwrap_or((0, 0))
        }
        None => sqlx::query_as(sql).bind(&f.within).fetch_one(p).await?,
    };
    Ok(within * 20 >= all)
}

/// The number of volunteers in a subtree (of one status, if asked), added up
/// from the tally kept beside the roster (migration 0037): a town's few dozen
/// region rows rather than every volunteer in it.
async fn count_from_tally(pool: &Pool, f: &Filter) -> Result<i64> {
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(t.n), 0) AS BIGINT) FROM volunteer_tally t JOIN regions r ON r.id = t.region_id
          WHERE r.path >= $1 AND r.path < $1 || '~'{}",
        if f.status.is_some() { " AND t.status = $2" } else { "" }
    );
    if let Some(reader) = super::reader_of(pool) {
        let status = f.status.map(|s| s.as_str()).unwrap_or("");
        return reader.scalar(&sql, &[Arg::Text(&f.within), Arg::Text(status)]).await;
    }
    Ok(on_db!(pool, |p| {
        let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(&f.within);
        if let Some(st) = f.status {
            q = q.bind(st.as_str());
        }
        q.fetch_one(p).await?
    }))
}

fn clash(e: sqlx::Error) -> StoreError {
    let rules = [("id_hash", Problem::about("id_number", "已登记过，不能重复登记", "is already on the roster"))];
    match unique_violation(&e, &rules) {
        Some(p) => StoreError::invalid(p),
        None => e.into(),
    }
}

/// Binds a profile's first nineteen columns to `$q`, in the order the roster
/// and the applications both write them: name, gender, birth_date, id_sealed,
/// id_hash, id_masked, phone_sealed, phone_hash, phone_masked, region_id,
/// address, lat, lon, branch, enlisted_on, discharged_on, veteran_category,
/// party_member, cadre_role. The ID number and phone are sealed here.
macro_rules! bind_profile {
    ($q:expr, $d:expr, $vault:expr) => {{
        let (d, vault): (&$crate::domain::volunteer::VolunteerDraft, &$crate::store::Vault) = ($d, $vault);
        $q.bind(&d.name)
            .bind(d.gender.as_str())
            .bind(d.birth_date)
            .bind(vault.seal(d.id_number.as_str()))
            .bind(vault.blind(d.id_number.as_str()))
            .bind(d.id_number.masked())
            .bind(vault.seal(d.phone.as_str()))
            .bind(vault.blind(d.phone.as_str()))
            .bind(d.phone.masked())
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
    }};
}
pub(crate) use bind_profile;

/// Stores a new volunteer and gives them their volunteer number.
pub async fn create(pool: &Pool, vault: &Vault, d: &VolunteerDraft) -> Result<i64> {
    insert(pool, vault, d, None, None).await
}

/// As `create`, attaching the volunteer to a grid (checked by the caller), with
/// the audit record (about the new volunteer, its detail their number) in the
/// same transaction.
pub async fn create_in_grid(
    pool: &Pool,
    vault: &Vault,
    d: &VolunteerDraft,
    grid_id: Option<i64>,
    record: &Record,
) -> Result<i64> {
    insert(pool, vault, d, grid_id, Some(record)).await
}

async fn insert(
    pool: &Pool,
    vault: &Vault,
    d: &VolunteerDraft,
    grid_id: Option<i64>,
    record: Option<&Record>,
) -> Result<i64> {
    let now = Utc::now();
    let res: Result<i64> = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let id = bind_profile!(sqlx::query_scalar::<_, i64>(
            "INSERT INTO volunteers (name, gender, birth_date, id_sealed, id_hash, id_masked, phone_sealed, phone_hash,
                 phone_masked, region_id, address, lat, lon, branch, enlisted_on, discharged_on, veteran_category,
                 party_member, cadre_role, availability, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22)
             RETURNING id",
        ), d, vault)
        .bind(&d.availability)
        .bind(d.status)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(clash)?;
        sqlx::query("UPDATE volunteers SET volunteer_no = $1, grid_id = $3 WHERE id = $2")
            .bind(volunteer_no(id))
            .bind(id)
            .bind(grid_id)
            .execute(&mut *tx)
            .await?;
        for s in &d.skills {
            sqlx::query("INSERT INTO volunteer_skills (volunteer_id, skill) VALUES ($1, $2)")
                .bind(id)
                .bind(s)
                .execute(&mut *tx)
                .await?;
        }
        for (i, h) in d.honors.iter().enumerate() {
            sqlx::query("INSERT INTO volunteer_honors (volunteer_id, position, title) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(i as i64)
                .bind(h)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(record) = record {
            let mut r = record.clone().about(id);
            r.detail = volunteer_no(id);
            tx.audit(&r.entry()).await?;
        }
        tx.commit().await?;
        Ok(id)
    });
    res
}

pub async fn update(pool: &Pool, vault: &Vault, id: i64, d: &VolunteerDraft) -> Result<()> {
    change(pool, vault, id, d, None, None).await
}

/// As `update`; `Some(grid)` also sets (or with `Some(None)` clears) the grid.
/// The audit record is written in the same transaction.
pub async fn update_in_grid(
    pool: &Pool,
    vault: &Vault,
    id: i64,
    d: &VolunteerDraft,
    grid: Option<Option<i64>>,
    record: &Record,
) -> Result<()> {
    change(pool, vault, id, d, grid, Some(record)).await
}

async fn change(
    pool: &Pool,
    vault: &Vault,
    id: i64,
    d: &VolunteerDraft,
    grid: Option<Option<i64>>,
    record: Option<&Record>,
) -> Result<()> {
    let now = Utc::now();
    let res: Result<()> = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let done = bind_profile!(sqlx::query(
            "UPDATE volunteers SET name = $1, gender = $2, birth_date = $3, id_sealed = $4, id_hash = $5, id_masked = $6,
                 phone_sealed = $7, phone_hash = $8, phone_masked = $9, region_id = $10, address = $11, lat = $12,
                 lon = $13, branch = $14, enlisted_on = $15, discharged_on = $16, veteran_category = $17,
                 party_member = $18, cadre_role = $19, availability = $20, status = $21, updated_at = $22
             WHERE id = $23 AND erased_at IS NULL",
        ), d, vault)
        .bind(&d.availability)
        .bind(d.status)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(clash)?;
        if done.rows_affected() == 0 {
            // an erasure that committed first wins: nothing of the old profile is written back
            let known: Option<i64> =
                sqlx::query_scalar("SELECT id FROM volunteers WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
            return Err(match known {
                Some(_) => StoreError::Conflict(crate::domain::error_code::ErrorCode::Erased),
                None => StoreError::NotFound,
            });
        }
        if let Some(g) = grid {
            sqlx::query("UPDATE volunteers SET grid_id = $1 WHERE id = $2").bind(g).bind(id).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM volunteer_skills WHERE volunteer_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM volunteer_honors WHERE volunteer_id = $1").bind(id).execute(&mut *tx).await?;
        for s in &d.skills {
            sqlx::query("INSERT INTO volunteer_skills (volunteer_id, skill) VALUES ($1, $2)")
                .bind(id)
                .bind(s)
                .execute(&mut *tx)
                .await?;
        }
        for (i, h) in d.honors.iter().enumerate() {
            sqlx::query("INSERT INTO volunteer_honors (volunteer_id, position, title) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(i as i64)
                .bind(h)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(record) = record {
            tx.audit(&record.entry()).await?;
        }
        tx.commit().await?;
        Ok(())
    });
    res
}

/// Counts for the dashboard: (active, applicants, inactive) inside a subtree.
pub async fn status_counts(pool: &Pool, within: &str) -> Result<(i64, i64, i64)> {
    let prefix = within;
    let rows: Vec<(String, i64)> = on_db!(pool, |p| {
        sqlx::query_as(
        "SELECT v.status, COUNT(*) FROM volunteers v JOIN regions r ON r.id = v.region_id WHERE (r.path >= $1 AND r.path < $1 || '~') GROUP BY v.status"
    )
    .bind(prefix)
    .fetch_all(p)
    .await?
    });
    let get = |s: &str| rows.iter().find(|(k, _)| k == s).map(|(_, n)| *n).unwrap_or(0);
    Ok((get("active"), get("applicant"), get("inactive")))
}

/// Ids of volunteers in one of the given ids that exist, for bulk checks.
pub async fn existing(pool: &Pool, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!("SELECT id FROM volunteers WHERE id IN ({})", placeholders(1, ids.len()));
    Ok(on_db!(pool, |p| {
        let mut q = sqlx::query_scalar::<_, i64>(&sql);
        for id in ids {
            q = q.bind(id);
        }
        q.fetch_all(p).await?
    }))
}

/// What `erase` did: done, or refused for the open work listed.
pub type Erasure = std::result::Result<(), Vec<crate::domain::erasure::Blocker>>;

/// Open work of a volunteer, each query answering (id, title) of the thing.
const OPEN_WORK: [(OpenWork, &str); 5] = [
    (
        OpenWork::ActivitySignup,
        "SELECT a.id, a.title FROM activity_signups s JOIN activities a ON a.id = s.activity_id
          WHERE s.volunteer_id = $1 AND s.status IN ('signed_up', 'waiting') AND a.status = 'open' ORDER BY a.id",
    ),
    (
        OpenWork::NeedOffer,
        "SELECT n.id, n.title FROM need_offers o JOIN needs n ON n.id = o.need_id
          WHERE o.volunteer_id = $1 AND o.status IN ('offered', 'accepted')
            AND n.status IN ('submitted', 'dispatched', 'accepted') ORDER BY n.id",
    ),
    (
        OpenWork::Mentorship,
        "SELECT m.id, o.name FROM mentorships m
           JOIN volunteers o ON o.id = CASE WHEN m.mentor_id = $1 THEN m.mentee_id ELSE m.mentor_id END
          WHERE (m.mentor_id = $1 OR m.mentee_id = $1) AND m.outcome = 'none' ORDER BY m.id",
    ),
    (
        OpenWork::Mobilization,
        "SELECT m.id, m.title FROM mobilization_calls c JOIN mobilizations m ON m.id = c.mobilization_id
          WHERE c.volunteer_id = $1 AND m.status = 'open' AND (c.answer IS NULL OR c.answer = 'yes') ORDER BY m.id",
    ),
    (OpenWork::TeamLeader, "SELECT id, name FROM teams WHERE leader_id = $1 ORDER BY id"),
];

/// Erases a person who left, in one transaction: refused (nothing changed)
/// while they have open work; otherwise their name becomes a placeholder,
/// their ID number, phone, address, position, service history in the army,
/// cadre role, availability, skills and honours are removed and the birth
/// date is cut to its year; the same goes for their recruitment
/// applications; their account is disabled (no password matches), renamed,
/// its sessions, recovery codes and inbox deleted; free text about them
/// (mentoring notes, reasons they gave for declining) is removed; they leave
/// their teams and become inactive. Service records, attendance, points,
/// evaluations, awards and certificates stay on the id, so every report
/// total is unchanged. The audit record (no personal data in it) is written
/// in the same transaction. Already erased is a conflict.
pub async fn erase(pool: &Pool, id: i64, record: &Record) -> Result<Erasure> {
    let now = Utc::now();
    let head = super::locking(pool, "SELECT birth_date, id_hash, erased_at FROM volunteers WHERE id = $1");
    let placeholder = erasure::placeholder_name(id);
    let hash = erasure::erased_hash(id);
    let res: Result<Erasure> = on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        let row: Option<(NaiveDate, String, Option<DateTime<Utc>>)> =
            sqlx::query_as(&head).bind(id).fetch_optional(&mut *tx).await?;
        let Some((born, old_hash, erased)) = row else {
            return Err(StoreError::NotFound);
        };
        if erased.is_some() {
            return Err(StoreError::Conflict(crate::domain::error_code::ErrorCode::Erased));
        }
        let mut blockers = Vec::new();
        for (kind, sql) in OPEN_WORK {
            let found: Vec<(i64, String)> = sqlx::query_as(sql).bind(id).fetch_all(&mut *tx).await?;
            blockers.extend(found.into_iter().map(|(id, title)| Blocker { kind, id, title }));
        }
        if !blockers.is_empty() {
            tx.rollback().await?;
            return Ok(Err(blockers));
        }
        let year = NaiveDate::from_ymd_opt(born.year(), 1, 1).unwrap_or(born);
        sqlx::query(
            "UPDATE volunteers SET name = $2, birth_date = $3, id_sealed = '', id_hash = $4, id_masked = '',
                 phone_sealed = '', phone_hash = $4, phone_masked = '', address = NULL, lat = NULL, lon = NULL,
                 branch = NULL, enlisted_on = NULL, discharged_on = NULL, cadre_role = NULL, availability = NULL,
                 grid_id = NULL, status = 'inactive', erased_at = $5, updated_at = $5
             WHERE id = $1",
        )
        .bind(id)
        .bind(&placeholder)
        .bind(year)
        .bind(&hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for sql in [
            "DELETE FROM volunteer_skills WHERE volunteer_id = $1",
            "DELETE FROM volunteer_honors WHERE volunteer_id = $1",
            "DELETE FROM team_members WHERE volunteer_id = $1",
            "UPDATE mentorships SET notes = NULL WHERE mentor_id = $1 OR mentee_id = $1",
            "UPDATE need_offers SET reason = NULL WHERE volunteer_id = $1",
            "DELETE FROM outbox WHERE notification_id IN (SELECT id FROM notifications WHERE volunteer_id = $1
                 OR user_id IN (SELECT id FROM users WHERE volunteer_id = $1))",
            "DELETE FROM notifications WHERE volunteer_id = $1 OR user_id IN (SELECT id FROM users WHERE volunteer_id = $1)",
            "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE volunteer_id = $1)",
            "DELETE FROM recovery_codes WHERE user_id IN (SELECT id FROM users WHERE volunteer_id = $1)",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        // applications: the one that made them a volunteer, and any other of
        // theirs already decided (one still pending is someone registering anew)
        sqlx::query(
            "UPDATE applications SET name = $2, birth_date = $3, id_sealed = '', id_hash = $4, id_masked = '',
                 phone_sealed = '', phone_hash = $4, phone_masked = '', address = NULL, lat = NULL, lon = NULL,
                 branch = NULL, enlisted_on = NULL, discharged_on = NULL, cadre_role = NULL, honors = '',
                 skills = '', reasons = '[]', reject_reason = NULL, updated_at = $6
             WHERE volunteer_id = $1 OR (id_hash = $5 AND status <> 'pending')",
        )
        .bind(id)
        .bind(&placeholder)
        .bind(year)
        .bind(&hash)
        .bind(&old_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let users: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE volunteer_id = $1").bind(id).fetch_all(&mut *tx).await?;
        for user in users {
            sqlx::query(
                "UPDATE users SET username = $2, password_hash = '!erased', display_name = NULL, totp_secret = NULL,
                     totp_pending = NULL, must_change_password = FALSE, locked_until = NULL WHERE id = $1",
            )
            .bind(user)
            .bind(format!("erased-{user}"))
            .execute(&mut *tx)
            .await?;
        }
        tx.audit(&record.clone().about(id).entry()).await?;
        tx.commit().await?;
        Ok(Ok(()))
    });
    res
}
