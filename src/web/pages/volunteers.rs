//! The roster pages: search, profile, add and edit with errors beside each field.

use super::{csrf_failed, csrf_ok, error_page, form_pairs, form_to_map, lang_of, render, render_status, Chrome};
use crate::app::regions as region_app;
use crate::app::volunteers::{
    self as app, Award, Training, VolunteerInput, VolunteerPatch, VolunteerQuery, VolunteerRow, VolunteerView,
};
use crate::domain::lang::Lang;
use crate::domain::region::RegionKind;
use crate::domain::validation::Problems;
use crate::domain::volunteer::{
    skill_label, veteran_category_label, Gender, VolunteerStatus, SKILLS, VETERAN_CATEGORIES,
};
use crate::web::auth::{Caller, PageUser};
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

const PAGE_SIZE: i64 = 20;

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Card {
    pub id: i64,
    pub no: String,
    pub name: String,
    pub gender: String,
    pub region: String,
    pub phone: String,
    pub skills: String,
    pub status: String,
    pub active: bool,
    pub honors: Vec<String>,
}

#[derive(Template)]
#[template(path = "volunteers/list.html")]
pub struct ListPage {
    pub c: Chrome,
    pub q: String,
    pub skill_opts: Vec<Opt>,
    pub status_opts: Vec<Opt>,
    pub region_opts: Vec<Opt>,
    /// The page's cards, written (`Cards`).
    pub cards: Arc<str>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub prev_link: Option<String>,
    pub next_link: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub skill: Option<String>,
    pub status: Option<String>,
    pub region_id: Option<String>,
    pub page: Option<String>,
}

fn gender_label(g: Gender, lang: Lang) -> String {
    let (zh, en) = g.label();
    lang.t(zh, en).to_string()
}

fn status_label(s: VolunteerStatus, lang: Lang) -> String {
    let (zh, en) = s.label();
    lang.t(zh, en).to_string()
}

fn skills_text(skills: &[String], lang: Lang) -> String {
    skills
        .iter()
        .map(|s| {
            let (zh, en) = skill_label(s);
            lang.t(zh, en).to_string()
        })
        .collect::<Vec<_>>()
        .join(lang.t("、", ", "))
}

async fn village_opts(
    state: &AppState,
    caller: &Caller,
    selected: Option<i64>,
    lang: Lang,
) -> Result<Vec<Opt>, ApiError> {
    let regions = region_app::in_scope(state, caller, None).await?;
    Ok(regions
        .into_iter()
        .filter(|r| matches!(r.kind(), RegionKind::Village | RegionKind::Grid | RegionKind::Town))
        .map(|r| {
            let (zh, en) = r.kind().label();
            Opt {
                selected: Some(r.id) == selected,
                label: format!("{}（{}）", r.name, lang.t(zh, en)),
                value: r.id.to_string(),
            }
        })
        .collect())
}

/// The grids of the caller's scope, each named with its village ("第一村 · 一网格"):
/// the form cannot know which village will be picked, and the server checks
/// that the grid lies under it.
async fn grid_opts(state: &AppState, caller: &Caller, selected: Option<i64>) -> Result<Vec<Opt>, ApiError> {
    let regions = region_app::in_scope(state, caller, None).await?;
    let name_of: HashMap<i64, &str> = regions.iter().map(|r| (r.id, r.name.as_str())).collect();
    Ok(regions
        .iter()
        .filter(|r| matches!(r.kind(), RegionKind::Grid))
        .map(|r| {
            let village = r.parent_id.and_then(|p| name_of.get(&p).copied()).unwrap_or("");
            Opt { selected: Some(r.id) == selected, label: format!("{village} · {}", r.name), value: r.id.to_string() }
        })
        .collect())
}

fn link(base: &ListQuery, page: i64) -> String {
    let mut parts = vec![];
    for (k, v) in [("q", &base.q), ("skill", &base.skill), ("status", &base.status), ("region_id", &base.region_id)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", crate::web::auth::urlencode(v)));
        }
    }
    parts.push(format!("page={page}"));
    format!("/volunteers?{}", parts.join("&"))
}

/// The roster page's cards, written on their own so that they can be kept.
#[derive(Template)]
#[template(path = "volunteers/cards.html")]
pub struct Cards {
    pub lang: Lang,
    pub cards: Vec<Card>,
}

impl Cards {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
}

