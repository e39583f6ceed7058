//! Needs pages: the board with a map of where help is wanted, a need's page
//! with ranked suggestions to dispatch from, and the volunteer's answers.

use super::{csrf_failed, csrf_ok, error_page, form_get, form_pairs, lang_of, render, render_status, Chrome};
use crate::domain::category::{category_label, is_emergency, CATEGORIES};
use crate::domain::clock::minute_text as local_time;
use crate::domain::lang::Lang;
use crate::domain::matching::Suggestion;
use crate::domain::needs::status_label;
use crate::store::needs::{self as store, Need, Offer};
use crate::web::api::needs as api;
use crate::web::auth::{Caller, PageUser};
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

pub struct NeedLine {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub status: String,
    pub filed: String,
    pub due: String,
    pub overdue: bool,
    pub people: String,
}

fn open(status: &str) -> bool {
    matches!(status, "submitted" | "dispatched" | "accepted")
}

pub fn line(n: &Need, lang: Lang) -> NeedLine {
    let (cz, ce) = category_label(&n.category);
    let (sz, se) = status_label(&n.status);
    NeedLine {
        id: n.id,
        title: n.title.clone(),
        category: lang.t(cz, ce).to_string(),
        status: lang.t(sz, se).to_string(),
        filed: local_time(n.filed_at),
        due: n.due_at.map(local_time).unwrap_or_default(),
        overdue: open(&n.status) && n.due_at.is_some_and(|d| d < Utc::now()),
        people: format!("{}/{}", n.accepted, n.volunteers_needed),
    }
}

