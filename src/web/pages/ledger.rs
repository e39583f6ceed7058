//! The activity ledger (活动台账) as printed: one A4 page per activity, and the
//! book of a period and region (a cover with the contents, then the pages).

use super::{error_page, lang_of, render, render_status};
use crate::app::ledger::{self as app, Entry, MIN_PHOTOS};
use crate::domain::category::category_label;
use crate::domain::clock::{self, clock_text, minute_text};
use crate::domain::lang::Lang;
use crate::domain::service::hours;
use crate::web::auth::PageUser;
use crate::web::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

pub struct PrintedLine {
    pub name: String,
    pub volunteer_no: String,
    pub village: String,
    pub check_in: String,
    pub check_out: String,
    /// How the presence was shown: scanned at 120 m, by the leader, to confirm.
    pub how: String,
}

pub struct PrintedPhoto {
    pub id: i64,
    pub caption: String,
}

/// One activity's page as the template reads it.
pub struct PageView {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub when: String,
    pub place: String,
    pub organiser: String,
    pub person_in_charge: String,
    pub content: String,
    pub outcome_notes: String,
    pub beneficiaries: i64,
    pub audience: i64,
    pub people: usize,
    pub hours: String,
    pub lines: Vec<PrintedLine>,
    pub photos: Vec<PrintedPhoto>,
    /// Photos still missing for the ledger's two (0 when enough).
    pub photos_missing: usize,
    pub status: String,
}

fn view(e: Entry, lang: Lang) -> PageView {
    let a = e.activity;
    let (cz, ce) = category_label(&a.category);
    let minutes: i64 =
        e.attended.iter().filter_map(|l| l.check_out.map(|o| (o - l.check_in).num_minutes().max(0))).sum();
    let lines = e
        .attended
        .into_iter()
        .map(|l| {
            let how = match (l.method, l.distance_m, l.to_confirm) {
                (_, _, true) => lang.t("无定位，待队长确认", "no position; leader to confirm").to_string(),
                (_, Some(m), _) => format!("{}{m}{}", lang.t("扫码，距离", "scanned, "), lang.t("米", " m")),
                (crate::domain::activity::AttendanceMethod::Qr, None, _) => lang.t("扫码", "scanned").to_string(),
                (crate::domain::activity::AttendanceMethod::Leader, None, _) => {
                    lang.t("队长登记", "by the leader").to_string()
                }
            };
            let how = if l.auto_closed {
                format!("{how}{}", lang.t("；系统签退", "; closed by the system"))
            } else {
                how
            };
            PrintedLine {
                name: l.name,
                volunteer_no: l.volunteer_no,
                village: l.village,
                check_in: clock_text(l.check_in),
                check_out: l.check_out.map(clock_text).unwrap_or_default(),
                how,
            }
        })
        .collect::<Vec<_>>();
    let (sz, se) = a.status.label();
    PageView {
        id: a.id,
        category: lang.t(cz, ce).to_string(),
        when: format!("{} — {}", minute_text(a.starts_at), clock_text(a.ends_at)),
        place: a.place.unwrap_or_default(),
        organiser: a.organiser,
        person_in_charge: a.person_in_charge.unwrap_or_default(),
        content: a.description.unwrap_or_default(),
        outcome_notes: a.outcome_notes.unwrap_or_default(),
        beneficiaries: a.beneficiaries,
        audience: a.audience,
        people: lines.len(),
        hours: format!("{}", hours(minutes)),
        photos_missing: MIN_PHOTOS.saturating_sub(e.photos.len()),
        photos: e
            .photos
            .into_iter()
            .map(|p| PrintedPhoto { id: p.id, caption: p.caption.unwrap_or_default() })
            .collect(),
        lines,
        status: lang.t(sz, se).to_string(),
        title: a.title,
    }
}

#[derive(Template)]
#[template(path = "ledger/page.html")]
pub struct LedgerPage {
    pub lang: Lang,
    pub p: PageView,
}

impl LedgerPage {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
}

/// `GET /activities/{id}/ledger`: the one page, to print and sign.
pub async fn page(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let lang = lang_of(&headers);
    match app::page(&state, &caller, id).await {
        Ok(e) => render(&LedgerPage { lang, p: view(e, lang) }),
        Err(e) => error_page(lang, e),
    }
}

#[derive(Deserialize, Default)]
pub struct BookQuery {
    pub region_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Template)]
#[template(path = "ledger/book.html")]
pub struct BookPage {
    pub lang: Lang,
    pub region_name: String,
    pub from: String,
    pub to: String,
    pub region_id: String,
    pub pages: Vec<PageView>,
    pub error: Option<String>,
}

impl BookPage {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }

    /// The same book as a workbook with the photos' links.
    pub fn workbook_href(&self) -> String {
        let enc = crate::web::url::urlencode;
        format!(
            "/api/v1/exports/ledger?region_id={}&from={}&to={}",
            enc(&self.region_id),
            enc(&self.from),
            enc(&self.to)
        )
    }
}

/// `GET /ledger?from=&to=&region_id=`: the ledger book; this month so far by default.
pub async fn book(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Query(q): Query<BookQuery>,
) -> Response {
    let lang = lang_of(&headers);
    let today = clock::today();
    let from = q.from.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| today.format("%Y-%m-01").to_string());
    let to = q.to.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| today.to_string());
    let region_id = q.region_id.unwrap_or_default();
    let region = Some(region_id.as_str()).filter(|r| !r.is_empty());
    match app::book(&state, &caller, region, &from, &to).await {
        Ok(b) => render(&BookPage {
            lang,
            region_name: b.region_name,
            from: b.from.to_string(),
            to: b.to.to_string(),
            region_id,
            pages: b.entries.into_iter().map(|e| view(e, lang)).collect(),
            error: None,
        }),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let text = super::problems_text(lang, &e);
            render_status(
                &BookPage { lang, region_name: String::new(), from, to, region_id, pages: vec![], error: Some(text) },
                e.status,
            )
        }
        Err(e) => error_page(lang, e),
    }
}
