//! The volunteer's own pages on a phone: my service, my activities, my
//! records, my certificate.

use super::activities::{line, Line};
use super::{error_page, lang_of, render, Chrome};
use crate::app::certificates::{self, CertificateView, PeriodQuery};
use crate::app::me::{my_page, SignupStatus};
use crate::domain::category::category_label;
use crate::domain::clock::minute_text as local_time;
use crate::domain::lang::Lang;
use crate::web::auth::{Caller, PageUser};
use crate::web::error::ApiError;
use crate::web::qr::qr_svg;
use crate::web::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

pub struct RecordLine {
    pub title: String,
    pub category: String,
    pub when: String,
    pub hours: f64,
    pub late: bool,
    pub corrected: bool,
    pub correction: bool,
}

#[derive(Template)]
#[template(path = "me.html")]
pub struct MePage {
    pub c: Chrome,
    pub name: String,
    pub no: String,
    pub volunteer_id: i64,
    pub hours: f64,
    pub stars: u8,
    pub next_star: Option<f64>,
    pub points: i64,
    pub mine: Vec<(Line, String)>,
    pub open: Vec<Line>,
    pub records: Vec<RecordLine>,
    /// Needs offered to me, waiting for my answer.
    pub offers: Vec<super::needs::NeedLine>,
    /// Open call-outs I was called to, with my answer if I gave one.
    pub calls: Vec<(crate::store::mobilizations::Mobilization, Option<String>)>,
    /// Notices addressed to my village or above it; unread ones are marked.
    pub notices: Vec<super::announcements::NoticeLine>,
    /// Mentor pairs I am part of (老兵带新兵), as mentor or mentee.
    pub pairs: Vec<super::mentoring::PairLine>,
}

impl MePage {
    pub fn star_text(&self) -> String {
        "★".repeat(self.stars as usize) + &"☆".repeat(5 - self.stars as usize)
    }
}

async fn me_page(state: &AppState, caller: &Caller, lang: Lang) -> Result<MePage, ApiError> {
    let p = my_page(state, caller).await?;
    let mine: Vec<(Line, String)> = p
        .mine
        .iter()
        .map(|(a, s)| {
            let st = match s {
                SignupStatus::Cancelled => "",
                s => lang.t(s.label().0, s.label().1),
            };
            (line(a, lang), st.to_string())
        })
        .collect();
    Ok(MePage {
        notices: super::announcements::lines(lang, &p.notices),
        c: Chrome::new(caller, lang, "me", "/me"),
        name: p.volunteer.name,
        no: p.volunteer.volunteer_no,
        volunteer_id: p.volunteer.id,
        hours: p.hours,
        stars: p.stars,
        next_star: p.next_star,
        points: p.points,
        calls: p.calls,
        pairs: p.pairs.iter().map(|m| super::mentoring::pair_line(m, lang)).collect(),
        offers: p.offers.iter().map(|n| super::needs::line(n, lang)).collect(),
        mine,
        open: p.open.iter().map(|a| line(a, lang)).collect(),
        records: p
            .records
            .iter()
            .map(|r| {
                let (zh, en) = category_label(&r.category);
                RecordLine {
                    title: r.title.clone(),
                    category: lang.t(zh, en).to_string(),
                    when: local_time(r.started_at),
                    hours: r.hours,
                    late: r.late,
                    corrected: r.corrected_by.is_some(),
                    correction: r.corrects.is_some(),
                }
            })
            .collect(),
    })
}

pub async fn page(State(state): State<AppState>, PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    match me_page(&state, &caller, lang).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

#[derive(Template)]
#[template(path = "certificate.html")]
pub struct CertificatePage {
    pub lang: Lang,
    pub cert: CertificateView,
    pub number: String,
    pub issued: String,
    pub qr: String,
    pub verify_url: String,
    pub honors: Vec<String>,
}

impl CertificatePage {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
}

/// The printable certificate (A4, print CSS); each visit issues a new one.
pub async fn certificate(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let lang = lang_of(&headers);
    match certificates::print(&state, &caller, id, &q).await {
        Ok(printed) => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
            let verify_url = format!("http://{host}/verify/{}", printed.view.code);
            let page = CertificatePage {
                lang,
                number: printed.number,
                issued: printed.issued,
                qr: qr_svg(&verify_url),
                verify_url,
                honors: printed.honors,
                cert: printed.view,
            };
            let mut res = render(&page);
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => error_page(lang, e),
    }
}

/// Volunteers land on their own page; everyone else on the dashboard.
pub fn home_for(caller: &Caller) -> Option<Response> {
    (caller.role == crate::domain::account::Role::Volunteer).then(|| Redirect::to("/me").into_response())
}
