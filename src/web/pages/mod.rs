//! Server-rendered pages: Chinese first with an English switch, phone-sized
//! screens first, no front-end framework. Templates live in `templates/` and
//! are compiled into the binary, as are the static files.

pub mod account;
pub mod activities;
pub mod announcements;
pub mod applications;
pub mod care;
pub mod coverage;
pub mod dashboard;
pub mod grids;
pub mod imports;
pub mod inbox;
pub mod incentives;
pub mod leads;
pub mod ledger;
pub mod login;
pub mod me;
pub mod mentoring;
pub mod mobilizations;
pub mod needs;
pub mod photos;
pub mod public;
pub mod regions;
pub mod reports;
pub mod teams;
pub mod volunteers;

use super::auth::{Caller, LANG_COOKIE};
use super::error::ApiError;
use super::AppState;
use crate::domain::lang::Lang;
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use serde_json::{Map, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/account", get(account::page))
        .route("/account/password", get(account::password_form).post(account::password_submit))
        .route("/account/totp", get(account::totp_form).post(account::totp_act))
        .route("/account/sessions", post(account::sessions_act))
        .route("/accounts", get(account::list).post(account::act))
        .route("/lang/{code}", get(switch_lang))
        .route("/regions", get(regions::page).post(regions::create))
        .route("/coverage", get(coverage::page))
        .route("/teams", get(teams::list))
        .route("/teams/{id}", get(teams::show))
        .route("/teams/{id}/members", post(teams::add_member))
        .route("/teams/{id}/members/{volunteer_id}/remove", post(teams::remove_member))
        .route("/me", get(me::page))
        .route("/inbox", get(inbox::page))
        .route("/public/needs/new", get(public::new_form))
        .route("/public/needs", post(public::submit))
        .route("/public/needs/{token}", get(public::follow))
        .route("/public/needs/{token}/rating", post(public::rate))
        .route("/needs", get(needs::list).post(needs::create))
        .route("/mobilizations", get(mobilizations::list).post(mobilizations::create))
        .route("/mobilizations/{id}", get(mobilizations::show).post(mobilizations::act))
        .route("/needs/{id}", get(needs::show).post(needs::act))
        .route("/shop", get(incentives::shop).post(incentives::shop_act))
        .route("/leaderboards", get(incentives::leaderboards))
        .route("/assessments", get(incentives::assessments))
        .route("/reports", get(reports::page))
        .route("/rules", get(incentives::rules).post(incentives::save_rules))
        .route("/activities", get(activities::list).post(activities::create))
        .route("/activities/{id}", get(activities::show).post(activities::act))
        .route("/activities/{id}/sheet", get(activities::print_sheet))
        .route("/activities/{id}/ledger", get(ledger::page))
        .route("/activities/{id}/live-code", get(activities::live_code))
        .route("/ledger", get(ledger::book))
        .route("/care", get(care::list).post(care::act))
        .route("/care/{id}", get(care::show).post(care::log_visit))
        .route("/care/campaigns/{id}", get(care::campaign))
        .route("/grids", get(grids::page))
        .route("/announcements", get(announcements::list).post(announcements::create))
        .route("/announcements/{id}", get(announcements::show))
        .route("/volunteers/{id}/certificate", get(me::certificate).post(me::issue_certificate))
        .route("/volunteers", get(volunteers::list))
        .route(
            "/imports",
            get(imports::form)
                .post(imports::submit)
                .layer(axum::extract::DefaultBodyLimit::max(crate::app::roster::MAX_UPLOAD)),
        )
        .route("/volunteers/new", get(volunteers::new_form).post(volunteers::create))
        .route("/volunteers/{id}", get(volunteers::show))
        .route("/volunteers/{id}/edit", get(volunteers::edit_form).post(volunteers::update))
        .route("/volunteers/{id}/erase", get(volunteers::erase_form).post(volunteers::erase))
        .route("/mentoring", get(mentoring::page).post(mentoring::act))
        .route("/leads", get(leads::page).post(leads::act))
        .route("/applications", get(applications::page).post(applications::act))
        .route("/join", get(applications::join_form).post(applications::join_submit))
        .route("/join/sent", get(applications::join_sent))
        // the static files: by their content-hashed address, or their plain one
        .route("/static/{file}", get(crate::web::assets::serve))
        // the service worker's address never changes (browsers find it by it),
        // and it is checked for a new version on every visit
        .route("/sw.js", get(|h: HeaderMap| async move { crate::web::assets::fixed("sw.js", &h) }))
        .route("/favicon.svg", get(|h: HeaderMap| async move { crate::web::assets::fixed("favicon.svg", &h) }))
        .route("/favicon.ico", get(|h: HeaderMap| async move { crate::web::assets::fixed("favicon.svg", &h) }))
}

