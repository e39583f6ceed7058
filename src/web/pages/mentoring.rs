//! The mentoring page (老兵带新兵): the pairs and their outcomes, a form to pair
//! a mentor with a newly discharged veteran, and one to record how it ended.

use super::{csrf_failed, csrf_ok, error_page, form_get, form_pairs, form_to_map, lang_of, render_status, Chrome};
use crate::app::input::from_form;
use crate::app::mentoring::{self as app, Mentorship, MentorshipInput, MentorshipPatch, Outcome};
use crate::domain::lang::Lang;
use crate::domain::recruitment::recently_discharged;
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
}

#[derive(Template)]
#[template(path = "mentoring/list.html")]
pub struct MentoringPage {
    pub c: Chrome,
    pub pairs: Vec<PairLine>,
    pub mentors: Vec<Person>,
    /// Veterans discharged within the last three years and not yet paired: offered first.
    pub new_veterans: Vec<Person>,
    pub other_mentees: Vec<Person>,
    pub can_write: bool,
    pub message: Option<String>,
    pub ok: bool,
    pub today: String,
}

async fn page_for(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    message: Option<String>,
    ok: bool,
) -> Result<MentoringPage, ApiError> {
    let today = crate::domain::clock::today();
    let can_write = app::may_write(state, caller).await?;
    let pairs = app::list(state, caller, None).await?;
    let (mut mentors, mut new_veterans, mut other_mentees) = (vec![], vec![], vec![]);
    if can_write {
        for p in app::candidates(state, caller).await? {
            let discharged =
                p.discharged_on.map(|d| format!(" · {}{d}", lang.t("退役 ", "discharged "))).unwrap_or_default();
            let label = format!("{} · {}{discharged}", p.name, p.region_name);
            mentors.push(Person { id: p.id, label: label.clone() });
            if p.open_as_mentee {
                continue;
            }
            if recently_discharged(p.discharged_on, today) {
                new_veterans.push(Person { id: p.id, label });
            } else {
                other_mentees.push(Person { id: p.id, label });
            }
        }
    }
    Ok(MentoringPage {
        c: Chrome::new(caller, lang, "mentoring", "/mentoring"),
        pairs: pairs.iter().map(|m| pair_line(m, lang)).collect(),
        mentors,
        new_veterans,
        other_mentees,
        can_write,
        message,
        ok,
        today: today.to_string(),
    })
}

#[derive(Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Query(q): Query<DoneQuery>,
) -> Response {
    let lang = lang_of(&headers);
    let message = q.done.map(|_| lang.t("已保存", "Saved").to_string());
    let ok = message.is_some();
    match page_for(&state, &caller, lang, message, ok).await {
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
            match page_for(&state, &caller, lang, Some(text), false).await {
                Ok(p) => render_status(&p, e.status),
                Err(e) => error_page(lang, e),
            }
        }
        Err(e) => error_page(lang, e),
    }
}
