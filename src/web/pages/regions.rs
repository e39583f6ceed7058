//! The region tree, and adding villages and grids to it.

use super::{csrf_failed, csrf_ok, error_page, form_pairs, form_to_map, lang_of, render, render_status, Chrome};
use crate::app::regions::{self as app, ChildRegionInput};
use crate::domain::lang::Lang;
use crate::domain::region::RegionKind;
use crate::domain::validation::Problems;
use crate::web::auth::{Caller, PageUser};
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

pub struct RegionLine {
    pub id: i64,
    pub name: String,
    pub kind_label: String,
    pub depth: usize,
    pub coords: String,
    pub may_have_children: bool,
}

#[derive(Template)]
#[template(path = "regions/list.html")]
pub struct RegionsPage {
    pub c: Chrome,
    pub lines: Vec<RegionLine>,
    pub problems: Problems,
    pub form_name: String,
    pub form_parent: i64,
}

impl RegionsPage {
    pub fn err(&self, field: &str) -> String {
        self.problems.get(field).map(|p| self.c.t(&p.zh, &p.en).to_string()).unwrap_or_default()
    }
}

async fn build(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    problems: Problems,
    name: String,
    parent: i64,
) -> Result<RegionsPage, ApiError> {
    let rows = app::in_scope(state, caller, None).await?;
    let base_depth = rows.first().map(|r| r.path.matches('/').count()).unwrap_or(0);
    let lines = rows
        .into_iter()
        .map(|r| {
            let (zh, en) = r.kind().label();
            RegionLine {
                id: r.id,
                depth: r.path.matches('/').count().saturating_sub(base_depth),
                kind_label: lang.t(zh, en).to_string(),
                coords: match (r.lat, r.lon) {
                    (Some(a), Some(b)) => format!("{a:.4}, {b:.4}"),
                    _ => String::new(),
                },
                may_have_children: r.kind() != RegionKind::Grid,
                name: r.name,
            }
        })
        .collect();
    Ok(RegionsPage {
        c: Chrome::new(caller, lang, "regions", "/regions"),
        lines,
        problems,
        form_name: name,
        form_parent: parent,
    })
}

pub async fn page(State(state): State<AppState>, PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    match build(&state, &caller, lang, Problems::new(), String::new(), 0).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

/// Adds a child region: its kind follows from the parent (town → village → grid).
pub async fn create(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = lang_of(&headers);
    let pairs = form_pairs(&body);
    if !csrf_ok(&caller, &pairs) {
        return csrf_failed(lang);
    }
    if !caller.role.manages_roster() {
        return error_page(lang, ApiError::forbidden());
    }
    let map = form_to_map(&pairs, &[], &[]);
    let name = map.get("name").and_then(|v| v.as_str()).map(crate::domain::text::tidy).unwrap_or_default();
    let parent_id = map.get("parent_id").and_then(|v| v.as_str()).and_then(|s| s.trim().parse().ok()).unwrap_or(0);
    let result = match crate::app::input::from_form::<ChildRegionInput>(map) {
        Ok(input) => app::add_child(&state, &caller, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to("/regions").into_response(),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            match build(&state, &caller, lang, Problems(e.fields), name, parent_id).await {
                Ok(page) => render_status(&page, StatusCode::UNPROCESSABLE_ENTITY),
                Err(e) => error_page(lang, e),
            }
        }
        Err(e) => error_page(lang, e),
    }
}
