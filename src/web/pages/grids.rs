//! Grid governance (网格化治理): each grid's people and cases, and the
//! incidents its workers filed.

use super::{error_page, lang_of, render, Chrome};
use crate::app::grids::{self as app, GridStats};
use crate::domain::category::category_label;
use crate::domain::clock::minute_text as local_time;
use crate::domain::lang::Lang;
use crate::web::auth::{Caller, PageUser};
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct GridPeriod {
    pub from: Option<String>,
    pub to: Option<String>,
}

pub struct CaseLine {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub incident: bool,
    pub status: String,
    pub grid: String,
    pub filed: String,
}

#[derive(Template)]
#[template(path = "grids.html")]
pub struct GridsPage {
    pub c: Chrome,
    pub from: String,
    pub to: String,
    pub grids: Vec<(GridStats, String)>,
    pub cases: Vec<CaseLine>,
}

async fn grids_page(state: &AppState, caller: &Caller, lang: Lang, q: &GridPeriod) -> Result<GridsPage, ApiError> {
    // this month so far unless asked otherwise
    let o = app::overview(state, caller, q.from.as_deref(), q.to.as_deref()).await?;
    let label = |code: &str| {
        let (zh, en) = category_label(code);
        lang.t(zh, en).to_string()
    };
    let grids = o
        .grids
        .into_iter()
        .map(|g| {
            let cats = g.by_category.iter().map(|(k, n)| format!("{} {n}", label(k))).collect::<Vec<_>>().join("、");
            (g, cats)
        })
        .collect();
    let cases = o
        .cases
        .into_iter()
        .map(|n| CaseLine {
            id: n.id,
            title: n.title,
            incident: n.category == "social_governance",
            category: label(&n.category),
            status: {
                let (zh, en) = n.status.label();
                lang.t(zh, en).to_string()
            },
            grid: n.grid,
            filed: local_time(n.filed_at),
        })
        .collect();
    Ok(GridsPage {
        c: Chrome::new(caller, lang, "grids", "/grids"),
        from: o.from.to_string(),
        to: o.to.to_string(),
        grids,
        cases,
    })
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Query(q): Query<GridPeriod>,
) -> Response {
    let lang = lang_of(&headers);
    match grids_page(&state, &caller, lang, &q).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}
