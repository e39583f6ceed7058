//! The volunteer's own pages on a phone: my service, my activities, my
//! records, my certificate.

use super::activities::{line, Line};
use super::{error_page, lang_of, render, Chrome};
use crate::domain::category::category_label;
use crate::domain::clock::minute_text as local_time;
use crate::domain::lang::Lang;
use crate::domain::service::hours;
use crate::store::{activities, points, service_records, settings, volunteers as volunteer_store};
use crate::web::api::records::{issue_certificate, PeriodQuery};
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
    let vid = caller.volunteer_id.ok_or_else(|| {
        ApiError::new(
            crate::domain::error_code::ErrorCode::NotAVolunteer,
            "该账号没有关联志愿者",
            "This account is not linked to a volunteer",
        )
        .with_status(axum::http::StatusCode::NOT_FOUND)
    })?;
    let v = volunteer_store::get(&state.db.pool, vid).await?.ok_or_else(ApiError::not_found)?;
    let rules = settings::rules_for(&state.db.pool, &v.region_path).await?;
    let recs = service_records::of_volunteer(&state.db.pool, vid).await?;
    let minutes: i64 = recs.iter().filter(|r| r.corrected_by.is_none()).map(|r| r.minutes).sum();
    let total = hours(minutes);
    let stars = crate::domain::service::star_level(total, &rules.star_thresholds);
    let mine: Vec<(Line, String)> = activities::of_volunteer(&state.db.pool, vid)
        .await?
        .iter()
        .map(|(a, s)| {
            let st = match s.as_str() {
                "signed_up" => lang.t("已报名", "Signed up"),
                "waiting" => lang.t("候补", "Waiting"),
                _ => "",
            };
            (line(a, lang), st.to_string())
        })
        .collect();
    // open activities of the volunteer's town and village, to sign up for
    let town = crate::store::regions::town_of(&state.db.pool, v.region_id).await?;
    let open = activities::list(&state.db.pool, &town.path, true, 30)
        .await?
        .iter()
        .filter(|a| v.region_path.starts_with(&a.region_path) || a.region_path.starts_with(&v.region_path))
        .filter(|a| !mine.iter().any(|(l, _)| l.id == a.id))
        .map(|a| line(a, lang))
        .collect();
    let notices = crate::app::announcements::visible_list(state, caller, 10).await?;
    Ok(MePage {
        notices: super::announcements::lines(lang, &notices),
        c: Chrome::new(caller, lang, "me", "/me"),
        name: v.name,
        no: v.volunteer_no,
        volunteer_id: vid,
        hours: total,
        stars,
        next_star: rules.star_thresholds.get(stars as usize).map(|t| ((t - total) * 100.0).round() / 100.0),
        points: points::balance(&state.db.pool, vid).await?,
        calls: crate::store::mobilizations::open_calls_for(&state.db.pool, vid).await?,
        pairs: crate::store::mentoring::of_volunteer(&state.db.pool, vid)
            .await?
            .iter()
            .map(|m| super::mentoring::pair_line(m, lang))
            .collect(),
        offers: crate::store::needs::open_offers_for(&state.db.pool, vid)
            .await?
            .iter()
            .map(|n| super::needs::line(n, lang))
            .collect(),
        mine,
        open,
        records: recs
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
    pub cert: crate::web::api::records::CertificateView,
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
    match issue_certificate(&state, &caller, id, &q).await {
        Ok((view, cert)) => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
            let verify_url = format!("http://{host}/verify/{}", view.code);
            // honours on the profile, and awards with the body that gave them
            let mut honors = volunteer_store::get(&state.db.pool, id)
                .await
                .ok()
                .flatten()
                .map(|v| v.honor_list())
                .unwrap_or_default();
            for a in crate::store::awards::of_volunteer(&state.db.pool, id).await.unwrap_or_default() {
                let line = format!("{}（{}，{}）", a.title, a.awarded_by, a.awarded_on.format("%Y年%m月"));
                honors.retain(|h| h != &a.title);
                honors.push(line);
            }
            let page = CertificatePage {
                lang,
                number: format!("LBZM{}{:06}", cert.issued_at.format("%Y"), cert.id),
                issued: (cert.issued_at + chrono::Duration::hours(8)).format("%Y年%m月%d日").to_string(),
                qr: qr_svg(&verify_url),
                verify_url,
                honors,
                cert: view,
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
