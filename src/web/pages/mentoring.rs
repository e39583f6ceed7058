//! The mentoring page (老兵带新兵): the pairs and their outcomes, a form to pair
//! a mentor with a newly discharged veteran, and one to record how it ended.

use super::{csrf_failed, csrf_ok, error_page, form_get, form_pairs, form_to_map, lang_of, render_status, Chrome};
use crate::app::input::from_form;
use crate::app::mentoring::{self as app, Mentorship, MentorshipInput, MentorshipPatch, Outcome};
use crate::domain::lang::Lang;
use crate::web::auth::{Caller, PageUser};
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub struct PairLine {
    pub id: i64,
    pub mentor: String,
    pub mentee: String,
    pub goal: String,
    pub started_on: String,
    pub outcome: String,
    pub outcome_on: String,
    pub open: bool,
}

pub fn pair_line(m: &Mentorship, lang: Lang) -> PairLine {
    let (gz, ge) = m.goal.label();
    let (oz, oe) = m.outcome.label();
    PairLine {
        id: m.id,
        mentor: m.mentor_name.clone(),
        mentee: m.mentee_name.clone(),
        goal: lang.t(gz, ge).to_string(),
        started_on: m.started_on.to_string(),
        outcome: lang.t(oz, oe).to_string(),
        outcome_on: m.outcome_on.map(|d| d.to_string()).unwrap_or_default(),
        open: m.outcome == Outcome::None,
    }
}

pub struct Person {
    pub id: i64,
    pub label: String,
    pub chosen: bool,
}

/// The pairs' search and filter and the pairing form's two searches, kept in
/// the address so a page can be shared and the form survives a search.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct PageQuery {
    /// Words of the mentor's or mentee's name.
    #[serde(default)]
    pub q: String,
    /// `open`, `done` or blank (all).
    #[serde(default)]
    pub outcome: String,
    pub page: Option<i64>,
    /// The pairing form's search for a mentee, and for a mentor.
    #[serde(default)]
    pub mentee: String,
    #[serde(default)]
    pub mentor: String,
    pub mentee_id: Option<i64>,
    pub mentor_id: Option<i64>,
    pub done: Option<String>,
}

impl PageQuery {
    /// This search on another page.
    pub fn href(&self, page: i64) -> String {
        let enc = crate::web::url::urlencode;
        format!("/mentoring?q={}&outcome={}&page={page}", enc(&self.q), enc(&self.outcome))
    }

    /// This search, every page of it, as a workbook.
    pub fn export_href(&self) -> String {
        let enc = crate::web::url::urlencode;
        format!("/api/v1/exports/mentorships?q={}&outcome={}", enc(&self.q), enc(&self.outcome))
    }
}

/// `?done=1` after a saved form (the leads and applications pages use it too).
#[derive(Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

/// Pairs a phone can scroll through; people a search offers.
const PER_PAGE: usize = 20;
const FOUND: i64 = 20;

#[derive(Template)]
#[template(path = "mentoring/list.html")]
pub struct MentoringPage {
    pub c: Chrome,
    pub pairs: Vec<PairLine>,
    pub total: usize,
    pub page: i64,
    pub more: bool,
    pub filter: PageQuery,
    /// Mentors found by the form's search (none until searched).
    pub mentors: Vec<Person>,
    /// Mentees without an open pair: newly discharged first, or those the search found.
    pub mentees: Vec<Person>,
    pub can_write: bool,
    pub message: Option<String>,
    pub ok: bool,
    pub today: String,
}

fn person(p: &crate::app::mentoring::Candidate, lang: Lang, chosen: Option<i64>) -> Person {
    let discharged = p.discharged_on.map(|d| format!(" · {}{d}", lang.t("退役 ", "discharged "))).unwrap_or_default();
    Person {
        id: p.id,
        label: format!("{} · {} · {}{discharged}", p.name, p.volunteer_no, p.region_name),
        chosen: chosen == Some(p.id),
    }
}

