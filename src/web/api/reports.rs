//! `/api/v1/reports/summary`: the standard summary (统计汇总表) of a region for
//! a period, as JSON or, with `?format=xlsx`, as the workbook handed upward.

use crate::app::reports::{self as app, Summary, SummaryAsk};
use crate::domain::report::SummaryFormat;
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Deserialize, IntoParams)]
pub struct SummaryQuery {
    /// The region whose whole subtree is counted; default: the caller's own.
    pub region_id: Option<String>,
    /// First day of the period (YYYY-MM-DD, local time, inclusive).
    pub from: Option<String>,
    /// Last day of the period (inclusive).
    pub to: Option<String>,
    /// `json` (default) or `xlsx`.
    pub format: Option<String>,
    /// 填表人 printed on the form; default: the caller's user name.
    pub preparer: Option<String>,
    /// 负责人 printed on the form.
    pub person_in_charge: Option<String>,
}

impl SummaryQuery {
    pub fn ask(&self) -> SummaryAsk<'_> {
        SummaryAsk {
            region_id: self.region_id.as_deref(),
            from: self.from.as_deref(),
            to: self.to.as_deref(),
            preparer: self.preparer.as_deref(),
            person_in_charge: self.person_in_charge.as_deref(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/reports/summary", tag = "reports", params(SummaryQuery), security(("bearer" = [])),
    responses((status = 200, body = Summary, description = "The summary; with format=xlsx, the same as a workbook"),
              (status = 403), (status = 404), (status = 422)))]
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SummaryQuery>,
) -> ApiResult<Response> {
    let format = SummaryFormat::parse(q.format.as_deref()).map_err(ApiError::field)?;
    let s = app::summary(&state, &caller, &q.ask()).await?;
    if format == SummaryFormat::Json {
        return Ok(Json(s).into_response());
    }
    let bytes = app::workbook(&s)?;
    let name = format!("summary-{}-{}-{}.xlsx", s.region_id, s.from, s.to);
    Ok((
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}
