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

/// More rows than any town's list; a county exports region by region.
const LIST_EXPORT_MAX: i64 = 50_000;

#[derive(Deserialize, IntoParams, Default)]
pub struct NeedExportQuery {
    /// One workflow state, as the list page filters.
    pub status: Option<String>,
    /// Words of the title or place.
    pub q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/exports/needs", tag = "exports", params(NeedExportQuery), security(("bearer" = [])),
    responses((status = 200, description = "the needs list of the caller's scope, filtered as the page is, as a workbook (phones masked)",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403)))]
pub async fn needs(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<NeedExportQuery>,
) -> ApiResult<(HeaderMap, Vec<u8>)> {
    let words = q.q.as_deref().unwrap_or("");
    let (rows, _, _) =
        crate::app::needs::page_of(&state, &caller, q.status.as_deref(), words, 1, LIST_EXPORT_MAX).await?;
    let when = |t: Option<chrono::DateTime<Utc>>| t.map(|t| XCell::from(beijing(t))).unwrap_or(XCell::Empty);
    let table = Table {
        sheet: "需求清单",
        title: "需求清单".to_string(),
        columns: vec![
            Col("受理编号", "Reference", 15.0, false),
            Col("需求内容", "Need", 28.0, false),
            Col("类别", "Category", 12.0, false),
            Col("地点", "Place", 18.0, false),
            Col("联系人", "Contact", 10.0, false),
            Col("联系电话", "Phone", 13.0, false),
            Col("所需人数", "People", 8.0, false),
            Col("已接单", "Accepted", 8.0, false),
            Col("状态", "State", 9.0, false),
            Col("提出时间", "Filed", 17.0, false),
            Col("办结期限", "Due", 17.0, false),
            Col("完成时间", "Completed", 17.0, false),
            Col("评价(星)", "Rating", 8.0, false),
        ],
        rows: rows
            .into_iter()
            .map(|n| {
                vec![
                    crate::domain::needs::reference(n.id, n.filed_at).into(),
                    n.title.into(),
                    category_label(&n.category).0.into(),
                    n.place.map(XCell::from).unwrap_or(XCell::Empty),
                    n.requester_name.map(XCell::from).unwrap_or(XCell::Empty),
                    n.requester_phone.map(XCell::from).unwrap_or(XCell::Empty),
                    n.volunteers_needed.into(),
                    n.accepted.into(),
                    n.status.label().0.into(),
                    beijing(n.filed_at).into(),
                    when(n.due_at),
                    when(n.completed_at),
                    n.rating.map(XCell::from).unwrap_or(XCell::Empty),
                ]
            })
            .collect(),
    };
    let today = crate::domain::clock::today();
    Ok((download_headers(&format!("needs-{today}.xlsx"), &format!("需求清单-{today}.xlsx")), workbook(&table)?))
}

#[derive(Deserialize, IntoParams, Default)]
pub struct ActivityExportQuery {
    /// Words of the title or place.
    pub q: Option<String>,
    /// open, closed or cancelled.
    pub status: Option<String>,
    /// `1`: only those still to come.
    pub upcoming: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/exports/activities", tag = "exports", params(ActivityExportQuery), security(("bearer" = [])),
    responses((status = 200, description = "the activities of the caller's scope, filtered as the page is, as a workbook (the 活动台账 list)",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403)))]
pub async fn activities(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ActivityExportQuery>,
) -> ApiResult<(HeaderMap, Vec<u8>)> {
    caller.ensure(caller.role.reads_roster())?;
    let search = crate::app::activities::ActivitySearch {
        words: q.q.clone(),
        status: q.status.as_deref().and_then(crate::domain::activity::ActivityStatus::parse),
        upcoming: q.upcoming.as_deref() == Some("1"),
    };
    let (rows, _) = crate::app::activities::page_of(&state, &caller, &search, 1, LIST_EXPORT_MAX).await?;
    let table = Table {
        sheet: "活动台账",
        title: "志愿服务活动台账".to_string(),
        columns: vec![
            Col("活动名称", "Activity", 28.0, false),
            Col("类别", "Category", 12.0, false),
            Col("组织单位", "Organiser", 20.0, false),
            Col("开始时间", "Start", 17.0, false),
            Col("结束时间", "End", 17.0, false),
            Col("地点", "Place", 18.0, false),
            Col("人数上限", "Capacity", 8.0, false),
            Col("已报名", "Signed up", 8.0, false),
            Col("候补", "Waiting", 6.0, false),
            Col("状态", "State", 8.0, false),
            Col("受益人数", "Beneficiaries", 8.0, false),
        ],
        rows: rows
            .into_iter()
            .map(|a| {
                vec![
                    a.title.into(),
                    category_label(&a.category).0.into(),
                    a.organiser.into(),
                    beijing(a.starts_at).into(),
                    beijing(a.ends_at).into(),
                    a.place.map(XCell::from).unwrap_or(XCell::Empty),
                    a.capacity.into(),
                    a.signed_up.into(),
                    a.waiting.into(),
                    a.status.label().0.into(),
                    a.beneficiaries.into(),
                ]
            })
            .collect(),
    };
    let today = crate::domain::clock::today();
    Ok((download_headers(&format!("activities-{today}.xlsx"), &format!("活动台账-{today}.xlsx")), workbook(&table)?))
}

