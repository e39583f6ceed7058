//! A person's copy of their data; the audit log searched and exported.

use crate::app::privacy::{self, AuditQuery};
use crate::web::auth::Caller;
use crate::web::error::ApiResult;
use crate::web::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[utoipa::path(get, path = "/api/v1/me/data", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "everything held about the caller: account, sessions, and for a volunteer the profile in full, records, points, trainings, awards, certificates, evaluations, mentorships, sign-ups and who saw their ID number or phone in full, when", body = Object)))]
pub async fn my_data(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let doc = privacy::my_data(&state, &caller).await?;
    Ok((
        [(header::CONTENT_DISPOSITION, "attachment; filename=\"my-data.json\""), (header::CACHE_CONTROL, "no-store")],
        Json(doc),
    )
        .into_response())
}

/// One entry of the audit log.
#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub detail: String,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = [AuditEntry], description = "newest first, at most 1000"), (status = 403), (status = 422)))]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    let rows = privacy::search_audit(&state, &caller, &q, 1000).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: r.at,
                user_id: r.user_id,
                username: r.username,
                action: r.action,
                target_type: r.target_type,
                target_id: r.target_id,
                detail: r.detail,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, content_type = "text/csv", description = "the entries found, with their chain hashes"), (status = 403)))]
pub async fn export(State(state): State<AppState>, caller: Caller, Query(q): Query<AuditQuery>) -> ApiResult<Response> {
    let rows = privacy::search_audit(&state, &caller, &q, 100_000).await?;
    let body = privacy::audit_csv(&rows)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"audit-log.csv\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}
