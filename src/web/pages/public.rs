//! The public's way in, without an account: file a need (phone required,
//! rate-limited), then follow it by its link and rate the service.

use super::{form_get, form_pairs, lang_of, render};
use crate::app::needs::{self as needs, Need, PublicRatingRefusal, PublicRefusal, Village, PUBLIC_CATEGORIES};
use crate::domain::category::category_label;
use crate::domain::clock::minute_text as local_time;
use crate::domain::lang::Lang;
use crate::domain::needs::NeedStatus;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use std::net::SocketAddr;

const FORM_COOKIE: &str = "lb_public";

#[derive(Template)]
#[template(path = "public/new.html")]
pub struct FormPage {
    pub lang: Lang,
    pub csrf: String,
    pub villages: Vec<Village>,
    pub categories: Vec<(String, String)>,
    pub error: Option<String>,
    pub title: String,
    pub name: String,
    pub phone: String,
    /// The village chosen before the form came back with a problem.
    pub region: String,
    pub place: String,
    pub description: String,
}

impl FormPage {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
}

async fn form_page(
    state: &AppState,
    jar: CookieJar,
    lang: Lang,
    error: Option<String>,
    pairs: &[(String, String)],
    status: StatusCode,
) -> Response {
    let (csrf, cookie) = super::visitor_token(&jar, FORM_COOKIE, "/public");
    let villages = needs::public_villages(state).await.unwrap_or_default();
    let page = FormPage {
        lang,
        csrf,
        villages,
        categories: PUBLIC_CATEGORIES
            .iter()
            .map(|c| (c.to_string(), lang.t(category_label(c).0, category_label(c).1).to_string()))
            .collect(),
        error,
        title: form_get(pairs, "title").unwrap_or("").to_string(),
        region: form_get(pairs, "region_id").unwrap_or("").to_string(),
        place: form_get(pairs, "place").unwrap_or("").to_string(),
        description: form_get(pairs, "description").unwrap_or("").to_string(),
        name: form_get(pairs, "requester_name").unwrap_or("").to_string(),
        phone: form_get(pairs, "requester_phone").unwrap_or("").to_string(),
    };
    let mut res = render(&page);
    *res.status_mut() = status;
    (jar.add(cookie), res).into_response()
}

pub async fn new_form(State(state): State<AppState>, headers: HeaderMap, jar: CookieJar) -> Response {
    form_page(&state, jar, lang_of(&headers), None, &[], StatusCode::OK).await
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    body: Bytes,
) -> Response {
    let lang = lang_of(&headers);
    let pairs = form_pairs(&body);
    if !super::visitor_token_ok(&jar, FORM_COOKIE, &pairs) {
        let msg = lang.t("页面已过期，请重新填写", "The page expired; please fill it in again").to_string();
        return form_page(&state, jar, lang, Some(msg), &pairs, StatusCode::FORBIDDEN).await;
    }
    // a field people cannot see: only robots fill it
    if !form_get(&pairs, "website").unwrap_or("").is_empty() {
        return Redirect::to("/public/needs/new").into_response();
    }
    let mut map = super::form_to_map(&pairs, &[], &[]);
    map.remove("website");
    let filed = match crate::app::input::from_form(map) {
        Ok(input) => needs::file_public(&state, addr.ip(), input).await,
        Err(e) => Ok(Err(PublicRefusal::Invalid(crate::domain::validation::Problems(e.fields)))),
    };
    let msg = match filed {
        Ok(Ok(token)) => return Redirect::to(&format!("/public/needs/{token}")).into_response(),
        Ok(Err(why)) => match why {
            PublicRefusal::NoPhone => {
                lang.t("请留下联系电话，方便回访", "Leave a phone number so we can reach you").to_string()
            }
            PublicRefusal::Category => lang.t("请选择需求类别", "Choose a kind of need").to_string(),
            PublicRefusal::Invalid(p) => {
                p.0.iter().map(|p| lang.t(&p.zh, &p.en).to_string()).collect::<Vec<_>>().join("；")
            }
            PublicRefusal::Village => lang.t("请选择所在村(社区)", "Choose your village").to_string(),
            PublicRefusal::TooMany => {
                let msg = lang
                    .t(
                        "提交过于频繁，请稍后再试，或直接拨打服务站电话",
                        "Too many requests; try again later or call the station",
                    )
                    .to_string();
                return form_page(&state, jar, lang, Some(msg), &pairs, StatusCode::TOO_MANY_REQUESTS).await;
            }
        },
        Err(e) => return super::error_page(lang, e),
    };
    form_page(&state, jar, lang, Some(msg), &pairs, StatusCode::UNPROCESSABLE_ENTITY).await
}

#[derive(Template)]
#[template(path = "public/follow.html")]
pub struct FollowPage {
    pub lang: Lang,
    pub csrf: String,
    pub token: String,
    pub n: Need,
    pub status: String,
    pub category: String,
    pub filed: String,
    pub message: Option<super::Flash>,
    /// Completed and not yet rated: the requester may rate it.
    pub can_rate: bool,
    /// The number to quote when calling the station (`XQ2026000042`).
    pub reference: String,
}

impl FollowPage {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
}

async fn follow_page(
    state: &AppState,
    jar: CookieJar,
    lang: Lang,
    token: &str,
    message: Option<String>,
    status: StatusCode,
) -> Response {
    let Ok(n) = needs::followed(state, token).await else {
        return super::error_page(lang, crate::web::error::ApiError::not_found());
    };
    let (csrf, cookie) = super::visitor_token(&jar, FORM_COOKIE, "/public");
    let (sz, se) = n.status.label();
    let (cz, ce) = category_label(&n.category);
    let page = FollowPage {
        lang,
        csrf,
        token: token.to_string(),
        status: lang.t(sz, se).to_string(),
        category: lang.t(cz, ce).to_string(),
        filed: local_time(n.filed_at),
        reference: crate::domain::needs::reference(n.id, n.filed_at),
        can_rate: n.status == NeedStatus::Completed,
        n,
        message: message.map(|m| super::Flash::for_status(m, status)),
    };
    let mut res = render(&page);
    *res.status_mut() = status;
    (jar.add(cookie), res).into_response()
}

pub async fn follow(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Response {
    follow_page(&state, jar, lang_of(&headers), &token, None, StatusCode::OK).await
}

/// The requester rates the service from their follow link.
pub async fn rate(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let lang = lang_of(&headers);
    let pairs = form_pairs(&body);
    if !super::visitor_token_ok(&jar, FORM_COOKIE, &pairs) {
        let msg = lang.t("页面已过期，请刷新后再评价", "The page expired; reload and rate again").to_string();
        return follow_page(&state, jar, lang, &token, Some(msg), StatusCode::FORBIDDEN).await;
    }
    let rated = needs::rate_public(&state, &token, form_get(&pairs, "stars"), form_get(&pairs, "comment")).await;
    let (msg, status) = match rated {
        Ok(Ok(())) => (lang.t("感谢您的评价！", "Thank you for rating!").to_string(), StatusCode::OK),
        Ok(Err(PublicRatingRefusal::Stars)) => {
            let msg = lang.t("请选择1到5星", "Choose 1 to 5 stars").to_string();
            return follow_page(&state, jar, lang, &token, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Ok(Err(PublicRatingRefusal::NotNow)) => (
            lang.t("服务完成后才能评价，且只能评价一次", "You can rate once, after the service is done").to_string(),
            StatusCode::CONFLICT,
        ),
        Err(e) => return super::error_page(lang, e),
    };
    follow_page(&state, jar, lang, &token, Some(msg), status).await
}