/// The line shown above a page after an action: green when it worked, red
/// (and announced as an alert) when it was refused.
#[derive(Debug, Clone)]
pub struct Flash {
    pub text: String,
    pub ok: bool,
}

impl Flash {
    pub fn ok(text: impl Into<String>) -> Flash {
        Flash { text: text.into(), ok: true }
    }

    pub fn refused(text: impl Into<String>) -> Flash {
        Flash { text: text.into(), ok: false }
    }

    /// Green for a 2xx answer, red for anything else.
    pub fn for_status(text: impl Into<String>, status: StatusCode) -> Flash {
        Flash { text: text.into(), ok: status.is_success() }
    }

    pub fn class(&self) -> &'static str {
        if self.ok {
            "alert ok"
        } else {
            "alert"
        }
    }

    pub fn role(&self) -> &'static str {
        if self.ok {
            "status"
        } else {
            "alert"
        }
    }
}

/// What every signed-in page shows around its content.
pub struct Chrome {
    pub lang: Lang,
    pub username: String,
    pub role_label: String,
    pub csrf: String,
    /// Which menu entry is lit.
    pub nav: &'static str,
    /// The current path, to come back to after switching language.
    pub here: String,
    pub staff: bool,
    /// A volunteer's own account: the menu leads to "my service".
    pub volunteer: bool,
    /// Reads other people's profiles (everyone but a plain volunteer).
    pub reads_roster: bool,
}

impl Chrome {
    pub fn new(caller: &Caller, lang: Lang, nav: &'static str, here: &str) -> Chrome {
        let (zh, en) = caller.role.label();
        Chrome {
            lang,
            username: caller.display_name.clone(),
            role_label: lang.t(zh, en).to_string(),
            csrf: caller.csrf.clone(),
            nav,
            here: here.to_string(),
            staff: caller.role.manages_roster(),
            volunteer: caller.volunteer_id.is_some(),
            reads_roster: caller.role.reads_roster(),
        }
    }

    /// A label pair (`status.label()`) in the page's language.
    pub fn l<'a>(&self, label: (&'a str, &'a str)) -> &'a str {
        self.lang.t(label.0, label.1)
    }

    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }

    pub fn other_lang(&self) -> &'static str {
        self.lang.other().code()
    }

    pub fn other_lang_label(&self) -> &'static str {
        self.lang.t("English", "中文")
    }

    pub fn here_encoded(&self) -> String {
        super::auth::urlencode(&self.here)
    }

    pub fn lit(&self, nav: &str) -> &'static str {
        if self.nav == nav {
            "on"
        } else {
            ""
        }
    }

    /// A menu group is lit when the page is one of its entries (`navs`, space-separated).
    pub fn lit_group(&self, navs: &str) -> &'static str {
        if navs.split_whitespace().any(|n| n == self.nav) {
            "on"
        } else {
            ""
        }
    }
}

pub fn lang_of(headers: &HeaderMap) -> Lang {
    super::auth::request_lang(headers, None)
}

/// Renders a template, or a plain error page if rendering itself fails.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// Renders a template with a status other than 200 (a form shown again with
/// its errors, a conflict explained on the page).
pub fn render_status<T: Template>(t: &T, status: StatusCode) -> Response {
    let mut res = render(t);
    *res.status_mut() = status;
    res
}

/// The field problems of an error in one line, in the page's language.
pub fn problems_text(lang: Lang, e: &ApiError) -> String {
    e.fields.iter().map(|p| lang.t(&p.zh, &p.en).to_string()).collect::<Vec<_>>().join("；")
}

pub use super::error::{error_page, ErrorPage};

#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

