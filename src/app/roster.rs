//! The roster in and out: a town's roster workbook (or csv) imported row by
//! row with a report, and the workbook exports for the station's files and
//! the county's returns (the roster, service records, certificates).

use super::{list_scope, App, Caller, Error, Result};
use crate::domain::lang::Lang;
use crate::domain::region::RegionKind;
use crate::domain::report::Period;
use crate::domain::roster::SheetError;
use crate::domain::validation::Problem;
use crate::store::{exports as export_store, regions as region_store, roster as store, volunteers as roster_store};
use serde::Serialize;
use utoipa::ToSchema;

/// A roster of 100 000 rows is some 10 MB as a workbook and more as csv.
pub const MAX_UPLOAD: usize = 64 * 1024 * 1024;

pub use crate::store::exports::{CertificateLine, RecordLine};
pub use crate::store::regions::Region;
pub use crate::store::roster::{Options, Outcome};
pub use crate::store::volunteers::VolunteerRow;

/// Who imports and exports a roster: those who manage it.
pub fn ensure_manages(caller: &Caller) -> Result<()> {
    caller.ensure(caller.role.manages_roster())
}

/// `true`/`false` of an import's query (`1`/`0` and blank too).
pub fn flag(field: &str, v: Option<&str>) -> Result<bool> {
    match v.map(str::trim) {
        None | Some("") | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(_) => Err(Error::field(Problem::new(
            field,
            format!("{field} 应为 true 或 false"),
            format!("{field} must be true or false"),
        ))),
    }
}

/// Reads, checks and (unless a dry run, or an invalid row forbids it) stores
/// a roster into the villages of `within`, a subtree the caller covers
/// (`list_scope` or `import_region` said so). The
/// audit record of a stored import goes into the import's own transaction.
/// The inner error says the file is no roster.
pub async fn import_into(
    app: &App,
    caller: &Caller,
    within: &str,
    file: Vec<u8>,
    opts: Options,
) -> Result<std::result::Result<Outcome, SheetError>> {
    ensure_manages(caller)?;
    let record = caller.record("import", "volunteers", within, "");
    Ok(store::run_audited(&app.db, within, file, opts, &|_, _| {}, Some(&record)).await?)
}

/// The API's import: into the region asked for (default: the caller's
/// scope); a file that is no roster is a 422 on `file`.
pub async fn import(
    app: &App,
    caller: &Caller,
    region_id: Option<&str>,
    dry_run: Option<&str>,
    skip_invalid: Option<&str>,
    file: Vec<u8>,
) -> Result<Outcome> {
    ensure_manages(caller)?;
    let within = list_scope(app, caller, region_id).await?;
    let opts = Options { dry_run: flag("dry_run", dry_run)?, skip_invalid: flag("skip_invalid", skip_invalid)? };
    if file.is_empty() {
        return Err(Error::field(Problem::new("file", "请上传花名册文件", "Upload the roster file")));
    }
    import_into(app, caller, &within, file, opts).await?.map_err(|e| Error::field(e.problem()))
}

#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    /// Data rows read (blank rows are not counted).
    pub rows: usize,
    /// Rows that passed every check.
    pub valid: usize,
    /// Rows stored by this call (0 on a dry run, or when an invalid row stopped the import).
    pub imported: usize,
    pub errors: Vec<ImportError>,
    /// Rows taken differently from how the sheet has them but not refused
    /// (a typed gender that contradicts the ID number: the number decides).
    pub warnings: Vec<ImportError>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportError {
    /// The row number as Excel shows it.
    pub row: u32,
    /// The column's header as written in the sheet.
    pub column: String,
    /// In the request's language.
    pub message: String,
}

pub fn report(o: Outcome, lang: Lang) -> ImportReport {
    let lines = |list: Vec<crate::domain::roster::RowError>| {
        list.into_iter()
            .map(|e| ImportError { row: e.row, column: e.column, message: lang.t(&e.zh, &e.en).to_string() })
            .collect()
    };
    ImportReport {
        rows: o.rows,
        valid: o.valid,
        imported: o.imported,
        errors: lines(o.errors),
        warnings: lines(o.warnings),
    }
}

