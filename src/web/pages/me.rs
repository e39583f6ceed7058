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
    let d = &*p.read;
    let mine: Vec<(Line, String)> = d
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
        notices: super::announcements::lines(lang, &d.notices),
        c: Chrome::new(caller, lang, "me", "/me"),
        name: d.volunteer.name.clone(),
        no: d.volunteer.volunteer_no.clone(),
        volunteer_id: d.volunteer.id,
        hours: p.hours,
        stars: p.stars,
        next_star: p.next_star,
        points: d.points,
        calls: d.calls.clone(),
        pairs: d.pairs.iter().map(|m| super::mentoring::pair_line(m, lang)).collect(),
        offers: d.offers.iter().map(|n| super::needs::line(n, lang)).collect(),
        mine,
        open: d.open.iter().map(|a| line(a, lang)).collect(),
        records: d
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

/// One earlier certificate in the list to open again.
pub struct IssuedLine {
    pub code: String,
    pub period: String,
    pub hours: f64,
    pub issued: String,
}

/// Choosing the period of a certificate, and the ones already issued.
#[derive(Template)]
#[template(path = "certificates.html")]
pub struct CertificatesPage {
    pub c: Chrome,
    pub volunteer_id: i64,
    pub name: String,
    pub issued: Vec<IssuedLine>,
    /// Period presets: (label, from, to).
    pub presets: Vec<(String, String, String)>,
    pub error: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct CertificateQuery {
    pub code: Option<String>,
}

async fn certificates_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    id: i64,
    error: Option<String>,
) -> Result<CertificatesPage, ApiError> {
    let (v, list) = certificates::issued(state, caller, id).await?;
    let today = crate::domain::clock::today();
    let year = chrono::Datelike::year(&today);
    let presets = vec![
        (lang.t("全部服务", "All service").to_string(), String::new(), today.to_string()),
        (lang.t("今年", "This year").to_string(), format!("{year}-01-01"), today.to_string()),
        (lang.t("去年", "Last year").to_string(), format!("{}-01-01", year - 1), format!("{}-12-31", year - 1)),
    ];
    Ok(CertificatesPage {
        c: Chrome::new(
            caller,
            lang,
            if caller.volunteer_id == Some(id) { "me" } else { "volunteers" },
            &format!("/volunteers/{id}/certificate"),
        ),
        volunteer_id: id,
        name: v.name,
        issued: list
            .into_iter()
            .map(|c| IssuedLine {
                period: format!("{} — {}", c.period_from, c.period_to),
                hours: crate::domain::service::hours(c.minutes),
                issued: crate::domain::clock::date_text_zh(c.issued_at),
                code: c.code,
            })
            .collect(),
        presets,
        error,
    })
}

/// Without a code: the period to certify and the certificates issued before.
/// With `?code=`: that certificate, printable (A4, print CSS), as issued.
pub async fn certificate(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<CertificateQuery>,
) -> Response {
    let lang = lang_of(&headers);
    let Some(code) = q.code.filter(|c| !c.trim().is_empty()) else {
        return match certificates_page(&state, &caller, lang, id, None).await {
            Ok(p) => render(&p),
            Err(e) => error_page(lang, e),
        };
    };
    match certificates::printed(&state, &caller, id, &code).await {
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

/// Issuing is an act of its own: the chosen period, then the new
/// certificate's page (its address names it, so reopening never issues again).
pub async fn issue_certificate(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Response {
    let lang = lang_of(&headers);
    let pairs = super::form_pairs(&body);
    if !super::csrf_ok(&caller, &pairs) {
        return super::csrf_failed(lang);
    }
    let q = PeriodQuery {
        from: super::form_get(&pairs, "from").map(str::to_string),
        to: super::form_get(&pairs, "to").map(str::to_string),
    };
    match certificates::issue_for_print(&state, &caller, id, &q).await {
        Ok(code) => Redirect::to(&format!("/volunteers/{id}/certificate?code={code}")).into_response(),
        Err(e) if e.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY => {
            let msg = format!("{} {}", lang.t(&e.zh, &e.en), super::problems_text(lang, &e));
            match certificates_page(&state, &caller, lang, id, Some(msg)).await {
                Ok(p) => super::render_status(&p, e.status),
                Err(e) => error_page(lang, e),
            }
        }
        Err(e) => error_page(lang, e),
    }
}

/// Volunteers land on their own page, grid workers on their grid's; everyone
/// else on the dashboard.
pub fn home_for(caller: &Caller) -> Option<Response> {
    match caller.role {
        crate::domain::account::Role::Volunteer => Some(Redirect::to("/me").into_response()),
        crate::domain::account::Role::GridWorker => Some(Redirect::to("/grids").into_response()),
        _ => None,
    }
}
