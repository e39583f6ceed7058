//! Care (走访慰问) on a phone: the registry, a recipient's visit log with a form
//! to log a visit, and a campaign's coverage village by village.

use super::{
    csrf_failed, csrf_ok, error_page, form_pairs, form_to_map, lang_of, pct, pct_width, render, render_status, Chrome,
};
use crate::app::care::{self as app, Campaign, CampaignCoverage, Category, Visit, VisitInput};
use crate::domain::lang::Lang;
use crate::domain::region::RegionKind;
use crate::web::auth::{Caller, PageUser};
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// The words for a category, in the page's language.
pub fn category_text(lang: Lang, c: Category) -> &'static str {
    let (zh, en) = c.label();
    lang.t(zh, en)
}

pub struct RecipientLine {
    pub id: i64,
    pub name: String,
    pub categories: String,
    pub region: String,
    pub hardship: bool,
    pub living_alone: bool,
    pub last_visited_on: String,
}

#[derive(Deserialize, Default)]
pub struct CareFilter {
    pub category: Option<String>,
    pub hardship: Option<String>,
    /// A campaign id: only those it still has to visit.
    pub campaign: Option<String>,
    /// Words of the name or the address.
    pub q: Option<String>,
    pub page: Option<i64>,
}

impl CareFilter {
    /// This search on another page.
    pub fn href(&self, page: i64) -> String {
        let enc = crate::web::url::urlencode;
        let v = |o: &Option<String>| enc(o.as_deref().unwrap_or(""));
        format!(
            "/care?q={}&category={}&hardship={}&campaign={}&page={page}",
            v(&self.q),
            v(&self.category),
            v(&self.hardship),
            v(&self.campaign)
        )
    }
}

/// Recipients a phone can scroll through.
const CARE_PER_PAGE: usize = 30;

#[derive(Template)]
#[template(path = "care/list.html")]
pub struct ListPage {
    pub c: Chrome,
    pub list: Vec<RecipientLine>,
    pub campaigns: Vec<Campaign>,
    pub category: String,
    pub hardship: bool,
    pub campaign: Option<i64>,
    pub categories: Vec<(&'static str, &'static str)>,
    /// Where a campaign may run and where a recipient may live: (id, name, is a village).
    pub places: Vec<(i64, String, bool)>,
    pub error: Option<String>,
    pub q: String,
    pub total: usize,
    pub page: i64,
    pub more: bool,
    pub prev_href: String,
    pub next_href: String,
    /// The visits workbook's default period: this year so far.
    pub year_start: String,
    pub today: String,
}

async fn list_page(state: &AppState, caller: &Caller, lang: Lang, q: &CareFilter) -> Result<ListPage, ApiError> {
    list_page_with(state, caller, lang, q, None).await
}

async fn list_page_with(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    q: &CareFilter,
    error: Option<String>,
) -> Result<ListPage, ApiError> {
    let campaign = q.campaign.as_deref().and_then(|c| c.parse::<i64>().ok());
    let reg = app::registry(state, caller, campaign).await?;
    let category = q.category.clone().unwrap_or_default();
    let hardship = q.hardship.as_deref().is_some_and(|h| !h.is_empty());
    let regions = reg.regions;
    let places = regions
        .iter()
        .filter(|r| matches!(r.kind(), RegionKind::Town | RegionKind::Village))
        .map(|r| (r.id, r.name.clone(), r.kind() == RegionKind::Village))
        .collect();
    let wanted = Category::parse(&category);
    let words = q.q.as_deref().unwrap_or("").trim().to_lowercase();
    let matching: Vec<_> = reg
        .recipients
        .into_iter()
        .filter(|r| category.is_empty() || wanted.is_some_and(|w| r.categories.contains(&w) || r.category == w))
        .filter(|r| !hardship || r.hardship || r.low_income)
        .filter(|r| {
            words.is_empty()
                || r.name.to_lowercase().contains(&words)
                || r.address.as_deref().is_some_and(|a| a.to_lowercase().contains(&words))
        })
        .collect();
    let total = matching.len();
    let page = q.page.unwrap_or(1).max(1);
    let skip = usize::try_from(page - 1).unwrap_or(0).saturating_mul(CARE_PER_PAGE);
    let list = matching
        .into_iter()
        .skip(skip)
        .take(CARE_PER_PAGE)
        .map(|r| RecipientLine {
            id: r.id,
            name: r.name.clone(),
            categories: r.categories.iter().map(|c| category_text(lang, *c)).collect::<Vec<_>>().join("、"),
            region: regions.iter().find(|g| g.id == r.region_id).map(|g| g.name.clone()).unwrap_or_default(),
            hardship: r.hardship || r.low_income,
            living_alone: r.living_alone,
            last_visited_on: r.last_visited_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
        })
        .collect();
    Ok(ListPage {
        c: Chrome::new(caller, lang, "care", "/care"),
        list,
        campaigns: reg.campaigns,
        category,
        hardship,
        campaign,
        categories: Category::ALL.iter().map(|c| (c.as_str(), category_text(lang, *c))).collect(),
        places,
        error,
        q: q.q.clone().unwrap_or_default(),
        total,
        page,
        more: total > skip + CARE_PER_PAGE,
        prev_href: q.href(page - 1),
        next_href: q.href(page + 1),
        year_start: format!("{}-01-01", chrono::Datelike::year(&crate::domain::clock::today())),
        today: crate::domain::clock::today().to_string(),
    })
}

