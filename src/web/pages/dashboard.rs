//! The first page after signing in: real counts of the caller's area.

use super::{error_page, lang_of, pct, render, Chrome};
use crate::domain::team::TeamKind;
use crate::web::auth::PageUser;
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

pub struct KindCount {
    pub label: String,
    pub teams: usize,
    pub members: i64,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub c: Chrome,
    pub area: String,
    pub active: i64,
    pub applicants: i64,
    pub inactive: i64,
    pub villages: usize,
    pub covered: usize,
    pub coverage_pct: String,
    pub uncovered: Vec<String>,
    pub team_total: usize,
    pub kinds: Vec<KindCount>,
    /// Open needs past their deadline: escalated to the station's staff here.
    pub overdue: i64,
}

pub async fn page(State(state): State<AppState>, PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    if let Some(r) = super::me::home_for(&caller) {
        return r;
    }
    match build(&state, &caller, lang).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

async fn build(
    state: &AppState,
    caller: &crate::web::auth::Caller,
    lang: crate::domain::lang::Lang,
) -> Result<DashboardPage, ApiError> {
    let f = crate::app::dashboard::figures(state, caller).await?;
    let (coverage, all_teams) = (&f.coverage, &f.teams);
    let area = f.area.clone().unwrap_or_else(|| lang.t("全部区域", "All regions").to_string());
    let kinds = TeamKind::ALL
        .into_iter()
        .filter_map(|k| {
            let of_kind: Vec<_> = all_teams.iter().filter(|t| t.kind() == k).collect();
            (!of_kind.is_empty()).then(|| {
                let (zh, en) = k.label();
                KindCount {
                    label: lang.t(zh, en).to_string(),
                    teams: of_kind.len(),
                    members: of_kind.iter().map(|t| t.member_count).sum(),
                }
            })
        })
        .collect();
    let covered = coverage.iter().filter(|v| v.teams > 0).count();
    Ok(DashboardPage {
        c: Chrome::new(caller, lang, "home", "/"),
        area,
        active: f.active,
        applicants: f.applicants,
        inactive: f.inactive,
        villages: coverage.len(),
        covered,
        coverage_pct: pct(covered as i64, coverage.len() as i64),
        uncovered: coverage.iter().filter(|v| v.teams == 0).map(|v| v.name.clone()).collect(),
        team_total: all_teams.len(),
        kinds,
        overdue: f.overdue,
    })
}
