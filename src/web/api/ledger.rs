//! `/api/v1/exports/ledger`: the ledger book of a period and region as a
//! workbook, one activity a row, with links to its photos.

use crate::app::ledger as app;
use crate::domain::category::category_label;
use crate::domain::clock::minute_text as beijing;
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::xlsx::{self, download_headers, Col, Table, XCell};
use crate::web::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams, Default)]
pub struct LedgerQuery {
    /// The region subtree; default: the caller's whole scope.
    pub region_id: Option<String>,
    /// First day, `YYYY-MM-DD` (Beijing time).
    pub from: Option<String>,
    /// Last day, included.
    pub to: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/exports/ledger", tag = "exports", params(LedgerQuery), security(("bearer" = [])),
    responses((status = 200, description = "every activity that started in the period, in order, with its record, attendance and the links of its photos (活动台账)",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403), (status = 422)))]
pub async fn workbook(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<LedgerQuery>,
) -> ApiResult<(HeaderMap, Vec<u8>)> {
    let book = app::book(
        &state,
        &caller,
        q.region_id.as_deref().filter(|r| !r.is_empty()),
        q.from.as_deref().unwrap_or(""),
        q.to.as_deref().unwrap_or(""),
    )
    .await?;
    // links that open from the workbook: the address the caller reached us by
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let base = format!("http://{host}");
    let table = Table {
        sheet: "活动台账",
        title: format!("{} 志愿服务活动台账（{} 至 {}）", book.region_name, book.from, book.to),
        columns: vec![
            Col("序号", "No.", 6.0, false),
            Col("活动名称", "Activity", 26.0, false),
            Col("类别", "Category", 12.0, false),
            Col("开始时间", "Start", 17.0, false),
            Col("结束时间", "End", 17.0, false),
            Col("地点", "Place", 18.0, false),
            Col("组织单位", "Organiser", 20.0, false),
            Col("负责人", "In charge", 10.0, false),
            Col("参加人数", "People", 8.0, false),
            Col("签到名单", "Who came", 30.0, false),
            Col("受益人数", "Beneficiaries", 8.0, false),
            Col("活动内容", "What was done", 36.0, false),
            Col("照片数", "Photos", 7.0, false),
            Col("照片链接", "Photo links", 48.0, false),
            Col("台账页", "Ledger page", 40.0, false),
        ],
        rows: book
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let a = &e.activity;
                let who = e
                    .attended
                    .iter()
                    .map(|l| {
                        let out = l.check_out.map(crate::domain::clock::clock_text).unwrap_or_default();
                        format!("{} {}–{}", l.name, crate::domain::clock::clock_text(l.check_in), out)
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                let links = e
                    .all_photo_ids
                    .iter()
                    .map(|id| format!("{base}/api/v1/photos/{id}"))
                    .collect::<Vec<_>>()
                    .join("\n");
                vec![
                    XCell::from((i + 1) as i64),
                    a.title.as_str().into(),
                    category_label(&a.category).0.into(),
                    beijing(a.starts_at).into(),
                    beijing(a.ends_at).into(),
                    a.place.clone().into(),
                    a.organiser.as_str().into(),
                    a.person_in_charge.clone().into(),
                    (e.attended.len() as i64).into(),
                    who.into(),
                    a.beneficiaries.into(),
                    a.description.clone().into(),
                    (e.photo_count as i64).into(),
                    links.into(),
                    format!("{base}/activities/{}/ledger", a.id).into(),
                ]
            })
            .collect(),
    };
    let bytes = xlsx::write(&table).map_err(|_| ApiError::internal())?;
    Ok((
        download_headers(
            &format!("ledger-{}-{}.xlsx", book.from, book.to),
            &format!("活动台账-{}-{}.xlsx", book.from, book.to),
        ),
        bytes,
    ))
}
