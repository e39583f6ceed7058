//! "One village one team": which villages have a team, and which not yet.

use super::{error_page, lang_of, pct, pct_width, render, Chrome};
use crate::app::grids::{self as app, VillageCoverage};
use crate::web::auth::PageUser;
use crate::web::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

#[derive(Template)]
#[template(path = "coverage.html")]
pub struct CoveragePage {
    pub c: Chrome,
    pub villages: Vec<VillageCoverage>,
    pub covered: usize,
    pub pct: String,
    pub pct_width: String,
}

pub async fn page(State(state): State<AppState>, PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    match app::coverage(&state, &caller).await {
        Ok(villages) => {
            let covered = villages.iter().filter(|v| v.teams > 0).count();
            let pct_width = pct_width(covered as i64, villages.len() as i64);
            let pct = pct(covered as i64, villages.len() as i64);
            render(&CoveragePage {
                c: Chrome::new(&caller, lang, "coverage", "/coverage"),
                villages,
                covered,
                pct,
                pct_width,
            })
        }
        Err(e) => error_page(lang, e),
    }
}
