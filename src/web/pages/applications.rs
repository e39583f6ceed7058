//! Recruitment pages: the reviewers' list (`/applications`: pending first by
//! priority, with the reasons, the checklist, approve onto a team or reject),
//! and the public form (`/join`) through which a veteran applies without an account.

use super::{
    csrf_failed, csrf_ok, error_page, form_get, form_pairs, form_to_map, lang_of, render, render_status, Chrome,
};
use crate::app::input::from_form;
use crate::app::recruitment::{
    self as app, ApplicationSource, ApplicationStatus, ApplicationView, ApproveInput, JoinRefused, RejectInput, Team,
};
use crate::domain::lang::Lang;
use crate::domain::recruitment::CRITERIA;
use crate::domain::region::RegionKind;
use crate::domain::volunteer::{skill_label, SKILLS};
use crate::web::auth::{Caller, PageUser};
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use std::net::SocketAddr;

/// One criterion of the checklist as a form shows it: field, label, answer
/// ("true", "false" or "" while unknown).
pub struct Check {
    pub field: &'static str,
    pub label: String,
    pub answer: &'static str,
}

pub struct AppLine {
    pub id: i64,
    pub name: String,
    pub region: String,
    pub id_number: String,
    pub phone: String,
    pub discharged_on: String,
    pub honors: String,
    pub skills: String,
    pub public: bool,
    pub status: String,
    pub pending: bool,
    pub score: i64,
    pub reasons: Vec<String>,
    pub checks: Vec<Check>,
    pub ready: bool,
    pub reject_reason: String,
    /// Teams to approve onto: the applicant's own village's first, and chosen.
    pub teams: Vec<(i64, String, bool)>,
}

fn line(a: &ApplicationView, lang: Lang) -> AppLine {
    let answers = [a.political_record, a.conduct, a.public_spirit];
    let (sz, se) = a.status.label();
    AppLine {
        id: a.id,
        name: a.name.clone(),
        region: a.region_name.clone(),
        id_number: a.id_number.clone(),
        phone: a.phone.clone(),
        discharged_on: a.discharged_on.map(|d| d.to_string()).unwrap_or_default(),
        honors: a.honors.join("、"),
        skills: a
            .skills
            .iter()
            .map(|s| {
                let (zh, en) = skill_label(s);
                lang.t(zh, en).to_string()
            })
            .collect::<Vec<_>>()
            .join("、"),
        public: a.source == ApplicationSource::Public,
        status: lang.t(sz, se).to_string(),
        pending: a.status == ApplicationStatus::Pending,
        score: a.priority_score,
        reasons: if lang == Lang::Zh { a.reasons.clone() } else { a.reasons_en.clone() },
        checks: CRITERIA
            .iter()
            .zip(answers)
            .map(|((field, zh, en), v)| Check {
                field,
                label: lang.t(zh, en).to_string(),
                answer: match v {
                    Some(true) => "true",
                    Some(false) => "false",
                    None => "",
                },
            })
            .collect(),
        ready: answers.iter().all(|v| *v == Some(true)),
        reject_reason: a.reject_reason.clone().unwrap_or_default(),
        teams: vec![],
    }
}

/// The teams in scope, those of the applicant's own village first, the first of them chosen.
fn team_options(teams: &[Team], region_id: i64) -> Vec<(i64, String, bool)> {
    let mut own: Vec<(i64, String, bool)> =
        teams.iter().filter(|t| t.region_id == region_id).map(|t| (t.id, t.name.clone(), false)).collect();
    own.extend(teams.iter().filter(|t| t.region_id != region_id).map(|t| (t.id, t.name.clone(), false)));
    if let Some(first) = own.first_mut() {
        first.2 = true;
    }
    own
}

#[derive(Template)]
#[template(path = "applications/list.html")]
pub struct ApplicationsPage {
    pub c: Chrome,
    pub pending: Vec<AppLine>,
    pub decided: Vec<AppLine>,
    pub can_write: bool,
    pub message: Option<String>,
    pub ok: bool,
}