fn cards_html(rows: Vec<VolunteerRow>, lang: Lang) -> Arc<str> {
    let cards = rows
        .into_iter()
        .map(|v| Card {
            skills: skills_text(&v.skill_list(), lang),
            honors: v.honor_list(),
            gender: gender_label(v.gender, lang),
            status: status_label(v.status, lang),
            active: v.status == VolunteerStatus::Active,
            id: v.id,
            no: v.volunteer_no,
            name: v.name,
            region: v.region_name,
            // lists always mask; the full number is one click away and audited
            phone: v.phone_masked,
        })
        .collect();
    Cards { lang, cards }.render().unwrap_or_default().into()
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Query(lq): Query<ListQuery>,
) -> Response {
    let lang = lang_of(&headers);
    let result: Result<ListPage, ApiError> = async {
        let page = lq.page.as_deref().and_then(|p| p.parse::<i64>().ok()).unwrap_or(1).max(1);
        let q = VolunteerQuery {
            region_id: lq.region_id.clone(),
            skill: lq.skill.clone(),
            status: lq.status.clone(),
            q: lq.q.clone(),
            limit: Some(PAGE_SIZE.to_string()),
            offset: Some(((page - 1) * PAGE_SIZE).to_string()),
            ..Default::default()
        };
        // the cards are the same for everyone who may see this page in this
        // language (lists always mask), so they are written once and kept
        let made = format!("cards:{}", lang.code());
        let selected_region = lq.region_id.as_deref().and_then(|r| r.parse().ok());
        // asked together, the two wait on one look at the database's version
        let (found, region_opts) = crate::app::read_together(async {
            tokio::join!(
                app::search(&state, &caller, &q, &made, |rows| cards_html(rows, lang)),
                village_opts(&state, &caller, selected_region, lang)
            )
        })
        .await;
        let (cards, total) = found?;
        let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        let skill_opts = SKILLS
            .iter()
            .map(|(code, zh, en)| Opt {
                value: code.to_string(),
                label: lang.t(zh, en).to_string(),
                selected: lq.skill.as_deref() == Some(code),
            })
            .collect();
        let status_opts = VolunteerStatus::ALL
            .iter()
            .map(|s| {
                let (zh, en) = s.label();
                Opt {
                    value: s.as_str().into(),
                    label: lang.t(zh, en).into(),
                    selected: lq.status.as_deref() == Some(s.as_str()),
                }
            })
            .collect();
        Ok(ListPage {
            c: Chrome::new(&caller, lang, "volunteers", "/volunteers"),
            q: lq.q.clone().unwrap_or_default(),
            skill_opts,
            status_opts,
            region_opts: region_opts?,
            cards,
            total,
            page,
            pages,
            prev_link: (page > 1).then(|| link(&lq, page - 1)),
            next_link: (page < pages).then(|| link(&lq, page + 1)),
        })
    }
    .await;
    match result {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

#[derive(Template)]
#[template(path = "volunteers/show.html")]
pub struct ShowPage {
    pub c: Chrome,
    pub v: VolunteerView,
    pub gender: String,
    pub status: String,
    pub category: String,
    pub skills: String,
    pub may_edit: bool,
    pub revealed: bool,
    pub trainings: Vec<Training>,
    pub awards: Vec<Award>,
    /// The volunteer's teams whose pages the caller may open (the others are named, not linked).
    pub openable_teams: Vec<i64>,
}

impl ShowPage {
    pub fn opens(&self, team_id: &i64) -> bool {
        self.openable_teams.contains(team_id)
    }
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let lang = lang_of(&headers);
    let result: Result<ShowPage, ApiError> = async {
        let app::Profile { view: v, revealed, may_edit, trainings, awards } =
            app::profile_page(&state, &caller, id).await?;
        let mut openable_teams = Vec::new();
        for t in v.teams.iter().flatten() {
            if crate::app::teams::visible(&state, &caller, t.id).await.is_ok() {
                openable_teams.push(t.id);
            }
        }
        Ok(ShowPage {
            openable_teams,
            trainings,
            awards,
            c: Chrome::new(&caller, lang, "volunteers", &format!("/volunteers/{id}")),
            gender: gender_label(v.gender, lang),
            status: status_label(v.status, lang),
            category: v
                .veteran_category
                .as_deref()
                .map(|c| {
                    let (zh, en) = veteran_category_label(c);
                    lang.t(zh, en).to_string()
                })
                .unwrap_or_default(),
            skills: skills_text(&v.skills, lang),
            v,
            may_edit,
            revealed,
        })
    }
    .await;
    match result {
        Ok(p) => {
            let mut res = render(&p);
            res.headers_mut()
                .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => error_page(lang, e),
    }
}

#[derive(Template)]
#[template(path = "volunteers/form.html")]
pub struct FormPage {
    pub c: Chrome,
    pub action: String,
    pub heading: String,
    pub values: HashMap<String, String>,
    pub problems: Problems,
    pub region_opts: Vec<Opt>,
    pub grid_opts: Vec<Opt>,
    pub skill_opts: Vec<Opt>,
    pub category_opts: Vec<Opt>,
    pub status_opts: Vec<Opt>,
    pub branch_opts: Vec<Opt>,
    pub party_member: bool,
}

impl FormPage {
    pub fn v(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }
    pub fn err(&self, key: &str) -> String {
        self.problems.get(key).map(|p| self.c.t(&p.zh, &p.en).to_string()).unwrap_or_default()
    }
    pub fn bad(&self, key: &str) -> &'static str {
        if self.problems.get(key).is_some() {
            "bad"
        } else {
            ""
        }
    }
}

const BRANCHES: [(&str, &str); 7] = [
    ("陆军", "Army"),
    ("海军", "Navy"),
    ("空军", "Air Force"),
    ("火箭军", "Rocket Force"),
    ("战略支援部队", "Strategic Support Force"),
    ("武警部队", "Armed Police"),
    ("其他", "Other"),
];

/// The form's values as text, from a stored profile or from what was posted.
fn values_from(map: &Map<String, Value>) -> HashMap<String, String> {
    map.iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("、"),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    action: String,
    heading: String,
    map: &Map<String, Value>,
    problems: Problems,
) -> Result<FormPage, ApiError> {
    let values = values_from(map);
    let selected_region =
        map.get("region_id").and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())));
    let selected_grid = map.get("grid_id").and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())));
    let chosen: Vec<String> = match map.get("skills") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => vec![],
    };
    let pick = |key: &str| values.get(key).cloned().unwrap_or_default();
    Ok(FormPage {
        c: Chrome::new(caller, lang, "volunteers", &action),
        region_opts: village_opts(state, caller, selected_region, lang).await?,
        grid_opts: grid_opts(state, caller, selected_grid).await?,
        skill_opts: SKILLS
            .iter()
            .map(|(code, zh, en)| Opt {
                value: code.to_string(),
                label: lang.t(zh, en).into(),
                selected: chosen.iter().any(|c| c == code || c == zh),
            })
            .collect(),
        category_opts: VETERAN_CATEGORIES
            .iter()
            .map(|(code, zh, en)| Opt {
                value: code.to_string(),
                label: lang.t(zh, en).into(),
                selected: pick("veteran_category") == *code,
            })
            .collect(),
        status_opts: VolunteerStatus::ALL
            .iter()
            .map(|s| {
                let (zh, en) = s.label();
                Opt {
                    value: s.as_str().into(),
                    label: lang.t(zh, en).into(),
                    selected: pick("status") == s.as_str()
                        || (pick("status").is_empty() && *s == VolunteerStatus::Active),
                }
            })
            .collect(),
        branch_opts: BRANCHES
            .iter()
            .map(|(zh, en)| Opt {
                value: zh.to_string(),
                label: lang.t(zh, en).into(),
                selected: pick("branch") == *zh,
            })
            .collect(),
        party_member: map.get("party_member") == Some(&Value::Bool(true)),
        action,
        heading,
        values,
        problems,
    })
}

