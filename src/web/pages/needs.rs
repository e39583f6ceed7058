//! Needs pages: the board with a map of where help is wanted, a need's page
//! with ranked suggestions to dispatch from, and the volunteer's answers.

use super::{csrf_failed, csrf_ok, error_page, form_get, form_pairs, lang_of, render, render_status, Chrome};
use crate::app::needs::{self as needs, Dispatch, Need, Offer, OfferAnswer, Rating, Reason};
use crate::domain::category::{category_label, is_emergency, CATEGORIES};
use crate::domain::clock::{self, minute_text as local_time};
use crate::domain::lang::Lang;
use crate::domain::matching::Suggestion;
use crate::domain::needs::{allowed, Move, OfferStatus};
use crate::domain::region::RegionKind;
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

pub fn line(n: &Need, lang: Lang) -> NeedLine {
    let (cz, ce) = category_label(&n.category);
    let (sz, se) = n.status.label();
    NeedLine {
        id: n.id,
        title: n.title.clone(),
        category: lang.t(cz, ce).to_string(),
        status: lang.t(sz, se).to_string(),
        filed: local_time(n.filed_at),
        due: n.due_at.map(local_time).unwrap_or_default(),
        overdue: n.status.is_open() && n.due_at.is_some_and(|d| d < Utc::now()),
        people: format!("{}/{}", n.accepted, n.volunteers_needed),
    }
}

/// Needs as dots on a plain SVG, scaled to their own bounding box: enough to
/// see where help is wanted without a map service.
fn map_svg(needs: &[Need]) -> String {
    let pts: Vec<(f64, f64, bool, i64)> =
        needs.iter().filter_map(|n| Some((n.lon?, n.lat?, n.status.is_open(), n.id))).collect();
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
    /// Overdue in the whole scope, not only on this page.
    pub overdue: i64,
    pub page: i64,
    pub more: bool,
    pub filter: ListQuery,
    pub categories: Vec<Opt>,
    pub region_id: i64,
    /// Villages (and grids) a need may be filed for, the caller's own first.
    pub places: Vec<Opt>,
    pub skills: Vec<Opt>,
    pub may_file: bool,
    pub message: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub status: Option<String>,
    /// Words of the title or place.
    #[serde(default)]
    pub q: String,
    pub page: Option<i64>,
}

impl ListQuery {
    /// This search on another page.
    pub fn href(&self, page: i64) -> String {
        let enc = crate::web::url::urlencode;
        format!("/needs?status={}&q={}&page={page}", enc(self.status.as_deref().unwrap_or("")), enc(&self.q))
    }

    /// This search, every page of it, as a workbook.
    pub fn export_href(&self) -> String {
        let enc = crate::web::url::urlencode;
        format!("/api/v1/exports/needs?status={}&q={}", enc(self.status.as_deref().unwrap_or("")), enc(&self.q))
    }
}

/// Needs to a page: a phone scrolls through them, the map stays readable.
const PER_PAGE: i64 = 30;

