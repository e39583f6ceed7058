//! `/api/v1/reports/summary`: the standard summary (统计汇总表) of a region for
//! a period, as JSON or, with `?format=xlsx`, as the workbook handed upward.

use super::query_int;
use crate::domain::report::{Period, Summary};
use crate::domain::validation::Problem;
use crate::store::regions::{self as region_store, Region};
use crate::store::reports::{self as store, Signatures};
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

/// Who may read a region's figures: staff and admins, and team leaders for
/// their own village.
pub fn may_read_reports(caller: &Caller) -> bool {
    caller.role.runs_service()
}

/// The region a report is about, checked against the caller's scope.
pub async fn report_region(state: &AppState, caller: &Caller, region_id: Option<&str>) -> ApiResult<Region> {
    caller.ensure(may_read_reports(caller))?;
    let region = match query_int("region_id", region_id)? {
        Some(id) => region_store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?,
        None => {
            let path = caller.scope_path().to_string();
            let id = path
                .trim_matches('/')
                .rsplit('/')
                .next()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(|| ApiError::field(Problem::about("region_id", "必填", "is required")))?;
            region_store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?
        }
    };
    caller.ensure_covers(&region.path)?;
    Ok(region)
}

pub async fn build(state: &AppState, caller: &Caller, q: &SummaryQuery) -> ApiResult<Summary> {
    let region = report_region(state, caller, q.region_id.as_deref()).await?;
    let period = Period::parse_report(q.from.as_deref(), q.to.as_deref()).map_err(ApiError::invalid)?;
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let sign = Signatures {
        prepared_by: text(&q.preparer).unwrap_or_else(|| caller.username.clone()),
        person_in_charge: text(&q.person_in_charge).unwrap_or_default(),
    };
    Ok(store::summary(&state.db.pool, &region, period, sign).await?)
}

#[utoipa::path(get, path = "/api/v1/reports/summary", tag = "reports", params(SummaryQuery), security(("bearer" = [])),
    responses((status = 200, body = Summary, description = "The summary; with format=xlsx, the same as a workbook"),
              (status = 403), (status = 404), (status = 422)))]
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SummaryQuery>,
) -> ApiResult<Response> {
    let format = q.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "xlsx") {
        return Err(ApiError::field(Problem::about("format", "应为 json 或 xlsx", "must be json or xlsx")));
    }
    let s = build(&state, &caller, &q).await?;
    if format == "json" {
        return Ok(Json(s).into_response());
    }
    let bytes = crate::workbooks::summary::workbook(&s).map_err(|e| {
        tracing::error!("summary workbook: {e}");
        ApiError::internal()
    })?;
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