pub async fn new_form(State(state): State<AppState>, PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    if !caller.role.manages_roster() {
        return error_page(lang, ApiError::forbidden());
    }
    match form_page(
        &state,
        &caller,
        lang,
        "/volunteers/new".into(),
        lang.t("登记志愿者", "Add a volunteer").into(),
        &Map::new(),
        Problems::new(),
    )
    .await
    {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

async fn refill(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    action: String,
    heading: String,
    map: &Map<String, Value>,
    e: ApiError,
) -> Response {
    if e.status != StatusCode::UNPROCESSABLE_ENTITY {
        return error_page(lang, e);
    }
    match form_page(state, caller, lang, action, heading, map, Problems(e.fields)).await {
        Ok(p) => render_status(&p, StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => error_page(lang, e),
    }
}

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
    let map = form_to_map(&pairs, &["skills"], &["party_member"]);
    let heading = lang.t("登记志愿者", "Add a volunteer").to_string();
    let created = match crate::app::input::from_form::<VolunteerInput>(map.clone()) {
        Ok(input) => app::add(&state, &caller, input).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(id) => Redirect::to(&format!("/volunteers/{id}")).into_response(),
        Err(e) => refill(&state, &caller, lang, "/volunteers/new".into(), heading, &map, e).await,
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let lang = lang_of(&headers);
    let result: Result<FormPage, ApiError> = async {
        // the edit form holds the full ID number and phone: an unmasked, audited view
        let (row, input) = app::edit_values(&state, &caller, id).await?;
        let map = app::input_values(&input);
        form_page(
            &state,
            &caller,
            lang,
            format!("/volunteers/{id}/edit"),
            format!("{} · {}", lang.t("修改资料", "Edit profile"), row.name),
            &map,
            Problems::new(),
        )
        .await
    }
    .await;
    match result {
        Ok(p) => {
            // the form holds the full ID number and phone: never keep it in a cache
            let mut res = render(&p);
            res.headers_mut()
                .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => error_page(lang, e),
    }
}

pub async fn update(
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
    let row = match app::visible(&state, &caller, id).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, e),
    };
    if !caller.role.manages_roster() {
        return error_page(lang, ApiError::forbidden());
    }
    let map = form_to_map(&pairs, &["skills"], &["party_member"]);
    let action = format!("/volunteers/{id}/edit");
    let heading = format!("{} · {}", lang.t("修改资料", "Edit profile"), row.name);
    // the form holds the whole profile: every field is set, a blank one cleared
    let updated = match crate::app::input::from_form::<VolunteerInput>(map.clone()) {
        Ok(input) => app::change(&state, &caller, id, VolunteerPatch::whole(input)).await,
        Err(e) => Err(e),
    };
    match updated {
        Ok(_) => Redirect::to(&format!("/volunteers/{id}")).into_response(),
        Err(e) => refill(&state, &caller, lang, action, heading, &map, e).await,
    }
}

#[derive(Template)]
#[template(path = "volunteers/erase.html")]
pub struct ErasePage {
    pub c: Chrome,
    pub id: i64,
    pub name: String,
    pub typed: String,
    pub error: Option<String>,
    /// Each kind of open work, naming the things, when that is why it was refused.
    pub blockers: Vec<String>,
    pub bad_name: bool,
    pub name_error: Option<String>,
}

/// `/volunteers/{id}/erase`: what erasing removes and keeps, and the name to type back.
pub async fn erase_form(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let lang = lang_of(&headers);
    match crate::app::privacy::erasable(&state, &caller, id).await {
        Ok(v) => render(&ErasePage {
            c: Chrome::new(&caller, lang, "volunteers", &format!("/volunteers/{id}/erase")),
            id,
            name: v.name,
            typed: String::new(),
            error: None,
            blockers: vec![],
            bad_name: false,
            name_error: None,
        }),
        Err(e) => error_page(lang, e),
    }
}

pub async fn erase(
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
    let v = match crate::app::privacy::erasable(&state, &caller, id).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, e),
    };
    let typed = super::form_get(&pairs, "confirm_name").unwrap_or("").to_string();
    let input = crate::app::privacy::EraseInput { confirm_name: Some(typed.clone()) };
    match crate::app::privacy::erase_volunteer(&state, &caller, id, &input).await {
        Ok(()) => Redirect::to(&format!("/volunteers/{id}")).into_response(),
        Err(e) => {
            let name_error =
                e.fields.iter().find(|p| p.field == "confirm_name").map(|p| lang.t(&p.zh, &p.en).to_string());
            let open_work = e.code == crate::domain::error_code::ErrorCode::HasOpenWork;
            let page = ErasePage {
                c: Chrome::new(&caller, lang, "volunteers", &format!("/volunteers/{id}/erase")),
                id,
                name: v.name,
                typed,
                error: Some(if open_work {
                    lang.t(
                        "此人还有未完成的工作，暂不能注销。请先处理：",
                        "This person still has open work; finish it first:",
                    )
                    .to_string()
                } else {
                    e.message(lang).to_string()
                }),
                blockers: if open_work {
                    e.fields.iter().map(|p| lang.t(&p.zh, &p.en).to_string()).collect()
                } else {
                    vec![]
                },
                bad_name: name_error.is_some(),
                name_error,
            };
            render_status(&page, e.status)
        }
    }
}
