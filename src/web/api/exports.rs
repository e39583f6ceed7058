//! `/api/v1/exports/*`: workbooks for the station's files and the county's
//! returns — the roster, service records and certificates of a region.

use crate::app::roster as app;
use crate::domain::category::category_label;
use crate::domain::clock::minute_text as beijing;
use crate::domain::service::hours;
use crate::domain::volunteer::{skill_label, veteran_category_label};
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::xlsx::{self, download_headers, Col, Table, XCell};
use crate::web::AppState;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams, Default)]
pub struct RosterExportQuery {
    /// The region subtree; default: the caller's whole scope.
    pub region_id: Option<String>,
    /// `true` writes ID numbers and phones in full (town staff and admins only; audited).
    pub unmasked: Option<String>,
}

#[derive(Deserialize, IntoParams, Default)]
pub struct PeriodExportQuery {
    /// The region subtree; default: the caller's whole scope.
    pub region_id: Option<String>,
    /// First day (YYYY-MM-DD, inclusive).
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD, inclusive).
    pub to: Option<String>,
}

fn workbook(t: &Table) -> ApiResult<Vec<u8>> {
    xlsx::write(t).map_err(|e| {
        tracing::error!(error = %e, "export workbook");
        ApiError::internal()
    })
}

#[utoipa::path(get, path = "/api/v1/exports/volunteers", tag = "exports", params(RosterExportQuery), security(("bearer" = [])),
    responses((status = 200, description = "the roster as a workbook",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403), (status = 422)))]
pub async fn volunteers(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RosterExportQuery>,
) -> ApiResult<(HeaderMap, Vec<u8>)> {
    let unmasked = q.unmasked.as_deref() == Some("true");
    let rows = app::roster_export(&state, &caller, q.region_id.as_deref(), unmasked).await?;
    let table = Table {
        sheet: "花名册",
        title: format!("退役军人志愿者花名册（导出于 {}）", beijing(Utc::now())),
        columns: vec![
            Col("志愿者编号", "Volunteer no.", 12.0, false),
            Col("姓名", "Name", 10.0, false),
            Col("性别", "Gender", 7.0, false),
            Col("出生日期", "Birth date", 12.0, false),
            Col("身份证号", "ID number", 21.0, true),
            Col("联系电话", "Phone", 14.0, true),
            Col("所在村(社区)", "Village", 14.0, false),
            Col("入伍时间", "Enlisted", 12.0, false),
            Col("退役时间", "Discharged", 12.0, false),
            Col("军种", "Branch", 8.0, false),
            Col("政治面貌", "Political status", 10.0, false),
            Col("退役军人类别", "Veteran category", 14.0, false),
            Col("特长", "Skills", 20.0, false),
            Col("荣誉", "Honours", 20.0, false),
            Col("状态", "Status", 8.0, false),
        ],
        rows: rows
            .into_iter()
            .map(|line| {
                let app::RosterLine { v, id_number: id, phone } = line;
                let codes = v.skill_list();
                let skills = codes.iter().map(|s| skill_label(s).0).collect::<Vec<_>>().join("、");
                vec![
                    v.volunteer_no.clone().into(),
                    v.name.clone().into(),
                    v.gender.label().0.into(),
                    v.birth_date.to_string().into(),
                    id.into(),
                    phone.into(),
                    v.region_name.clone().into(),
                    v.enlisted_on.map(|d| d.to_string()).into(),
                    v.discharged_on.map(|d| d.to_string()).into(),
                    v.branch.clone().into(),
                    if v.party_member { "中共党员" } else { "" }.into(),
                    v.veteran_category.as_deref().map(|c| veteran_category_label(c).0.to_string()).into(),
                    skills.into(),
                    v.honor_list().join("、").into(),
                    v.status.label().0.into(),
                ]
            })
            .collect(),
    };
    let date = crate::domain::clock::today();
    Ok((download_headers(&format!("volunteers-{date}.xlsx"), &format!("花名册-{date}.xlsx")), workbook(&table)?))
}

