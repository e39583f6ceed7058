//! The roster in and out: a town's roster workbook (or csv) imported row by
//! row with a report, and the workbook exports for the station's files and
//! the county's returns (the roster, service records, certificates).

use super::{list_scope, App, Caller, Error, Result};
use crate::domain::lang::Lang;
use crate::domain::region::RegionKind;
use crate::domain::report::Period;
use crate::domain::roster::{Book, Mapping, Meaning, SheetError};
use crate::domain::validation::Problem;
use crate::store::{exports as export_store, regions as region_store, roster as store, volunteers as roster_store};
use serde::Serialize;
use utoipa::ToSchema;

/// The largest roster file taken, by the API, the page and the CLI: a roster
/// of 100 000 rows is some 5.4 MB as a workbook and 13 MB as csv. A larger
/// body is refused with 413 before it is read to the end.
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;

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

/// The town's last mapping, if any (one that no longer parses is forgotten).
pub async fn remembered(app: &App, within: &str) -> Result<Mapping> {
    Ok(store::remembered_mapping(&app.db.pool, within)
        .await?
        .and_then(|j| Mapping::from_json(&j).ok())
        .unwrap_or_default())
}

/// Reads, checks and (unless a dry run, or an invalid row forbids it) stores
/// a roster into the villages of `within`, a subtree the caller covers
/// (`list_scope` or `import_region` said so): new people added, people
/// already on the roster updated. The audit record of a stored import goes
/// into the import's own transaction. A mapping sent with the file is
/// remembered for the region's next import. The inner error says the file
/// is no roster.
pub async fn import_into(
    app: &App,
    caller: &Caller,
    within: &str,
    file: Vec<u8>,
    mut opts: Options,
) -> Result<std::result::Result<(Outcome, Book), SheetError>> {
    ensure_manages(caller)?;
    let record = caller.record("import", "volunteers", within, "");
    let before = remembered(app, within).await?;
    opts.remembered = before.clone();
    let done = store::run_audited(&app.db, within, file, &opts, &|_, _| {}, Some(&record)).await?;
    if let Ok((outcome, _)) = &done {
        let headers: Vec<String> =
            outcome.headers.iter().flat_map(|(h, _)| h.columns.iter().map(|c| c.text.clone())).collect();
        let used = opts.mapping.used(&headers);
        let next = used.or(&before);
        if !used.is_empty() && next != before {
            let r = caller.record("import_mapping", "region", within, &next.to_json());
            store::remember_mapping(&app.db.pool, within, &next.to_json(), &r).await?;
        }
    }
    Ok(done)
}

/// A mapping as the API and the page send it (`{"列名":"field",…}`).
pub fn parse_mapping(json: Option<&str>) -> Result<Mapping> {
    match json.map(str::trim).filter(|j| !j.is_empty()) {
        None => Ok(Mapping::default()),
        Some(j) => Mapping::from_json(j).map_err(Error::field),
    }
}

/// The API's import: into the region asked for (default: the caller's
/// scope); a file that is no roster is a 422 on `file`.
pub async fn import(
    app: &App,
    caller: &Caller,
    region_id: Option<&str>,
    dry_run: Option<&str>,
    skip_invalid: Option<&str>,
    mapping: Option<&str>,
    file: Vec<u8>,
) -> Result<Outcome> {
    ensure_manages(caller)?;
    let within = list_scope(app, caller, region_id).await?;
    let opts = Options {
        dry_run: flag("dry_run", dry_run)?,
        skip_invalid: flag("skip_invalid", skip_invalid)?,
        mapping: parse_mapping(mapping)?,
        ..Default::default()
    };
    if file.is_empty() {
        return Err(Error::field(Problem::new("file", "请上传花名册文件", "Upload the roster file")));
    }
    import_into(app, caller, &within, file, opts).await?.map(|(o, _)| o).map_err(|e| Error::field(e.problem()))
}

/// The roster handed back with a red 错误原因 column (checked as a dry run:
/// nothing is stored).
pub async fn error_workbook(
    app: &App,
    caller: &Caller,
    within: &str,
    file: Vec<u8>,
    mapping: Mapping,
) -> Result<std::result::Result<Vec<u8>, SheetError>> {
    let opts = Options { dry_run: true, mapping, ..Default::default() };
    match import_into(app, caller, within, file, opts).await? {
        Ok((outcome, book)) => {
            let headers: Vec<_> = outcome.headers.iter().map(|(h, _)| h.clone()).collect();
            let bytes = crate::workbooks::import_errors::annotated(&book, &headers, &outcome.errors).map_err(|e| {
                tracing::error!(error = %e, "error workbook");
                Error::internal()
            })?;
            Ok(Ok(bytes))
        }
        Err(e) => Ok(Err(e)),
    }
}