/// Only local paths are followed, so a link cannot send people elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        // browsers drop tabs and newlines and read `\` as `/`: refuse them all
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            n.to_string()
        }
        _ => "/".into(),
    }
}

async fn switch_lang(Path(code): Path<String>, Query(q): Query<NextQuery>, jar: CookieJar) -> (CookieJar, Redirect) {
    let lang = Lang::from_tag(&code).unwrap_or_default();
    let cookie = Cookie::build((LANG_COOKIE, lang.code())).path("/").same_site(SameSite::Lax).permanent().build();
    (jar.add(cookie), Redirect::to(&safe_next(q.next.as_deref())))
}

/// A urlencoded form as pairs; repeated keys (check boxes) stay repeated.
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    // a NUL is never typed by a person, and PostgreSQL refuses it in text
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k.replace('\0', ""), v.replace('\0', "")))
        .collect()
}

pub fn form_get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// A field's text, trimmed, as the JSON the API takes; absent when left blank.
pub fn form_value(pairs: &[(String, String)], key: &str) -> Option<Value> {
    form_get(pairs, key).map(str::trim).filter(|v| !v.is_empty()).map(|v| Value::from(v.to_string()))
}

/// The CSRF token of a form anyone may fill in without signing in: kept in a
/// cookie scoped to the form's path and echoed by a hidden field. One token
/// per browser, so several tabs and a re-shown form all still work.
pub fn visitor_token(jar: &CookieJar, name: &'static str, path: &'static str) -> (String, Cookie<'static>) {
    let token = jar
        .get(name)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() >= 32)
        .unwrap_or_else(crate::app::accounts::random_token);
    let cookie = Cookie::build((name, token.clone())).path(path).http_only(true).same_site(SameSite::Strict).build();
    (token, cookie)
}

/// Whether a posted visitor form echoes the token of its cookie.
pub fn visitor_token_ok(jar: &CookieJar, name: &str, pairs: &[(String, String)]) -> bool {
    let expected = jar.get(name).map(|c| c.value().to_string()).unwrap_or_default();
    super::auth::constant_eq(form_get(pairs, "csrf").unwrap_or(""), &expected)
}

/// Checks the form's CSRF token against the session's.
pub fn csrf_ok(caller: &Caller, pairs: &[(String, String)]) -> bool {
    super::auth::constant_eq(form_get(pairs, "csrf").unwrap_or(""), &caller.csrf)
}

pub fn csrf_failed(lang: Lang) -> Response {
    error_page(
        lang,
        ApiError::new(
            crate::domain::error_code::ErrorCode::CsrfFailed,
            "页面已过期，请返回刷新后重试",
            "The page has expired; go back, reload and try again",
        ),
    )
}

/// Form fields as the JSON object the API validators read; empty fields are
/// left out and `list_keys` gather every value of a repeated key.
pub fn form_to_map(pairs: &[(String, String)], list_keys: &[&str], bool_keys: &[&str]) -> Map<String, Value> {
    let mut m = Map::new();
    for (k, v) in pairs {
        if k == "csrf" {
            continue;
        }
        if list_keys.contains(&k.as_str()) {
            let entry = m.entry(k.clone()).or_insert_with(|| Value::Array(vec![]));
            if let Value::Array(a) = entry {
                if !v.trim().is_empty() {
                    a.push(Value::String(v.clone()));
                }
            }
        } else if bool_keys.contains(&k.as_str()) {
            m.insert(k.clone(), Value::Bool(v == "on" || v == "true" || v == "1"));
        } else if !v.trim().is_empty() {
            m.insert(k.clone(), Value::String(v.clone()));
        }
    }
    m
}

/// A share as the width of a meter drawn 100 units wide (0 when there is nothing to count).
/// Meters are SVG rectangles rather than styled spans: the Content-Security-Policy
/// allows no inline `style` attribute.
pub fn pct_width(part: i64, whole: i64) -> String {
    if whole <= 0 {
        "0".into()
    } else {
        format!("{:.1}", (part as f64 * 100.0 / whole as f64).clamp(0.0, 100.0))
    }
}

/// Numbers for templates, with thousands left plain (towns count in hundreds).
pub fn pct(part: i64, whole: i64) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}