#[derive(Deserialize, IntoParams, Default)]
pub struct MentorshipExportQuery {
    /// Words of the mentor's or mentee's name.
    pub q: Option<String>,
    /// `open` (under way), `done` (ended) or blank for all.
    pub outcome: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/exports/mentorships", tag = "exports", params(MentorshipExportQuery), security(("bearer" = [])),
    responses((status = 200, description = "the mentoring pairs of the caller's scope, filtered as the page is, as a workbook",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403)))]
pub async fn mentorships(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<MentorshipExportQuery>,
) -> ApiResult<(HeaderMap, Vec<u8>)> {
    caller.ensure(caller.role.reads_roster())?;
    let rows = crate::app::mentoring::search(
        &state,
        &caller,
        q.q.as_deref().unwrap_or(""),
        q.outcome.as_deref().unwrap_or(""),
    )
    .await?;
    let table = Table {
        sheet: "老兵带新兵",
        title: "老兵带新兵结对名单".to_string(),
        columns: vec![
            Col("导师", "Mentor", 12.0, false),
            Col("帮带对象", "Mentee", 12.0, false),
            Col("退役时间", "Discharged", 12.0, false),
            Col("帮带目标", "Goal", 10.0, false),
            Col("结对日期", "Paired on", 12.0, false),
            Col("成效", "Outcome", 10.0, false),
            Col("成效日期", "Outcome date", 12.0, false),
            Col("备注", "Notes", 30.0, false),
        ],
        rows: rows
            .into_iter()
            .map(|m| {
                vec![
                    m.mentor_name.into(),
                    m.mentee_name.into(),
                    m.mentee_discharged_on.map(|d| d.to_string()).into(),
                    m.goal.label().0.into(),
                    m.started_on.to_string().into(),
                    m.outcome.label().0.into(),
                    m.outcome_on.map(|d| d.to_string()).into(),
                    m.notes.map(XCell::from).unwrap_or(XCell::Empty),
                ]
            })
            .collect(),
    };
    let today = crate::domain::clock::today();
    Ok((download_headers(&format!("mentoring-{today}.xlsx"), &format!("老兵带新兵-{today}.xlsx")), workbook(&table)?))
}

#[utoipa::path(get, path = "/api/v1/exports/care-visits", tag = "exports", params(PeriodExportQuery), security(("bearer" = [])),
    responses((status = 200, description = "care visits made in the period, as a workbook",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403), (status = 422)))]
pub async fn care_visits(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<PeriodExportQuery>,
) -> ApiResult<(HeaderMap, Vec<u8>)> {
    let (p, lines) =
        crate::app::care::visit_export(&state, &caller, q.region_id.as_deref(), q.from.as_deref(), q.to.as_deref())
            .await?;
    let (from, to) = (p.from, p.to);
    let table = Table {
        sheet: "走访记录",
        title: format!("走访慰问记录（{from} 至 {to}）"),
        columns: vec![
            Col("走访日期", "Visited on", 12.0, false),
            Col("走访对象", "Visited", 10.0, false),
            Col("类别", "Category", 14.0, false),
            Col("所在村(社区)", "Village", 14.0, false),
            Col("走访人员", "Visitors", 20.0, false),
            Col("走访情况", "Notes", 30.0, false),
            Col("帮扶内容", "Help given", 24.0, false),
        ],
        rows: lines
            .into_iter()
            .map(|v| {
                vec![
                    v.visited_on.to_string().into(),
                    v.recipient.into(),
                    v.category.label().0.into(),
                    v.village.into(),
                    v.volunteers.join("、").into(),
                    v.notes.map(XCell::from).unwrap_or(XCell::Empty),
                    v.help_given.map(XCell::from).unwrap_or(XCell::Empty),
                ]
            })
            .collect(),
    };
    Ok((
        download_headers(&format!("care-visits-{from}-{to}.xlsx"), &format!("走访记录-{from}-{to}.xlsx")),
        workbook(&table)?,
    ))
}