async fn page_for(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    filter: PageQuery,
    message: Option<String>,
    ok: bool,
) -> Result<MentoringPage, ApiError> {
    let today = crate::domain::clock::today();
    let can_write = app::may_write(state, caller).await?;
    let matching = app::search(state, caller, &filter.q, &filter.outcome).await?;
    let page = filter.page.unwrap_or(1).max(1);
    let skip = usize::try_from(page - 1).unwrap_or(0).saturating_mul(PER_PAGE);
    let pairs = matching.iter().skip(skip).take(PER_PAGE).map(|m| pair_line(m, lang)).collect();
    let more = matching.len() > skip + PER_PAGE;
    let (mut mentors, mut mentees) = (vec![], vec![]);
    if can_write {
        // without a search: the newly discharged who have no pair yet, a few
        let mentee_limit = if filter.mentee.trim().is_empty() { 8 } else { FOUND };
        mentees = app::candidates(state, caller, &filter.mentee, true, mentee_limit)
            .await?
            .iter()
            .map(|p| person(p, lang, filter.mentee_id))
            .collect();
        if !filter.mentor.trim().is_empty() {
            mentors = app::candidates(state, caller, &filter.mentor, false, FOUND)
                .await?
                .iter()
                .map(|p| person(p, lang, filter.mentor_id))
                .collect();
        }
        // whoever was chosen before a refused pair stays on offer, chosen
        for (chosen, list) in [(filter.mentee_id, &mut mentees), (filter.mentor_id, &mut mentors)] {
            if let Some(id) = chosen.filter(|id| !list.iter().any(|p| p.id == *id)) {
                if let Some(p) = app::candidate(state, caller, id).await? {
                    list.insert(0, person(&p, lang, chosen));
                }
            }
        }
    }
    Ok(MentoringPage {
        c: Chrome::new(caller, lang, "mentoring", "/mentoring"),
        total: matching.len(),
        pairs,
        page,
        more,
        filter,
        mentors,
        mentees,
        can_write,
        message,
        ok,
        today: today.to_string(),
    })
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    let lang = lang_of(&headers);
    let message = q.done.as_ref().map(|_| lang.t("已保存", "Saved").to_string());
    let ok = message.is_some();
    match page_for(&state, &caller, lang, q, message, ok).await {
        Ok(p) => render_status(&p, StatusCode::OK),
        Err(e) => error_page(lang, e),
    }
}

/// Pairs two veterans (`action=pair`) or records an outcome (`action=outcome`, with `id`).
pub async fn act(
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
    let result: Result<(), ApiError> = async {
        let form = form_to_map(&pairs, &[], &[]);
        match form_get(&pairs, "action") {
            Some("pair") => app::create(&state, &caller, from_form::<MentorshipInput>(form)?).await.map(|_| ()),
            Some("outcome") => {
                let id = form_get(&pairs, "id").and_then(|v| v.parse::<i64>().ok()).ok_or_else(ApiError::not_found)?;
                let sent = from_form::<MentorshipPatch>(form)?;
                // the form always sends both: a blank one is blank, not "unchanged"
                let patch = MentorshipPatch {
                    outcome: Some(sent.outcome.flatten()),
                    outcome_on: Some(sent.outcome_on.flatten()),
                    ..MentorshipPatch::default()
                };
                app::update(&state, &caller, id, patch).await.map(|_| ())
            }
            _ => Err(ApiError::bad_request("未知操作", "Unknown action")),
        }
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/mentoring?done=1").into_response(),
        Err(e) if matches!(e.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT) => {
            let text =
                if e.fields.is_empty() { lang.t(&e.zh, &e.en).to_string() } else { super::problems_text(lang, &e) };
            // the people chosen stay chosen, so a refused pair can be mended
            let again = PageQuery {
                mentee_id: form_get(&pairs, "mentee_id").and_then(|v| v.parse().ok()),
                mentor_id: form_get(&pairs, "mentor_id").and_then(|v| v.parse().ok()),
                ..PageQuery::default()
            };
            match page_for(&state, &caller, lang, again, Some(text), false).await {
                Ok(p) => render_status(&p, e.status),
                Err(e) => error_page(lang, e),
            }
        }
        Err(e) => error_page(lang, e),
    }
}