/// Staff start a campaign or add someone to visit, from the registry page.
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
    let mut map = form_to_map(&pairs, &[], &["hardship", "living_alone", "low_income"]);
    let action = map.remove("action").and_then(|v| v.as_str().map(str::to_string));
    let result: Result<String, ApiError> = async {
        match action.as_deref() {
            Some("campaign") => {
                let input: app::CampaignInput = crate::app::input::from_form(map)?;
                let k = app::create_campaign(&state, &caller, input).await?;
                Ok(format!("/care/campaigns/{}", k.id))
            }
            Some("recipient") => {
                let input: app::RecipientInput = crate::app::input::from_form(map)?;
                let r = app::create(&state, &caller, input).await?;
                Ok(format!("/care/{}", r.recipient.id))
            }
            _ => Err(ApiError::bad_request("未知操作", "Unknown action")),
        }
    }
    .await;
    match result {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT => {
            let msg = format!("{} {}", lang.t(&e.zh, &e.en), super::problems_text(lang, &e));
            match list_page_with(&state, &caller, lang, &CareFilter::default(), Some(msg)).await {
                Ok(p) => render_status(&p, e.status),
                Err(e) => error_page(lang, e),
            }
        }
        Err(e) => error_page(lang, e),
    }
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Query(q): Query<CareFilter>,
) -> Response {
    let lang = lang_of(&headers);
    match list_page(&state, &caller, lang, &q).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

pub struct VisitLine {
    pub photos: super::photos::PhotoStrip,
    pub visited_on: String,
    pub volunteers: String,
    pub notes: String,
    pub help_given: String,
}

#[derive(Template)]
#[template(path = "care/show.html")]
pub struct ShowPage {
    pub c: Chrome,
    pub r: app::CareRecipient,
    pub categories: String,
    pub region: String,
    pub visits: Vec<VisitLine>,
    /// Volunteers of the recipient's village, to tick who went.
    pub helpers: Vec<(i64, String)>,
    pub may_log: bool,
    pub today: String,
    pub message: Option<String>,
}

async fn show_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    id: i64,
    message: Option<String>,
) -> Result<ShowPage, ApiError> {
    let detail = app::show(state, caller, id).await?;
    let r = detail.recipient;
    let (region, helpers) = app::visit_helpers(state, caller, &r).await?;
    let visits: Vec<Visit> = detail.visits;
    let names = |ids: &[i64]| {
        ids.iter()
            .map(|i| helpers.iter().find(|(h, _)| h == i).map(|(_, n)| n.clone()).unwrap_or_else(|| format!("#{i}")))
            .collect::<Vec<_>>()
            .join("、")
    };
    let mut lines = Vec::with_capacity(visits.len());
    for v in &visits {
        lines.push(VisitLine {
            photos: super::photos::strip(state, caller, crate::domain::photo::PhotoSubject::CareVisit, v.id).await?,
            visited_on: v.visited_on.to_string(),
            volunteers: names(&v.volunteer_ids),
            notes: v.notes.clone().unwrap_or_default(),
            help_given: v.help_given.clone().unwrap_or_default(),
        });
    }
    let visits = lines;
    Ok(ShowPage {
        c: Chrome::new(caller, lang, "care", &format!("/care/{id}")),
        categories: r.categories.iter().map(|c| category_text(lang, *c)).collect::<Vec<_>>().join("、"),
        region: region.name,
        r,
        visits,
        helpers,
        may_log: caller.role.runs_service(),
        today: crate::domain::clock::today().to_string(),
        message,
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

/// Logs a visit from the recipient's page.
pub async fn log_visit(
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
    let result = match crate::app::input::from_form::<VisitInput>(form_to_map(&pairs, &["volunteer_ids"], &[])) {
        Ok(input) => app::visit(&state, &caller, id, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/care/{id}")).into_response(),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            match show_page(&state, &caller, lang, id, Some(super::problems_text(lang, &e))).await {
                Ok(p) => render_status(&p, e.status),
                Err(e) => error_page(lang, e),
            }
        }
        Err(e) => error_page(lang, e),
    }
}

pub struct VillageBar {
    pub name: String,
    pub targeted: i64,
    pub visited: i64,
    pub pct: String,
    pub pct_width: String,
    pub done: bool,
}

#[derive(Template)]
#[template(path = "care/campaign.html")]
pub struct CampaignPage {
    pub c: Chrome,
    pub campaign: Campaign,
    pub kind: &'static str,
    pub cov: CampaignCoverage,
    pub pct: String,
    pub pct_width: String,
    pub villages: Vec<VillageBar>,
    pub unvisited: Vec<(i64, String, &'static str, String)>,
}

async fn campaign_page(state: &AppState, caller: &Caller, lang: Lang, id: i64) -> Result<CampaignPage, ApiError> {
    let (campaign, cov) = app::campaign_coverage(state, caller, id).await?;
    let (kz, ke) = campaign.kind.label();
    Ok(CampaignPage {
        c: Chrome::new(caller, lang, "care", &format!("/care/campaigns/{id}")),
        kind: lang.t(kz, ke),
        pct: pct(cov.visited, cov.targeted),
        pct_width: pct_width(cov.visited, cov.targeted),
        villages: cov
            .by_village
            .iter()
            .map(|v| VillageBar {
                name: v.name.clone(),
                targeted: v.targeted,
                visited: v.visited,
                pct: pct(v.visited, v.targeted),
                pct_width: pct_width(v.visited, v.targeted),
                done: v.visited == v.targeted,
            })
            .collect(),
        unvisited: cov
            .unvisited
            .iter()
            .map(|u| (u.id, u.name.clone(), category_text(lang, u.category), u.region_name.clone()))
            .collect(),
        campaign,
        cov,
    })
}

pub async fn campaign(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let lang = lang_of(&headers);
    match campaign_page(&state, &caller, lang, id).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}
