//! `/api/v1/regions` and the "one village one team" coverage view.

use super::{list_scope, Body};
use crate::domain::geo::LatLon;
use crate::domain::input::Fields;
use crate::domain::region::RegionKind;
use crate::domain::validation::Problem;
use crate::store::regions::{self as store, NewRegion, Region, VillageCoverage};
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct RegionQuery {
    /// Only this region and everything under it.
    pub region_id: Option<String>,
    /// county, town, village or grid.
    pub kind: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/regions", tag = "regions", params(RegionQuery), security(("bearer" = [])),
    responses((status = 200, body = [Region]), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RegionQuery>,
) -> ApiResult<Json<Vec<Region>>> {
    let within = list_scope(&state, &caller, q.region_id.as_deref()).await?;
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(RegionKind::parse(k).ok_or_else(|| {
            ApiError::field(Problem::about(
                "kind",
                "应为 county、town、village 或 grid",
                "must be county, town, village or grid",
            ))
        })?),
    };
    Ok(Json(store::list(&state.db.pool, Some(&within), kind).await?))
}

/// Loads a region the caller may see: 404 when it does not exist, 403 outside scope.
pub async fn visible(state: &AppState, caller: &Caller, id: i64) -> ApiResult<Region> {
    let r = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    caller.ensure_covers(&r.path)?;
    Ok(r)
}

#[utoipa::path(get, path = "/api/v1/regions/{id}", tag = "regions", security(("bearer" = [])),
    responses((status = 200, body = Region), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<Region>> {
    Ok(Json(visible(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/regions", tag = "regions", security(("bearer" = [])),
    request_body(content = Object, description = "{name, kind, parent_id, lat, lon}"),
    responses((status = 201, body = Region), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<Region>)> {
    caller.ensure(caller.role.manages_roster())?;
    let mut f = Fields::new(&body);
    let name = f.required_text("name", 40);
    let kind_text = f.required_text("kind", 20);
    let parent_id = f.int("parent_id");
    let (lat, lon) = (f.float("lat"), f.float("lon"));
    let mut problems = f.problems;
    let position = LatLon::parse_pair(lat, lon, &mut problems);
    let kind = kind_text.as_deref().and_then(|k| {
        let parsed = RegionKind::parse(k);
        if parsed.is_none() {
            problems.push(Problem::about(
                "kind",
                "应为 county、town、village 或 grid",
                "must be county, town, village or grid",
            ));
        }
        parsed
    });
    let (Some(name), Some(kind)) = (name, kind) else {
        return Err(ApiError::invalid(problems));
    };
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    // Staff create below their own region; only an administrator makes roots.
    match parent_id {
        None => {
            caller.ensure(caller.scope.region_path.is_none() && caller.role == crate::domain::account::Role::Admin)?
        }
        Some(pid) => {
            if let Some(parent) = store::get(&state.db.pool, pid).await? {
                caller.ensure_covers(&parent.path)?;
            }
        }
    }
    let r = store::create(&state.db.pool, &NewRegion { name, kind, parent_id, position }).await?;
    caller.audit(&state, "create", "region", &r.id.to_string(), &r.name).await;
    Ok((StatusCode::CREATED, Json(r)))
}

#[utoipa::path(patch, path = "/api/v1/regions/{id}", tag = "regions", security(("bearer" = [])),
    request_body(content = Object, description = "{name, lat, lon}; kind and parent_id cannot change"),
    responses((status = 200, body = Region), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Region>> {
    let current = visible(&state, &caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    let mut f = Fields::new(&body);
    if body.get("kind").is_some_and(|v| v.as_str() != Some(current.kind.as_str())) {
        f.problems.push(Problem::about("kind", "创建后不能修改", "cannot be changed after creation"));
    }
    if body.get("parent_id").is_some_and(|v| v.as_i64() != current.parent_id) {
        f.problems.push(Problem::about("parent_id", "创建后不能修改", "cannot be changed after creation"));
    }
    let name = if f.has("name") { f.required_text("name", 40) } else { Some(current.name.clone()) };
    let lat = if f.has("lat") { f.float("lat") } else { current.lat };
    let lon = if f.has("lon") { f.float("lon") } else { current.lon };
    let mut problems = f.problems;
    let position = LatLon::parse_pair(lat, lon, &mut problems);
    match name {
        Some(name) if problems.is_empty() => {
            let r = store::update(&state.db.pool, id, &name, position).await?;
            caller.audit(&state, "update", "region", &id.to_string(), &r.name).await;
            Ok(Json(r))
        }
        _ => Err(ApiError::invalid(problems)),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct CoverageQuery {
    pub region_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/coverage", tag = "regions", params(CoverageQuery), security(("bearer" = [])),
    responses((status = 200, body = [VillageCoverage], description = "every village with its number of teams; those with none first")))]
pub async fn coverage(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CoverageQuery>,
) -> ApiResult<Json<Vec<VillageCoverage>>> {
    caller.ensure(caller.role.reads_roster())?;
    let within = super::list_scope(&state, &caller, q.region_id.as_deref()).await?;
    Ok(Json(store::village_coverage(&state.db.pool, &within).await?))
}
