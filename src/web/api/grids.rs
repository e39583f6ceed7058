//! `/api/v1/grids/stats`: what each grid's workers filed and saw done.

use crate::app::grids as app;
pub use crate::app::grids::GridStats;
use crate::web::auth::Caller;
use crate::web::error::ApiResult;
use crate::web::AppState;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct GridQuery {
    /// The grids under this region (default: the caller's scope).
    pub region_id: Option<String>,
    /// First day, YYYY-MM-DD (local time, UTC+8).
    pub from: Option<String>,
    /// Last day, inclusive.
    pub to: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/grids/stats", tag = "regions", params(GridQuery), security(("bearer" = [])),
    responses((status = 200, body = [GridStats]), (status = 403), (status = 422)))]
pub async fn stats(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<GridQuery>,
) -> ApiResult<Json<Vec<GridStats>>> {
    Ok(Json(app::stats(&state, &caller, q.region_id.as_deref(), q.from.as_deref(), q.to.as_deref()).await?))
}
