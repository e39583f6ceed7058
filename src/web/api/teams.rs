//! `/api/v1/teams` and their members.

use super::{list_scope, Body};
use crate::domain::input::Fields;
use crate::domain::team::TeamKind;
use crate::domain::validation::Problem;
use crate::store::teams::{self as store, Team, TeamDraft};
use crate::store::{regions as region_store, volunteers as volunteer_store};
use crate::web::auth::Caller;
use crate::web::error::{ApiError, ApiResult};
use crate::web::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
pub struct TeamQuery {
    pub region_id: Option<String>,
    /// town_squad, village_team, lecture, emergency, mentoring or other.
    pub kind: Option<String>,
}

fn parse_kind(k: &str) -> ApiResult<TeamKind> {
    TeamKind::parse(k).ok_or_else(|| {
        ApiError::field(Problem::about(
            "kind",
            "应为 town_squad、village_team、lecture、emergency、mentoring 或 other",
            "must be town_squad, village_team, lecture, emergency, mentoring or other",
        ))
    })
}

#[utoipa::path(get, path = "/api/v1/teams", tag = "teams", params(TeamQuery), security(("bearer" = [])),
    responses((status = 200, body = [Team]), (status = 403), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<TeamQuery>,
) -> ApiResult<Json<Vec<Team>>> {
    let within = list_scope(&state, &caller, q.region_id.as_deref()).await?;
    let kind = q.kind.as_deref().filter(|k| !k.is_empty()).map(parse_kind).transpose()?;
    Ok(Json(store::list(&state.db.pool, &within, kind).await?))
}

pub async fn visible(state: &AppState, caller: &Caller, id: i64) -> ApiResult<Team> {
    let t = store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)?;
    caller.ensure_covers(&t.region_path)?;
    Ok(t)
}

#[derive(Serialize, ToSchema)]
pub struct Member {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub region_id: i64,
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct TeamDetail {
    #[serde(flatten)]
    pub team: Team,
    pub members: Vec<Member>,
}

pub async fn members_of(state: &AppState, team: &Team) -> ApiResult<Vec<Member>> {
    let f = volunteer_store::Filter { within: "/".into(), team_id: Some(team.id), limit: 10_000, ..Default::default() };
    let rows = volunteer_store::list(&state.db.pool, &state.db.vault, &f).await?;
    Ok(rows
        .into_iter()
        .map(|v| Member {
            volunteer_id: v.id,
            volunteer_no: v.volunteer_no,
            name: v.name,
            region_id: v.region_id,
            status: v.status,
        })
        .collect())
}

#[utoipa::path(get, path = "/api/v1/teams/{id}", tag = "teams", security(("bearer" = [])),
    responses((status = 200, body = TeamDetail), (status = 403), (status = 404)))]