async fn page_for(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    message: Option<String>,
    ok: bool,
) -> Result<ApplicationsPage, ApiError> {
    // the page shows masked numbers only, so it needs no audit entry; the full
    // ones are on the API for those allowed
    let (rows, teams) = app::review_board(state, caller).await?;
    let (mut pending, mut decided) = (vec![], vec![]);
    for r in rows {
        let region_id = r.region_id;
        let mut l = line(&r, lang);
        if l.pending {
            l.teams = team_options(&teams, region_id);
            pending.push(l);
        } else if decided.len() < 30 {
            decided.push(l);
        }
    }
    Ok(ApplicationsPage {
        c: Chrome::new(caller, lang, "applications", "/applications"),
        pending,
        decided,
        can_write: caller.role.manages_roster(),
        message,
        ok,
    })
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Query(q): Query<super::mentoring::DoneQuery>,
) -> Response {
    let lang = lang_of(&headers);
    let message = q.done.map(|_| lang.t("已保存", "Saved").to_string());
    let ok = message.is_some();
    match page_for(&state, &caller, lang, message, ok).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

/// The checklist (`action=check`), approval onto a team (`action=approve`) or
/// rejection with a reason (`action=reject`), each for the application `id`.
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
        let id = form_get(&pairs, "id").and_then(|v| v.parse::<i64>().ok()).ok_or_else(ApiError::not_found)?;
        match form_get(&pairs, "action") {
            Some("check") => {
                let answer = |field: &str| match form_get(&pairs, field) {
                    Some("true") => Some(true),
                    Some("false") => Some(false),
                    _ => None,
                };
                let answers = CRITERIA.map(|(field, _, _)| answer(field));
                app::check(&state, &caller, id, answers).await.map(|_| ())
            }
            Some("approve") => {
                let input = from_form::<ApproveInput>(form_to_map(&pairs, &[], &[]))?;
                app::approve(&state, &caller, id, input).await.map(|_| ())
            }
            Some("reject") => {
                let input = from_form::<RejectInput>(form_to_map(&pairs, &[], &[]))?;
                app::reject(&state, &caller, id, input).await.map(|_| ())
            }
            _ => Err(ApiError::bad_request("未知操作", "Unknown action")),
        }
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/applications?done=1").into_response(),
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

// ---- the public form -------------------------------------------------------

const JOIN_COOKIE: &str = "lb_join";

pub struct Village {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

pub struct SkillBox {
    pub code: &'static str,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "public/join.html")]
pub struct JoinPage {
    pub lang: Lang,
    pub csrf: String,
    pub villages: Vec<Village>,
    pub skills: Vec<SkillBox>,
    pub error: Option<String>,
    pub values: Vec<(String, String)>,
}

impl JoinPage {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
    /// What was typed, to show the form again after a mistake.
    pub fn v(&self, key: &str) -> &str {
        form_get(&self.values, key).unwrap_or("")
    }
}

async fn join_page(
    state: &AppState,
    jar: CookieJar,
    lang: Lang,
    error: Option<String>,
    pairs: &[(String, String)],
    status: StatusCode,
) -> Response {
    let (csrf, cookie) = super::visitor_token(&jar, JOIN_COOKIE, "/join");
    let regions = app::join_regions(state).await;
    let chosen = form_get(pairs, "region_id").unwrap_or("");
    let villages = regions
        .iter()
        .filter(|r| r.kind() == RegionKind::Village)
        .map(|v| {
            let town = regions.iter().find(|t| Some(t.id) == v.parent_id).map(|t| t.name.as_str()).unwrap_or("");
            Village { id: v.id, label: format!("{town} {}", v.name), selected: chosen == v.id.to_string() }
        })
        .collect();
    let skills = SKILLS
        .iter()
        .map(|(code, zh, en)| SkillBox {
            code,
            label: lang.t(zh, en).to_string(),
            checked: pairs.iter().any(|(k, v)| k == "skills" && v == code),
        })
        .collect();
    let values = pairs.iter().filter(|(k, _)| k != "csrf" && k != "website").cloned().collect();
    let page = JoinPage { lang, csrf, villages, skills, error, values };
    let res = render_status(&page, status);
    (jar.add(cookie), res).into_response()
}

pub async fn join_form(State(state): State<AppState>, headers: HeaderMap, jar: CookieJar) -> Response {
    join_page(&state, jar, lang_of(&headers), None, &[], StatusCode::OK).await
}

pub async fn join_submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    body: Bytes,
) -> Response {
    let lang = lang_of(&headers);
    let pairs = form_pairs(&body);
    if !super::visitor_token_ok(&jar, JOIN_COOKIE, &pairs) {
        let msg = lang.t("页面已过期，请重新填写", "The page expired; please fill it in again").to_string();
        return join_page(&state, jar, lang, Some(msg), &pairs, StatusCode::FORBIDDEN).await;
    }
    // a field people cannot see: only robots fill it, and they are told it worked
    if !form_get(&pairs, "website").unwrap_or("").is_empty() {
        return Redirect::to("/join/sent").into_response();
    }
    let mut map = super::form_to_map(&pairs, &["skills"], &["party_member"]);
    map.remove("website");
    let problems = |p: crate::domain::validation::Problems| {
        p.0.iter().map(|p| lang.t(&p.zh, &p.en).to_string()).collect::<Vec<_>>().join("；")
    };
    // a form's values are all text, so a wrong type is rare (a coordinate);
    // every one is named at once with the rules' problems
    let (input, wrong_types) = crate::domain::volunteer::VolunteerInput::from_map(&map);
    if !wrong_types.is_empty() {
        return join_page(&state, jar, lang, Some(problems(wrong_types)), &pairs, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    }
    match app::join(&state, input, &addr.ip().to_string()).await {
        Ok(()) => Redirect::to("/join/sent").into_response(),
        Err(JoinRefused::Invalid(p)) => {
            join_page(&state, jar, lang, Some(problems(p)), &pairs, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(JoinRefused::NotAVillage) => {
            let msg = lang.t("请选择所在村(社区)", "Choose your village").to_string();
            join_page(&state, jar, lang, Some(msg), &pairs, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(JoinRefused::TooMany) => {
            let msg = lang
                .t(
                    "提交过于频繁，请稍后再试，或直接到服务站报名",
                    "Too many applications; try again later or apply at the station",
                )
                .to_string();
            join_page(&state, jar, lang, Some(msg), &pairs, StatusCode::TOO_MANY_REQUESTS).await
        }
        Err(JoinRefused::Failed(e)) => error_page(lang, e),
    }
}

#[derive(Template)]
#[template(path = "public/joined.html")]
pub struct JoinedPage {
    pub lang: Lang,
}

impl JoinedPage {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
}

/// What happens next, after an application is sent.
pub async fn join_sent(headers: HeaderMap) -> Response {
    render(&JoinedPage { lang: lang_of(&headers) })
}