/// Needs as dots on a plain SVG, scaled to their own bounding box: enough to
/// see where help is wanted without a map service.
fn map_svg(needs: &[Need]) -> String {
    let pts: Vec<(f64, f64, bool, i64)> =
        needs.iter().filter_map(|n| Some((n.lon?, n.lat?, open(&n.status), n.id))).collect();
    if pts.is_empty() {
        return String::new();
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y, _, _) in &pts {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        y0 = y0.min(*y);
        y1 = y1.max(*y);
    }
    let (w, h) = ((x1 - x0).max(0.01), (y1 - y0).max(0.01));
    let mut svg = String::from(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 200" class="needs-map" role="img" aria-label="map"><rect width="320" height="200" fill="#f1f5ef"/>"##,
    );
    for (x, y, is_open, id) in pts {
        let px = 10.0 + (x - x0) / w * 300.0;
        let py = 190.0 - (y - y0) / h * 180.0;
        let fill = if is_open { "#b71c1c" } else { "#9e9e9e" };
        svg.push_str(&format!(r#"<a href="/needs/{id}"><circle cx="{px:.1}" cy="{py:.1}" r="5" fill="{fill}"/></a>"#));
    }
    svg.push_str("</svg>");
    svg
}

pub struct Opt {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "needs/list.html")]
pub struct ListPage {
    pub c: Chrome,
    pub lines: Vec<NeedLine>,
    pub map: String,
    pub overdue: usize,
    pub categories: Vec<Opt>,
    pub region_id: i64,
    pub may_file: bool,
    pub message: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub status: Option<String>,
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    q: &ListQuery,
    message: Option<String>,
) -> Result<ListPage, ApiError> {
    caller.ensure(caller.role != crate::domain::account::Role::Volunteer)?;
    let needs =
        store::list(&state.db.pool, caller.scope_path(), q.status.as_deref().filter(|s| !s.is_empty()), 200).await?;
    let lines: Vec<NeedLine> = needs.iter().map(|n| line(n, lang)).collect();
    let region_id = crate::store::regions::list(&state.db.pool, Some(caller.scope_path()), None)
        .await?
        .first()
        .map(|r| r.id)
        .unwrap_or(0);
    Ok(ListPage {
        c: Chrome::new(caller, lang, "needs", "/needs"),
        overdue: lines.iter().filter(|l| l.overdue).count(),
        map: map_svg(&needs),
        lines,
        categories: CATEGORIES
            .iter()
            .map(|(c, zh, en)| Opt { value: c.to_string(), label: lang.t(zh, en).to_string() })
            .collect(),
        region_id,
        may_file: true,
        message,
    })
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let lang = lang_of(&headers);
    match list_page(&state, &caller, lang, &q, None).await {
        Ok(p) => render(&p),
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
    let mut map = super::form_to_map(&pairs, &["required_skills"], &[]);
    for k in ["region_id", "volunteers_needed"] {
        if let Some(Value::String(s)) = map.get(k).cloned() {
            if let Ok(n) = s.trim().parse::<i64>() {
                map.insert(k.into(), Value::from(n));
            }
        }
    }
    match api::create(State(state.clone()), caller.clone(), crate::web::api::Body(map)).await {
        Ok((_, n)) => Redirect::to(&format!("/needs/{}", n.0.id)).into_response(),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let detail = super::problems_text(lang, &e);
            match list_page(&state, &caller, lang, &ListQuery::default(), Some(detail)).await {
                Ok(p) => render_status(&p, e.status),
                Err(e) => error_page(lang, e),
            }
        }
        Err(e) => error_page(lang, e),
    }
}

#[derive(Template)]
#[template(path = "needs/show.html")]
pub struct ShowPage {
    pub c: Chrome,
    pub n: Need,
    pub line: NeedLine,
    pub manages: bool,
    pub offers: Vec<Offer>,
    pub suggestions: Vec<(Suggestion, String)>,
    pub emergency: bool,
    pub my_offer: Option<String>,
    pub message: Option<String>,
    pub default_start: String,
    pub default_end: String,
}

async fn show_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    id: i64,
    message: Option<String>,
) -> Result<ShowPage, ApiError> {
    let n = api::visible(state, caller, id).await?;
    let manages = matches!(
        caller.role,
        crate::domain::account::Role::Admin
            | crate::domain::account::Role::TownStaff
            | crate::domain::account::Role::TeamLeader
    ) && caller.covers(&n.region_path);
    let offers = if manages { store::offers(&state.db.pool, id).await? } else { vec![] };
    let mut suggestions = Vec::new();
    if manages
        && crate::domain::needs::allowed(
            &n.status,
            crate::domain::needs::Move::Dispatch,
            n.accepted >= n.volunteers_needed,
        )
    {
        let Ok(axum::Json(list)) = api::suggestions(
            State(state.clone()),
            caller.clone(),
            Path(id),
            Query(api::SuggestQuery { limit: Some("10".into()) }),
        )
        .await
        else {
            return Err(ApiError::internal());
        };
        for s in list {
            let name = crate::store::volunteers::get(&state.db.pool, s.volunteer_id)
                .await?
                .map(|v| v.name)
                .unwrap_or_default();
            suggestions.push((s, name));
        }
    }
    let my_offer = match caller.volunteer_id {
        Some(v) => store::offers(&state.db.pool, id).await?.into_iter().find(|o| o.volunteer_id == v).map(|o| o.status),
        None => None,
    };
    let now = Utc::now();
    Ok(ShowPage {
        c: Chrome::new(caller, lang, "needs", &format!("/needs/{id}")),
        line: line(&n, lang),
        emergency: is_emergency(&n.category),
        manages,
        offers,
        suggestions,
        my_offer,
        message,
        default_start: (now - chrono::Duration::hours(2) + chrono::Duration::hours(8))
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        default_end: (now + chrono::Duration::hours(8)).format("%Y-%m-%dT%H:%M").to_string(),
        n,
    })
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let lang = lang_of(&headers);
    match show_page(&state, &caller, lang, id, None).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

/// `2026-05-01T08:00` from a datetime-local input, read as Beijing time.
fn local_input(s: &str) -> Option<String> {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .ok()
        .map(|t| format!("{}:00+08:00", t.format("%Y-%m-%dT%H:%M")))
}

pub async fn act(
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
    let b = |v: Value| crate::web::api::Body(v.as_object().cloned().unwrap_or_default());
    let st = || State(state.clone());
    let result: Result<String, ApiError> = async {
        match form_get(&pairs, "action") {
            Some("dispatch") => {
                let ids: Vec<i64> =
                    pairs.iter().filter(|(k, _)| k == "volunteer").filter_map(|(_, v)| v.parse().ok()).collect();
                let insurance = form_get(&pairs, "insurance") == Some("on");
                let _done = api::dispatch(
                    st(),
                    caller.clone(),
                    Path(id),
                    b(json!({"volunteer_ids": ids, "insurance": insurance})),
                )
                .await?;
                Ok(lang.t("已派单，等待志愿者回复", "Offers sent; waiting for answers").to_string())
            }
            Some(a @ ("accept" | "decline")) => {
                let v = caller.volunteer_id.ok_or_else(ApiError::forbidden)?;
                if a == "accept" {
                    let _done = api::accept(st(), caller.clone(), Path(id), b(json!({"volunteer_id": v}))).await?;
                    Ok(lang.t("已接单，感谢您！", "Accepted. Thank you!").to_string())
                } else {
                    let _done = api::decline(
                        st(),
                        caller.clone(),
                        Path(id),
                        b(json!({"volunteer_id": v, "reason": form_get(&pairs, "reason")})),
                    )
                    .await?;
                    Ok(lang.t("已回复不能参加", "Declined").to_string())
                }
            }
            Some("complete") => {
                let started = form_get(&pairs, "started_at").and_then(local_input);
                let ended = form_get(&pairs, "ended_at").and_then(local_input);
                let served: Vec<Value> = store::offers(&state.db.pool, id)
                    .await?
                    .iter()
                    .filter(|o| o.status == "accepted")
                    .map(|o| json!({"volunteer_id": o.volunteer_id, "started_at": started, "ended_at": ended}))
                    .collect();
                let beneficiaries = form_get(&pairs, "beneficiaries").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
                let _done = api::complete(
                    st(),
                    caller.clone(),
                    Path(id),
                    b(json!({"service": served, "outcomes": {"beneficiaries": beneficiaries}})),
                )
                .await?;
                Ok(lang.t("已完成，服务时长已记录", "Completed; the service hours are recorded").to_string())
            }
            Some("rate") => {
                let stars = form_get(&pairs, "stars").and_then(|v| v.parse::<i64>().ok());
                let _done = api::rating(
                    st(),
                    caller.clone(),
                    Path(id),
                    b(json!({"stars": stars, "comment": form_get(&pairs, "comment")})),
                )
                .await?;
                Ok(lang.t("评价已记录", "Rating recorded").to_string())
            }
            Some(a @ ("reject" | "cancel")) => {
                let body = b(json!({"reason": form_get(&pairs, "reason")}));
                if a == "reject" {
                    let _done = api::reject(st(), caller.clone(), Path(id), body).await?;
                } else {
                    let _done = api::cancel(st(), caller.clone(), Path(id), body).await?;
                }
                Ok(lang.t("已处理", "Done").to_string())
            }
            _ => Err(ApiError::bad_request("未知操作", "Unknown action")),
        }
    }
    .await;
    let (message, status) = match result {
        Ok(m) => (m, StatusCode::OK),
        Err(e)
            if matches!(
                e.status,
                StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST
            ) =>
        {
            let detail = super::problems_text(lang, &e);
            (format!("{} {}", lang.t(&e.zh, &e.en), detail), e.status)
        }
        Err(e) => return error_page(lang, e),
    };
    match show_page(&state, &caller, lang, id, Some(message)).await {
        Ok(p) => render_status(&p, status),
        Err(e) => error_page(lang, e),
    }
}
