//! Signing in and out of the pages.

use super::{csrf_failed, form_get, form_pairs, lang_of, render, safe_next, NextQuery};
use crate::app::accounts::{self, random_token};
use crate::domain::lang::Lang;
use crate::store::accounts::SessionKind;
use crate::web::auth::{constant_eq, PageUser, SESSION_COOKIE};
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use std::net::SocketAddr;

const LOGIN_CSRF_COOKIE: &str = "lb_login";

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub lang: Lang,
    pub csrf: String,
    pub next: String,
    pub username: String,
    pub error: Option<String>,
}

impl LoginPage {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
    pub fn other_lang(&self) -> &'static str {
        self.lang.other().code()
    }
    pub fn other_lang_label(&self) -> &'static str {
        self.lang.t("English", "中文")
    }
    pub fn next_encoded(&self) -> String {
        crate::web::auth::urlencode(&format!("/login?next={}", crate::web::auth::urlencode(&self.next)))
    }
}

/// Cookies are marked Secure when the station serves over HTTPS (behind a proxy).
pub fn secure_cookies() -> bool {
    std::env::var("LAOBING_SECURE_COOKIES").is_ok_and(|v| v == "1" || v == "true")
}

fn login_page(
    jar: CookieJar,
    lang: Lang,
    next: String,
    username: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    // Login CSRF: a random value in a cookie and in the form must match, so
    // another site cannot sign a visitor into an account of its choosing.
    let csrf = random_token();
    let cookie = Cookie::build((LOGIN_CSRF_COOKIE, csrf.clone()))
        .path("/login")
        .http_only(true)
        .secure(secure_cookies())
        .same_site(SameSite::Strict)
        .build();
    let page = LoginPage { lang, csrf, next, username, error };
    let mut res = render(&page);
    *res.status_mut() = status;
    (jar.add(cookie), res).into_response()
}

pub async fn form(headers: HeaderMap, jar: CookieJar, Query(q): Query<NextQuery>) -> Response {
    login_page(jar, lang_of(&headers), safe_next(q.next.as_deref()), String::new(), None, StatusCode::OK)
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
    let next = safe_next(form_get(&pairs, "next"));
    let username = form_get(&pairs, "username").unwrap_or("").trim().to_string();
    let password = form_get(&pairs, "password").unwrap_or("").to_string();
    let sent = form_get(&pairs, "csrf").unwrap_or("");
    let expected = jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    if !constant_eq(sent, &expected) {
        let msg = lang.t("页面已过期，请重新登录", "The page expired; please sign in again").to_string();
        return login_page(jar, lang, next, username, Some(msg), StatusCode::FORBIDDEN);
    }
    if username.is_empty() || password.is_empty() {
        let msg = lang.t("请输入用户名和密码", "Enter your user name and password").to_string();
        return login_page(jar, lang, next, username, Some(msg), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let totp = form_get(&pairs, "totp").map(str::trim).filter(|c| !c.is_empty());
    let cred = accounts::Credentials { username: &username, password: &password, totp, client: addr.ip() };
    let session = match accounts::sign_in(&state, &cred, SessionKind::Web).await {
        Ok(Ok(s)) => s,
        Ok(Err(fail)) => {
            let e = fail.error();
            let msg = match fail {
                accounts::LoginFailure::TotpNeeded => lang
                    .t("该账号已开启两步验证：请再次输入密码，并填写验证器应用显示的6位数字（或一个恢复码）", "This account has a second factor: enter the password again with the 6 digits your authenticator app shows (or a recovery code)")
                    .to_string(),
                _ => lang.t(&e.zh, &e.en).to_string(),
            };
            return login_page(jar, lang, next, username, Some(msg), e.status);
        }
        Err(e) => return super::error_page(lang, e),
    };
    let cookie = Cookie::build((SESSION_COOKIE, session.token))
        .path("/")
        .http_only(true)
        .secure(secure_cookies())
        .same_site(SameSite::Lax)
        .build();
    let jar = jar.remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/login")).add(cookie);
    (jar, Redirect::to(&next)).into_response()
}

pub async fn logout(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    jar: CookieJar,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    if !super::csrf_ok(&caller, &pairs) {
        return csrf_failed(lang_of(&headers));
    }
    if let Err(e) = accounts::sign_out(&state, &caller).await {
        return super::error_page(lang_of(&headers), e);
    }
    (jar.remove(Cookie::build(SESSION_COOKIE).path("/")), Redirect::to("/login")).into_response()
}