pub async fn show(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<TeamDetail>> {
    let team = visible(&state, &caller, id).await?;
    let members = members_of(&state, &team).await?;
    Ok(Json(TeamDetail { team, members }))
}

/// Reads a team from a JSON object, falling back to `current` for fields a
/// PATCH leaves out; checks the region is in the caller's scope.
async fn draft(
    state: &AppState,
    caller: &Caller,
    body: &Map<String, Value>,
    current: Option<&Team>,
) -> ApiResult<(TeamDraft, String)> {
    let mut f = Fields::new(body);
    let name =
        if current.is_some() && !f.has("name") { current.map(|t| t.name.clone()) } else { f.required_text("name", 40) };
    let kind_text =
        if current.is_some() && !f.has("kind") { current.map(|t| t.kind.clone()) } else { f.required_text("kind", 20) };
    let region_id = if current.is_some() && !f.has("region_id") {
        current.map(|t| t.region_id)
    } else {
        f.required_int("region_id")
    };
    let leader_id =
        if current.is_some() && !f.has("leader_id") { current.and_then(|t| t.leader_id) } else { f.int("leader_id") };
    let mut problems = f.problems;
    let kind = kind_text.as_deref().and_then(|k| match parse_kind(k) {
        Ok(k) => Some(k),
        Err(e) => {
            e.fields.into_iter().for_each(|p| problems.push(p));
            None
        }
    });
    let region = match region_id {
        Some(id) => {
            let r = region_store::get(&state.db.pool, id).await?;
            if r.is_none() {
                problems.push(Problem::about("region_id", "不存在", "does not exist"));
            }
            r
        }
        None => None,
    };
    match (name, kind, region) {
        (Some(name), Some(kind), Some(region)) if problems.is_empty() => {
            caller.ensure_covers(&region.path)?;
            Ok((TeamDraft { name, kind, region_id: region.id, leader_id }, region.path))
        }
        _ => Err(ApiError::invalid(problems)),
    }
}

#[utoipa::path(post, path = "/api/v1/teams", tag = "teams", security(("bearer" = [])),
    request_body(content = Object, description = "{name, kind, region_id, leader_id}"),
    responses((status = 201, body = Team), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<Team>)> {
    caller.ensure(caller.role.manages_roster())?;
    let (d, path) = draft(&state, &caller, &body, None).await?;
    let team = store::create(&state.db.pool, &d, &path).await?;
    caller.audit(&state, "create", "team", &team.id.to_string(), &team.name).await;
    Ok((StatusCode::CREATED, Json(team)))
}

#[utoipa::path(patch, path = "/api/v1/teams/{id}", tag = "teams", security(("bearer" = [])),
    request_body(content = Object, description = "any of {name, kind, region_id, leader_id}"),
    responses((status = 200, body = Team), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<Json<Team>> {
    let current = visible(&state, &caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    let (d, path) = draft(&state, &caller, &body, Some(&current)).await?;
    let team = store::update(&state.db.pool, id, &d, &path).await?;
    caller.audit(&state, "update", "team", &id.to_string(), &team.name).await;
    Ok(Json(team))
}

/// Staff in scope manage every team; a team leader manages the team they lead.
fn may_manage_members(caller: &Caller, team: &Team) -> bool {
    caller.role.manages_roster() || (caller.volunteer_id.is_some() && caller.volunteer_id == team.leader_id)
}

#[derive(Deserialize, ToSchema)]
pub struct MemberRequest {
    pub volunteer_id: i64,
}

#[utoipa::path(post, path = "/api/v1/teams/{id}/members", tag = "teams", security(("bearer" = [])), request_body = MemberRequest,
    responses((status = 201, body = TeamDetail), (status = 403), (status = 404), (status = 409, description = "already a member"), (status = 422)))]
pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body,
) -> ApiResult<(StatusCode, Json<TeamDetail>)> {
    let team = visible(&state, &caller, id).await?;
    caller.ensure(may_manage_members(&caller, &team))?;
    let mut f = Fields::new(&body);
    let Some(volunteer_id) = f.required_int("volunteer_id") else {
        return Err(ApiError::invalid(f.problems));
    };
    let v = volunteer_store::get(&state.db.pool, volunteer_id)
        .await?
        .ok_or_else(|| ApiError::field(Problem::about("volunteer_id", "不存在", "does not exist")))?;
    if !v.region_path.starts_with(&team.region_path) {
        return Err(ApiError::field(Problem::about(
            "volunteer_id",
            "不在该队伍所属区域，不能加入",
            "lives outside the team's region and cannot join it",
        )));
    }
    if !store::add_member(&state.db.pool, id, volunteer_id).await? {
        return Err(ApiError::conflict(
            crate::domain::error_code::ErrorCode::AlreadyMember,
            "该志愿者已在队中",
            "The volunteer is already on this team",
        ));
    }
    caller.audit(&state, "add_member", "team", &id.to_string(), &v.volunteer_no).await;
    let team = visible(&state, &caller, id).await?;
    let members = members_of(&state, &team).await?;
    Ok((StatusCode::CREATED, Json(TeamDetail { team, members })))
}

#[utoipa::path(delete, path = "/api/v1/teams/{id}/members/{volunteer_id}", tag = "teams", security(("bearer" = [])),
    responses((status = 204), (status = 403), (status = 404, description = "no such team or not a member"), (status = 409, description = "the leader cannot leave")))]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, volunteer_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let team = visible(&state, &caller, id).await?;
    caller.ensure(may_manage_members(&caller, &team))?;
    if !store::remove_member(&state.db.pool, id, volunteer_id).await? {
        return Err(ApiError::not_found());
    }
    caller.audit(&state, "remove_member", "team", &id.to_string(), &volunteer_id.to_string()).await;
    Ok(StatusCode::NO_CONTENT)
}