#[utoipa::path(get, path = "/api/v1/exports/service-records", tag = "exports", params(PeriodExportQuery), security(("bearer" = [])),
    responses((status = 200, description = "service records whose start falls in the period, as a workbook",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403), (status = 422)))]
pub async fn service_records(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PeriodExportQuery>,
) -> ApiResult<(HeaderMap, Vec<u8>)> {
    let (p, lines) =
        app::service_record_export(&state, &caller, q.region_id.as_deref(), q.from.as_deref(), q.to.as_deref()).await?;
    let (from, to) = (p.from, p.to);
    let table = Table {
        sheet: "服务记录",
        title: format!("志愿服务记录（{from} 至 {to}）"),
        columns: vec![
            Col("记录号", "Record", 8.0, false),
            Col("志愿者编号", "Volunteer no.", 12.0, false),
            Col("姓名", "Name", 10.0, false),
            Col("所在村(社区)", "Village", 14.0, false),
            Col("服务项目", "Title", 28.0, false),
            Col("类别", "Category", 12.0, false),
            Col("开始时间", "Start", 17.0, false),
            Col("结束时间", "End", 17.0, false),
            Col("时长(小时)", "Hours", 9.0, false),
            Col("补录", "Late", 6.0, false),
            Col("更正记录", "Corrects", 9.0, false),
            Col("被更正为", "Corrected by", 10.0, false),
        ],
        rows: lines
            .into_iter()
            .map(|r| {
                vec![
                    r.id.into(),
                    r.volunteer_no.into(),
                    r.name.into(),
                    r.village.into(),
                    r.title.into(),
                    category_label(&r.category).0.into(),
                    beijing(r.started_at).into(),
                    beijing(r.ended_at).into(),
                    hours(r.minutes).into(),
                    if r.late { "是" } else { "" }.into(),
                    r.corrects.map(XCell::from).unwrap_or(XCell::Empty),
                    r.corrected_by.map(XCell::from).unwrap_or(XCell::Empty),
                ]
            })
            .collect(),
    };
    Ok((
        download_headers(&format!("service-records-{from}-{to}.xlsx"), &format!("服务记录-{from}-{to}.xlsx")),
        workbook(&table)?,
    ))
}

#[utoipa::path(get, path = "/api/v1/exports/certificates", tag = "exports", params(PeriodExportQuery), security(("bearer" = [])),
    responses((status = 200, description = "certificates issued in the period, as a workbook",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403), (status = 422)))]
pub async fn certificates(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PeriodExportQuery>,
) -> ApiResult<(HeaderMap, Vec<u8>)> {
    let (p, lines) =
        app::certificate_export(&state, &caller, q.region_id.as_deref(), q.from.as_deref(), q.to.as_deref()).await?;
    let (from, to) = (p.from, p.to);
    let table = Table {
        sheet: "服务证明",
        title: format!("志愿服务证明开具记录（{from} 至 {to}）"),
        columns: vec![
            Col("证明编码", "Code", 16.0, false),
            Col("志愿者编号", "Volunteer no.", 12.0, false),
            Col("姓名", "Name", 10.0, false),
            Col("所在村(社区)", "Village", 14.0, false),
            Col("服务时长(小时)", "Hours", 10.0, false),
            Col("记录数", "Records", 8.0, false),
            Col("服务期间", "Period", 24.0, false),
            Col("开具时间", "Issued at", 17.0, false),
            Col("开具人", "Issued by", 16.0, false),
        ],
        rows: lines
            .into_iter()
            .map(|c| {
                vec![
                    c.code.into(),
                    c.volunteer_no.into(),
                    c.name.into(),
                    c.village.into(),
                    hours(c.minutes).into(),
                    c.records.into(),
                    format!("{} 至 {}", c.period_from, c.period_to).into(),
                    beijing(c.issued_at).into(),
                    c.issued_by.into(),
                ]
            })
            .collect(),
    };
    Ok((
        download_headers(&format!("certificates-{from}-{to}.xlsx"), &format!("服务证明-{from}-{to}.xlsx")),
        workbook(&table)?,
    ))
}