async fn list_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    q: &ListQuery,
    message: Option<String>,
) -> Result<ListPage, ApiError> {
    let page = q.page.unwrap_or(1).max(1);
    let (needs, more, overdue) = needs::page_of(state, caller, q.status.as_deref(), &q.q, page, PER_PAGE).await?;
    let lines: Vec<NeedLine> = needs.iter().map(|n| line(n, lang)).collect();
    let region_id = crate::app::regions::home_region(state, caller).await?.map(|r| r.id).unwrap_or(0);
    let mut places: Vec<Opt> = crate::app::regions::in_scope(state, caller, None)
        .await?
        .into_iter()
        .filter(|r| matches!(r.kind(), RegionKind::Village | RegionKind::Grid))
        .map(|r| Opt { value: r.id.to_string(), label: r.name })
        .collect();
    places.sort_by_key(|o| o.value != region_id.to_string());
    let skills = crate::domain::volunteer::SKILLS
        .iter()
        .map(|(c, zh, en)| Opt { value: c.to_string(), label: lang.t(zh, en).to_string() })
        .collect();
    Ok(ListPage {
        places,
        skills,
        c: Chrome::new(caller, lang, "needs", "/needs"),
        overdue,
        page,
        more,
        filter: ListQuery { status: q.status.clone(), q: q.q.clone(), page: None },
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
    let mut form = super::form_to_map(&pairs, &["required_skills"], &[]);
    // a deadline preset (days from now) stands for an exact time
    if let Some(days) = form.remove("due_in_days").and_then(|v| v.as_str().and_then(|s| s.parse::<i64>().ok())) {
        let due = Utc::now() + chrono::Duration::days(days);
        form.insert("due_at".into(), clock::rfc3339_local(due).into());
    }
    let filed = crate::app::input::from_form(form);
    match async { needs::create(&state, &caller, filed?).await }.await {
        Ok(n) => Redirect::to(&format!("/needs/{}", n.id)).into_response(),
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
    /// The caller has an offer waiting for their answer.
    pub offer_open: bool,
    pub can_complete: bool,
    pub can_rate: bool,
    pub can_reject: bool,
    pub can_cancel: bool,
    pub message: Option<super::Flash>,
    pub default_start: String,
    pub default_end: String,
    /// Offers may be sent now; then staff may also search anyone by name.
    pub can_dispatch: bool,
    pub find: String,
    /// Volunteers found by the search: (id, name, number and village).
    pub found: Vec<(i64, String, String)>,
    pub photos: super::photos::PhotoStrip,
}

impl ShowPage {
    /// The number the requester was given (`XQ2026000042`), to find a need a caller quotes.
    pub fn reference(&self) -> String {
        crate::domain::needs::reference(self.n.id, self.n.filed_at)
    }
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    /// A name or volunteer number to look for, beside the suggestions.
    pub find: Option<String>,
}

async fn show_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    id: i64,
    message: Option<super::Flash>,
    find: Option<&str>,
) -> Result<ShowPage, ApiError> {
    let n = needs::show(state, caller, id).await?;
    let manages = needs::manages(caller, &n);
    let offers = if manages { needs::offers(state, caller, id).await? } else { vec![] };
    let suggestions = needs::named_suggestions(state, caller, &n).await?;
    let my_offer = needs::my_offer(state, caller, id).await?;
    let full = n.accepted >= n.volunteers_needed;
    let can_dispatch = manages && allowed(n.status, Move::Dispatch, full);
    let find = find.map(str::trim).unwrap_or("").to_string();
    let found = if can_dispatch && !find.is_empty() {
        crate::app::volunteers::find_active(state, caller, &find).await?
    } else {
        Vec::new()
    };
    let (default_start, default_end) = needs::default_service_span(Utc::now());
    let photos = super::photos::strip(state, caller, crate::domain::photo::PhotoSubject::Need, id).await?;
    Ok(ShowPage {
        photos,
        c: Chrome::new(caller, lang, "needs", &format!("/needs/{id}")),
        line: line(&n, lang),
        emergency: is_emergency(&n.category),
        manages,
        offers,
        suggestions,
        offer_open: my_offer == Some(OfferStatus::Offered),
        can_complete: allowed(n.status, Move::Complete, full),
        can_rate: allowed(n.status, Move::Rate, full),
        can_reject: allowed(n.status, Move::Reject, full),
        can_cancel: allowed(n.status, Move::Cancel, full),
        message,
        default_start,
        default_end,
        can_dispatch,
        find,
        found,
        n,
    })
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Response {
    let lang = lang_of(&headers);
    match show_page(&state, &caller, lang, id, None, q.find.as_deref()).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

/// `2026-05-01T08:00` from a datetime-local input, read as Beijing time.
fn local_input(s: &str) -> Option<String> {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").ok().map(|t| clock::rfc3339_local(clock::from_local(t)))
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
    let result: Result<String, ApiError> = async {
        match form_get(&pairs, "action") {
            Some("dispatch") => {
                let ids: Vec<i64> =
                    pairs.iter().filter(|(k, _)| k == "volunteer").filter_map(|(_, v)| v.parse().ok()).collect();
                let insurance = form_get(&pairs, "insurance") == Some("on");
                let input = Dispatch { volunteer_ids: Some(ids), insurance: Some(insurance) };
                needs::dispatch(&state, &caller, id, input).await?;
                Ok(lang.t("已派单，等待志愿者回复", "Offers sent; waiting for answers").to_string())
            }
            Some(a @ ("accept" | "decline")) => {
                let v = caller.volunteer_id.ok_or_else(ApiError::forbidden)?;
                if a == "accept" {
                    needs::accept(&state, &caller, id, OfferAnswer { volunteer_id: Some(v), reason: None }).await?;
                    Ok(lang.t("已接单，感谢您！", "Accepted. Thank you!").to_string())
                } else {
                    let reason = form_get(&pairs, "reason").map(str::to_string);
                    needs::decline(&state, &caller, id, OfferAnswer { volunteer_id: Some(v), reason }).await?;
                    Ok(lang.t("已回复不能参加", "Declined").to_string())
                }
            }
            Some("complete") => {
                let started = form_get(&pairs, "started_at").and_then(local_input);
                let ended = form_get(&pairs, "ended_at").and_then(local_input);
                let beneficiaries = form_get(&pairs, "beneficiaries").and_then(|v| v.parse::<i64>().ok());
                needs::complete_all(&state, &caller, id, started, ended, beneficiaries).await?;
                Ok(lang.t("已完成，服务时长已记录", "Completed; the service hours are recorded").to_string())
            }
            Some("rate") => {
                let stars = form_get(&pairs, "stars").and_then(|v| v.parse::<i64>().ok());
                let comment = form_get(&pairs, "comment").map(str::to_string);
                needs::rate(&state, &caller, id, Rating { stars, comment }).await?;
                Ok(lang.t("评价已记录", "Rating recorded").to_string())
            }
            Some(a @ ("reject" | "cancel")) => {
                let input = Reason { reason: form_get(&pairs, "reason").map(str::to_string) };
                if a == "reject" {
                    needs::reject(&state, &caller, id, input).await?;
                } else {
                    needs::cancel(&state, &caller, id, input).await?;
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
    match show_page(&state, &caller, lang, id, Some(super::Flash::for_status(message, status)), None).await {
        Ok(p) => render_status(&p, status),
        Err(e) => error_page(lang, e),
    }
}
