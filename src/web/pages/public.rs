//! The public's way in, without an account: file a need (phone required,
//! rate-limited), then follow it by its link and rate the service.

use super::{form_get, form_pairs, lang_of, render};
use crate::domain::category::category_label;
use crate::domain::clock::minute_text as local_time;
use crate::domain::lang::Lang;
use crate::domain::needs::status_label;
use crate::domain::region::RegionKind;
use crate::store::accounts::random_token;
use crate::store::needs::{self as store, Need};
use crate::store::regions as region_store;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use chrono::{Duration, Utc};
use std::net::SocketAddr;

const FORM_COOKIE: &str = "lb_public";
/// Per device: this many needs in ten minutes; per phone: this many an hour.
const PER_CLIENT_10_MIN: i64 = 5;
const PER_PHONE_HOUR: i64 = 3;

/// Kinds of need the public usually brings.
const PUBLIC_CATEGORIES: [&str; 6] =
    ["veteran_assistance", "spring_farming", "social_governance", "civilization", "care_visit", "other"];

pub struct Village {
    pub id: i64,
    pub label: String,
}

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
    let regions = region_store::list(&state.db.pool, None, None).await.unwrap_or_default();
    let villages = regions
        .iter()
        .filter(|r| r.kind() == RegionKind::Village)
        .map(|v| {
            let town = regions.iter().find(|t| Some(t.id) == v.parent_id).map(|t| t.name.as_str()).unwrap_or("");
            Village { id: v.id, label: format!("{town} {}", v.name) }
        })
        .collect();
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
    if let Some(serde_json::Value::String(r)) = map.get("region_id").cloned() {
        if let Ok(n) = r.parse::<i64>() {
            map.insert("region_id".into(), serde_json::Value::from(n));
        }
    }
    if !map.contains_key("requester_phone") {
        let msg = lang.t("请留下联系电话，方便回访", "Leave a phone number so we can reach you").to_string();
        return form_page(&state, jar, lang, Some(msg), &pairs, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let draft = match crate::domain::needs::validate(&map, Utc::now()) {
        Ok(d) if PUBLIC_CATEGORIES.contains(&d.category.as_str()) => d,
        Ok(_) => {
            let msg = lang.t("请选择需求类别", "Choose a kind of need").to_string();
            return form_page(&state, jar, lang, Some(msg), &pairs, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(p) => {
            let msg = p.0.iter().map(|p| lang.t(&p.zh, &p.en).to_string()).collect::<Vec<_>>().join("；");
            return form_page(&state, jar, lang, Some(msg), &pairs, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let village_ok = matches!(region_store::get(&state.db.pool, draft.region_id).await, Ok(Some(r)) if r.kind() == RegionKind::Village);
    if !village_ok {
        let msg = lang.t("请选择所在村(社区)", "Choose your village").to_string();
        return form_page(&state, jar, lang, Some(msg), &pairs, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let client = state.db.vault.blind(&format!("client:{}", addr.ip()));
    let phone = draft.requester_phone.as_ref().map(|p| state.db.vault.blind(p.as_str())).unwrap_or_default();
    let now = Utc::now();
    let (by_client, _) = store::public_submissions_since(&state.db.pool, &client, &phone, now - Duration::minutes(10))
        .await
        .unwrap_or((i64::MAX, 0));
    let (_, by_phone) = store::public_submissions_since(&state.db.pool, &client, &phone, now - Duration::hours(1))
        .await
        .unwrap_or((0, i64::MAX));
    if by_client >= PER_CLIENT_10_MIN || by_phone >= PER_PHONE_HOUR {
        let msg = lang
            .t(
                "提交过于频繁，请稍后再试，或直接拨打服务站电话",
                "Too many requests; try again later or call the station",
            )
            .to_string();
        return form_page(&state, jar, lang, Some(msg), &pairs, StatusCode::TOO_MANY_REQUESTS).await;
    }
    let mut draft = draft;
    if let Ok(Some(region)) = region_store::get(&state.db.pool, draft.region_id).await {
        if let Ok(rules) = crate::store::settings::rules_for(&state.db.pool, &region.path).await {
            draft.due_at = Some(rules.due_for(&draft.category, now));
        }
    }
    let token = random_token();
    match store::create_public(&state.db.pool, &state.db.vault, &draft, &client, &token).await {
        Ok(_) => Redirect::to(&format!("/public/needs/{token}")).into_response(),
        Err(e) => super::error_page(lang, e.into()),
    }
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
    pub message: Option<String>,
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
    let Ok(Some(n)) = store::by_follow_token(&state.db.pool, token).await else {
        return super::error_page(lang, crate::web::error::ApiError::not_found());
    };
    let (csrf, cookie) = super::visitor_token(&jar, FORM_COOKIE, "/public");
    let (sz, se) = status_label(&n.status);
    let (cz, ce) = category_label(&n.category);
    let page = FollowPage {
        lang,
        csrf,
        token: token.to_string(),
        status: lang.t(sz, se).to_string(),
        category: lang.t(cz, ce).to_string(),
        filed: local_time(n.filed_at),
        n,
        message,
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
    let Ok(Some(n)) = store::by_follow_token(&state.db.pool, &token).await else {
        return super::error_page(lang, crate::web::error::ApiError::not_found());
    };
    let stars = form_get(&pairs, "stars").and_then(|s| s.parse::<i64>().ok()).filter(|s| (1..=5).contains(s));
    let Some(stars) = stars else {
        let msg = lang.t("请选择1到5星", "Choose 1 to 5 stars").to_string();
        return follow_page(&state, jar, lang, &token, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let comment = form_get(&pairs, "comment")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| c.chars().take(500).collect::<String>());
    let (msg, status) = match store::rate(&state.db.pool, n.id, stars, comment.as_deref()).await {
        Ok(()) => (lang.t("感谢您的评价！", "Thank you for rating!").to_string(), StatusCode::OK),
        Err(crate::store::StoreError::Conflict(_)) => (
            lang.t("服务完成后才能评价，且只能评价一次", "You can rate once, after the service is done").to_string(),
            StatusCode::CONFLICT,
        ),
        Err(e) => return super::error_page(lang, e.into()),
    };
    follow_page(&state, jar, lang, &token, Some(msg), status).await
}