/// The API's error workbook: the region asked for, the mapping sent.
pub async fn api_error_workbook(
    app: &App,
    caller: &Caller,
    region_id: Option<&str>,
    mapping: Option<&str>,
    file: Vec<u8>,
) -> Result<Vec<u8>> {
    ensure_manages(caller)?;
    let within = list_scope(app, caller, region_id).await?;
    let mapping = parse_mapping(mapping)?;
    if file.is_empty() {
        return Err(Error::field(Problem::new("file", "请上传花名册文件", "Upload the roster file")));
    }
    error_workbook(app, caller, &within, file, mapping).await?.map_err(|e| Error::field(e.problem()))
}

#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    /// Data rows read over every sheet (blank rows are not counted).
    pub rows: usize,
    /// Rows that passed every check.
    pub valid: usize,
    /// Rows stored by this call, added and updated (0 on a dry run, or when an invalid row stopped the import).
    pub imported: usize,
    /// People new to the roster.
    pub added: usize,
    /// People already on the roster (matched by ID number) whom the sheet changes.
    pub updated: usize,
    /// People already on the roster exactly as the sheet has them.
    pub unchanged: usize,
    pub errors: Vec<ImportError>,
    /// Rows taken differently from how the sheet has them but not refused
    /// (a typed gender that contradicts the ID number: the number decides;
    /// a skill off the list: kept as written).
    pub warnings: Vec<ImportError>,
    /// Field by field, what the sheet changes for people already on the roster.
    pub changes: Vec<ChangeView>,
    /// People of the sheet's villages on the roster whom the sheet no longer
    /// lists: nobody is deleted; staff mark them inactive if they have left.
    pub missing: Vec<MissingView>,
    /// Some column is not recognised: map it (`mapping`) or ignore it, then send the file again.
    pub needs_mapping: bool,
    /// The header found on each sheet, how each column was understood, and the first rows under it (ID numbers and phones masked).
    pub sheets: Vec<SheetView>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportError {
    /// The worksheet the row is on.
    pub sheet: String,
    /// The row number as Excel shows it.
    pub row: u32,
    /// The column's header as written in the sheet.
    pub column: String,
    /// The person's name, when the row has one.
    pub name: Option<String>,
    /// In the request's language: what is wrong and what to do.
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChangeView {
    pub sheet: String,
    pub row: u32,
    pub volunteer_no: String,
    pub name: String,
    pub fields: Vec<FieldChangeView>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldChangeView {
    /// The field as a mapping names it (`phone`, `village`, …).
    pub field: String,
    /// The column as written in the sheet.
    pub column: String,
    /// Phones masked.
    pub before: String,
    pub after: String,
}

#[derive(Serialize, ToSchema)]
pub struct MissingView {
    pub volunteer_no: String,
    pub name: String,
    pub village: String,
}

#[derive(Serialize, ToSchema)]
pub struct SheetView {
    pub sheet: String,
    /// The Excel row number of the header (its lower row when it spans two).
    pub header_row: u32,
    pub columns: Vec<ColumnView>,
    /// The first rows under the header, one text per column, ID numbers and phones masked.
    pub samples: Vec<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct ColumnView {
    /// The header as written.
    pub column: String,
    /// The field it fills, `ignore`, or null when not recognised.
    pub field: Option<String>,
}

pub fn report(o: Outcome, lang: Lang) -> ImportReport {
    let lines = |list: Vec<crate::domain::roster::RowError>| {
        list.into_iter()
            .map(|e| ImportError {
                sheet: e.sheet,
                row: e.row,
                column: e.column,
                name: e.name,
                message: lang.t(&e.zh, &e.en).to_string(),
            })
            .collect()
    };
    ImportReport {
        rows: o.rows,
        valid: o.valid,
        imported: o.imported,
        added: o.added,
        updated: o.updated,
        unchanged: o.unchanged,
        errors: lines(o.errors),
        warnings: lines(o.warnings),
        changes: o
            .changes
            .into_iter()
            .map(|c| ChangeView {
                sheet: c.sheet,
                row: c.row,
                volunteer_no: c.volunteer_no,
                name: c.name,
                fields: c
                    .fields
                    .into_iter()
                    .map(|f| FieldChangeView {
                        field: f.field.to_string(),
                        column: f.column,
                        before: f.before,
                        after: f.after,
                    })
                    .collect(),
            })
            .collect(),
        missing: o
            .missing
            .into_iter()
            .map(|m| MissingView { volunteer_no: m.volunteer_no, name: m.name, village: m.village })
            .collect(),
        needs_mapping: o.needs_mapping,
        sheets: o
            .headers
            .into_iter()
            .map(|(h, samples)| SheetView {
                sheet: h.sheet.clone(),
                header_row: h.row,
                columns: h
                    .columns
                    .iter()
                    .map(|c| ColumnView {
                        column: c.text.clone(),
                        field: match c.meaning {
                            Meaning::Field(f) => Some(f.code().to_string()),
                            Meaning::Ignore => Some("ignore".into()),
                            Meaning::Unknown => None,
                        },
                    })
                    .collect(),
                samples,
            })
            .collect(),
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