/// The subtree of a region the caller covers, to import into; forbidden outside.
pub async fn import_region(app: &App, caller: &Caller, region_id: i64) -> Result<String> {
    match region_store::get(&app.db.pool, region_id).await? {
        Some(r) if caller.covers(&r.path) => Ok(r.path),
        _ => Err(Error::forbidden()),
    }
}

/// What the import page offers to import into: towns (and the county) of the
/// caller's scope, or a village's staff their own village; and which one to
/// preselect (the one chosen, else the caller's town, else the first).
pub async fn import_regions(app: &App, caller: &Caller, chosen: Option<i64>) -> Result<(Vec<Region>, Option<i64>)> {
    let list = region_store::list(&app.db.pool, Some(caller.scope_path()), None).await?;
    let mut opts: Vec<Region> =
        list.iter().filter(|r| matches!(r.kind(), RegionKind::County | RegionKind::Town)).cloned().collect();
    if opts.is_empty() {
        opts = list.iter().take(1).cloned().collect();
    }
    let pick = chosen
        .filter(|id| opts.iter().any(|o| o.id == *id))
        .or_else(|| list.iter().find(|r| r.kind() == RegionKind::Town).map(|r| r.id))
        .or_else(|| opts.first().map(|o| o.id));
    Ok((opts, pick))
}

/// One volunteer of an exported roster, with the ID number and phone as the
/// file may hold them: masked, or in full when asked for by those allowed.
pub struct RosterLine {
    pub v: VolunteerRow,
    pub id_number: String,
    pub phone: String,
}

/// A roster is read page by page so a county's whole roster is never one query.
const PAGE: i64 = 1000;

/// The roster of a region subtree (default: the caller's scope) for export.
/// In full only for those who see personal data, and then audited first: the
/// file is refused when the record cannot be written.
pub async fn roster_export(
    app: &App,
    caller: &Caller,
    region_id: Option<&str>,
    unmasked: bool,
) -> Result<Vec<RosterLine>> {
    ensure_manages(caller)?;
    let within = list_scope(app, caller, region_id).await?;
    caller.ensure(!unmasked || caller.role.sees_personal_data())?;
    let mut rows = Vec::new();
    let mut offset = 0;
    loop {
        let f = roster_store::Filter { within: within.clone(), limit: PAGE, offset, ..Default::default() };
        let page = roster_store::list(&app.db.pool, &app.db.vault, &f).await?;
        let n = page.len() as i64;
        rows.extend(page);
        if n < PAGE {
            break;
        }
        offset += PAGE;
    }
    if unmasked && !rows.is_empty() {
        // one entry for the whole file: who took which volunteers' data in full
        let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
        caller.audit_view(app, "volunteer_export", &within, &ids.join(",")).await?;
    }
    Ok(rows
        .into_iter()
        .map(|v| {
            let (id_number, phone) = if unmasked {
                (
                    app.db.vault.open(&v.id_sealed).unwrap_or_else(|| v.id_masked.clone()),
                    app.db.vault.open(&v.phone_sealed).unwrap_or_else(|| v.phone_masked.clone()),
                )
            } else {
                (v.id_masked.clone(), v.phone_masked.clone())
            };
            RosterLine { v, id_number, phone }
        })
        .collect())
}

/// Both ends of an export's period are required, and in order (local days).
fn export_period(from: Option<&str>, to: Option<&str>) -> Result<Period> {
    Period::parse(from, to).map_err(Error::invalid)
}

/// Service records whose start falls in the period, of a region subtree.
pub async fn service_record_export(
    app: &App,
    caller: &Caller,
    region_id: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Period, Vec<RecordLine>)> {
    ensure_manages(caller)?;
    let within = list_scope(app, caller, region_id).await?;
    let p = export_period(from, to)?;
    let (starts, ends) = p.bounds();
    Ok((p, export_store::service_records(&app.db.pool, &within, starts, ends).await?))
}

/// Certificates issued in the period to volunteers of a region subtree.
pub async fn certificate_export(
    app: &App,
    caller: &Caller,
    region_id: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(Period, Vec<CertificateLine>)> {
    ensure_manages(caller)?;
    let within = list_scope(app, caller, region_id).await?;
    let p = export_period(from, to)?;
    let (starts, ends) = p.bounds();
    Ok((p, export_store::certificates(&app.db.pool, &within, starts, ends).await?))
}
