//! Teams and their members.

use super::{csrf_failed, csrf_ok, error_page, form_get, form_pairs, lang_of, render, render_status, Chrome};
use crate::app::teams::{self as app, Member, Team};
use crate::domain::lang::Lang;
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
    match app::in_scope(&state, &caller, None).await {
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
        Err(e) => error_page(lang, e),
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
    /// Members' names lead to their profiles only for those who may open them.
    pub link_members: bool,
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
    let app::TeamDetail { team, members } = app::detail(state, caller, id).await?;
    let may_manage = app::may_manage_members(caller, &team) && caller.covers(&team.region_path);
    let link_members = caller.role.reads_roster() && caller.covers(&team.region_path);
    Ok(TeamPage {
        c: Chrome::new(caller, lang, "teams", &format!("/teams/{id}")),
        kind_label: kind_label(&team, lang),
        team,
        link_members,
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
    let wanted = form_get(&pairs, "volunteer").unwrap_or("");
    let result = app::add_member_by_number(&state, &caller, id, wanted).await;
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
    // not a member (any more) is no error here: the page shows the team as it is
    let result = app::remove_member(&state, &caller, id, volunteer_id).await.map(|_| ());
    match result {
        Ok(()) => Redirect::to(&format!("/teams/{id}")).into_response(),
        Err(e) => error_page(lang, e),
    }
}
