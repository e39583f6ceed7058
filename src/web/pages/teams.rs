//! Teams and their members.

use super::{csrf_failed, csrf_ok, error_page, form_get, form_pairs, lang_of, render, render_status, Chrome};
use crate::domain::lang::Lang;
use crate::store::teams::{self as store, Team};
use crate::store::volunteers as volunteer_store;
use crate::web::api::teams::{members_of, visible, Member};
use crate::web::auth::{Caller, PageUser};
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};

pub struct TeamLine {
    pub id: i64,
    pub name: String,
    pub kind_label: String,
    pub members: i64,
}

#[derive(Template)]
#[template(path = "teams/list.html")]
pub struct TeamsPage {
    pub c: Chrome,
    pub teams: Vec<TeamLine>,
}

fn kind_label(t: &Team, lang: Lang) -> String {
    let (zh, en) = t.kind().label();
    lang.t(zh, en).to_string()
}

pub async fn list(State(state): State<AppState>, PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    match store::list(&state.db.pool, caller.scope_path(), None).await {
        Ok(teams) => {
            let teams = teams
                .iter()
                .map(|t| TeamLine {
                    id: t.id,
                    name: t.name.clone(),
                    kind_label: kind_label(t, lang),
                    members: t.member_count,
                })
                .collect();
            render(&TeamsPage { c: Chrome::new(&caller, lang, "teams", "/teams"), teams })
        }
        Err(e) => error_page(lang, e.into()),
    }
}

#[derive(Template)]
#[template(path = "teams/show.html")]
pub struct TeamPage {
    pub c: Chrome,
    pub team: Team,
    pub kind_label: String,
    pub members: Vec<Member>,
    pub may_manage: bool,
    pub error: Option<String>,
}

impl TeamPage {
    pub fn is_leader(&self, volunteer_id: &i64) -> bool {
        self.team.leader_id == Some(*volunteer_id)
    }
}

async fn team_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    id: i64,
    error: Option<String>,
) -> Result<TeamPage, ApiError> {
    let team = visible(state, caller, id).await?;
    let members = members_of(state, &team).await?;
    let may_manage =
        caller.role.manages_roster() || (caller.volunteer_id.is_some() && caller.volunteer_id == team.leader_id);
    Ok(TeamPage {
        c: Chrome::new(caller, lang, "teams", &format!("/teams/{id}")),
        kind_label: kind_label(&team, lang),
        team,
        members,
        may_manage,
        error,
    })
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let lang = lang_of(&headers);
    match team_page(&state, &caller, lang, id, None).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

/// Adds a member by volunteer number (what a leader has on paper) or id.
pub async fn add_member(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let lang = lang_of(&headers);
    let pairs = form_pairs(&body);
    if !csrf_ok(&caller, &pairs) {
        return csrf_failed(lang);
    }
    let wanted = form_get(&pairs, "volunteer").unwrap_or("").trim().to_uppercase();
    let result: Result<(), ApiError> = async {
        let team = visible(&state, &caller, id).await?;
        let may =
            caller.role.manages_roster() || (caller.volunteer_id.is_some() && caller.volunteer_id == team.leader_id);
        caller.ensure(may)?;
        let f = volunteer_store::Filter {
            within: team.region_path.clone(),
            text: Some(wanted.clone()),
            limit: 2,
            ..Default::default()
        };
        let found = volunteer_store::list(&state.db.pool, &state.db.vault, &f).await?;
        let v =
            found.into_iter().find(|v| v.volunteer_no == wanted || v.id.to_string() == wanted).ok_or_else(|| {
                ApiError::bad_request(
                    "在本队所属区域找不到该志愿者编号",
                    "No volunteer with that number in the team's region",
                )
            })?;
        if !store::add_member(&state.db.pool, id, v.id).await? {
            return Err(ApiError::conflict(
                crate::domain::error_code::ErrorCode::AlreadyMember,
                "该志愿者已在队中",
                "The volunteer is already on this team",
            ));
        }
        caller.audit(&state, "add_member", "team", &id.to_string(), &v.volunteer_no).await;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("/teams/{id}")).into_response(),
        Err(e) if e.status.is_client_error() && e.status.as_u16() != 403 && e.status.as_u16() != 404 => {
            match team_page(&state, &caller, lang, id, Some(lang.t(&e.zh, &e.en).to_string())).await {
                Ok(p) => render_status(&p, e.status),
                Err(e) => error_page(lang, e),
            }
        }
        Err(e) => error_page(lang, e),
    }
}

pub async fn remove_member(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path((id, volunteer_id)): Path<(i64, i64)>,
    body: Bytes,
) -> Response {
    let lang = lang_of(&headers);
    let pairs = form_pairs(&body);
    if !csrf_ok(&caller, &pairs) {
        return csrf_failed(lang);
    }
    let result: Result<(), ApiError> = async {
        let team = visible(&state, &caller, id).await?;
        let may =
            caller.role.manages_roster() || (caller.volunteer_id.is_some() && caller.volunteer_id == team.leader_id);
        caller.ensure(may)?;
        store::remove_member(&state.db.pool, id, volunteer_id).await?;
        caller.audit(&state, "remove_member", "team", &id.to_string(), &volunteer_id.to_string()).await;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("/teams/{id}")).into_response(),
        Err(e) => error_page(lang, e),
    }
}
