//! 导入导出: staff upload a roster (check first, then import) and read the
//! error report as a table; the workbook exports are linked from here too.

use super::{csrf_failed, error_page, lang_of, render, Chrome};
use crate::app::roster::{self as app, report, ImportReport, Options};
use crate::domain::roster::{Column, Mapping};
use crate::web::auth::{Caller, PageUser};
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

pub struct RegionOpt {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "imports.html")]
pub struct ImportsPage {
    pub c: Chrome,
    pub regions: Vec<RegionOpt>,
    pub region_id: i64,
    pub report: Option<ImportReport>,
    pub dry_run: bool,
    pub skip_invalid: bool,
    pub file_name: String,
    pub problem: String,
    pub today: String,
    pub year_start: String,
    /// The columns of the roster checked last, to map each to a field.
    pub mapping: Vec<MapRow>,
    /// Whether the mapping step asks (some column is unknown) or only offers.
    pub mapping_open: bool,
    /// The fields a column may be mapped to: (code, label).
    pub fields: Vec<(String, String)>,
}

/// One column of the mapping step: its header, a few values under it, and the field chosen.
pub struct MapRow {
    pub header: String,
    pub examples: String,
    pub chosen: String,
    pub known: bool,
}

/// The distinct columns of every sheet's header, with their examples.
fn map_rows(r: &ImportReport) -> Vec<MapRow> {
    let mut rows: Vec<MapRow> = Vec::new();
    for s in &r.sheets {
        for (i, c) in s.columns.iter().enumerate() {
            if rows.iter().any(|m| m.header == c.column) {
                continue;
            }
            let ex: Vec<&str> =
                s.samples.iter().filter_map(|row| row.get(i).map(String::as_str)).filter(|t| !t.is_empty()).collect();
            rows.push(MapRow {
                header: c.column.clone(),
                examples: ex.join(" / "),
                chosen: c.field.clone().unwrap_or_default(),
                known: c.field.is_some(),
            });
        }
    }
    rows
}

/// Towns (and the county) inside the caller's scope: a roster is a town's.
async fn region_opts(state: &AppState, caller: &Caller, chosen: Option<i64>) -> Result<Vec<RegionOpt>, ApiError> {
    let (list, pick) = app::import_regions(state, caller, chosen).await?;
    Ok(list.into_iter().map(|r| RegionOpt { selected: Some(r.id) == pick, id: r.id, label: r.name }).collect())
}

fn page(c: Chrome, regions: Vec<RegionOpt>) -> ImportsPage {
    let today = crate::domain::clock::today();
    ImportsPage {
        c,
        region_id: regions.iter().find(|o| o.selected).map(|o| o.id).unwrap_or(0),
        regions,
        report: None,
        dry_run: true,
        skip_invalid: false,
        file_name: String::new(),
        problem: String::new(),
        today: today.to_string(),
        year_start: today.format("%Y-01-01").to_string(),
        mapping: vec![],
        mapping_open: false,
        fields: vec![],
    }
}

fn field_options(lang: crate::domain::lang::Lang) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> =
        Column::ALL.iter().map(|c| (c.code().to_string(), lang.t(c.header(), c.english()).to_string())).collect();
    v.push(("ignore".into(), lang.t("忽略此列", "Ignore this column").into()));
    v
}

pub async fn form(State(state): State<AppState>, PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    if let Err(e) = app::ensure_manages(&caller) {
        return error_page(lang, e);
    }
    match region_opts(&state, &caller, None).await {
        Ok(regions) => render(&page(Chrome::new(&caller, lang, "imports", "/imports"), regions)),
        Err(e) => error_page(lang, e),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let lang = lang_of(&headers);
    if let Err(e) = app::ensure_manages(&caller) {
        return error_page(lang, e);
    }
    let (mut csrf, mut region_id, mut mode, mut skip, mut file, mut file_name) =
        (String::new(), None, String::new(), false, Vec::new(), String::new());
    let (mut map_h, mut map_f): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    loop {
        match form.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or("").to_string();
                if name == "file" {
                    file_name = f.file_name().unwrap_or("").to_string();
                    match f.bytes().await {
                        Ok(b) => file = b.to_vec(),
                        Err(_) => return error_page(lang, ApiError::bad_request("上传中断", "The upload broke off")),
                    }
                } else {
                    let v = f.text().await.unwrap_or_default();
                    match name.as_str() {
                        "csrf" => csrf = v,
                        "region_id" => region_id = v.trim().parse::<i64>().ok(),
                        "mode" => mode = v,
                        "skip_invalid" => skip = !v.is_empty(),
                        "map_h" => map_h.push(v),
                        "map_f" => map_f.push(v),
                        _ => {}
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return error_page(lang, ApiError::bad_request("上传内容不完整", "The upload is incomplete")),
        }
    }
    if !crate::web::auth::constant_eq(&csrf, &caller.csrf) {
        return csrf_failed(lang);
    }
    let regions = match region_opts(&state, &caller, region_id).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, e),
    };
    let mut p = page(Chrome::new(&caller, lang, "imports", "/imports"), regions);
    p.dry_run = mode != "import";
    p.skip_invalid = skip;
    p.file_name = file_name;
    let Some(region) = region_id else {
        p.problem = lang.t("请选择区域", "Choose a region").into();
        return render(&p);
    };
    let within = match app::import_region(&state, &caller, region).await {
        Ok(path) => path,
        Err(e) => return error_page(lang, e),
    };
    if file.is_empty() {
        p.problem = lang.t("请选择花名册文件", "Choose the roster file").into();
        return render(&p);
    }
    // a column left at "choose…" stays unmapped and is asked about again
    let pairs: Vec<(&str, &str)> =
        map_h.iter().zip(&map_f).filter(|(_, f)| !f.is_empty()).map(|(h, f)| (h.as_str(), f.as_str())).collect();
    let mapping = match Mapping::from_pairs(pairs) {
        Ok(m) => m,
        Err(prob) => {
            p.problem = lang.t(&prob.zh, &prob.en).to_string();
            return render(&p);
        }
    };
    if mode == "errors" {
        return match app::error_workbook(&state, &caller, &within, file, mapping).await {
            Ok(Ok(bytes)) => {
                let h = crate::web::xlsx::download_headers("roster-errors.xlsx", "花名册错误标注.xlsx");
                (h, bytes).into_response()
            }
            Ok(Err(sheet)) => {
                let prob = sheet.problem();
                p.problem = lang.t(&prob.zh, &prob.en).to_string();
                render(&p)
            }
            Err(e) => error_page(lang, e),
        };
    }
    let opts = Options { dry_run: p.dry_run, skip_invalid: skip, mapping, ..Default::default() };
    match app::import_into(&state, &caller, &within, file, opts).await {
        Ok(Ok((outcome, _))) => {
            let r = report(outcome, lang);
            p.mapping = map_rows(&r);
            p.mapping_open = r.needs_mapping;
            p.fields = field_options(lang);
            p.report = Some(r);
        }
        Ok(Err(sheet)) => {
            let prob = sheet.problem();
            p.problem = lang.t(&prob.zh, &prob.en).to_string();
        }
        Err(e) => return error_page(lang, e),
    }
    render(&p)
}
