//! One's own account (password, second factor, sessions) and staff's list
//! of the accounts in their scope.

use super::{csrf_failed, csrf_ok, error_page, form_get, form_pairs, lang_of, render_status, Chrome, Flash};
use crate::app::accounts::{self, NewAccount, Pending};
use crate::domain::account::Role;
use crate::domain::clock::minute_text;
use crate::domain::lang::Lang;
use crate::store::accounts::NewSession;
use crate::store::accounts::SessionKind;
use crate::web::auth::{Caller, PageUser, SESSION_COOKIE};
use crate::web::error::ApiError;
use crate::web::qr::qr_svg;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

fn error_text(lang: Lang, e: &ApiError) -> String {
    let p = super::problems_text(lang, e);
    if p.is_empty() {
        lang.t(&e.zh, &e.en).to_string()
    } else {
        format!("{} {}", lang.t(&e.zh, &e.en), p)
    }
}

/// The new session's cookie, in place of the one that ended.
fn with_session(jar: CookieJar, s: NewSession) -> CookieJar {
    jar.add(
        Cookie::build((SESSION_COOKIE, s.token))
            .path("/")
            .http_only(true)
            .secure(super::login::secure_cookies())
            .same_site(SameSite::Lax)
            .build(),
    )
}

pub struct SessionRow {
    pub id: String,
    pub kind: String,
    pub started: String,
    pub seen: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "account/mine.html")]
pub struct AccountPage {
    pub c: Chrome,
    pub flash: Option<Flash>,
    pub username: String,
    pub totp_on: bool,
    pub totp_required: bool,
    pub codes_left: i64,
    pub sessions: Vec<SessionRow>,
}

async fn account_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    flash: Option<Flash>,
) -> Result<AccountPage, ApiError> {
    let status = accounts::totp_status(state, caller).await?;
    let sessions = accounts::my_sessions(state, caller).await?;
    Ok(AccountPage {
        c: Chrome::new(caller, lang, "account", "/account"),
        flash,
        username: caller.username.clone(),
        totp_on: status.enabled,
        totp_required: status.required,
        codes_left: status.recovery_codes_left,
        sessions: sessions
            .into_iter()
            .map(|s| SessionRow {
                id: s.id,
                kind: match s.kind {
                    SessionKind::Web => lang.t("网页", "Browser"),
                    SessionKind::Api => lang.t("接口令牌", "API token"),
                }
                .to_string(),
                started: minute_text(s.created_at),
                seen: minute_text(s.last_seen_at),
                current: s.current,
            })
            .collect(),
    })
}

fn show_account(r: Result<AccountPage, ApiError>, lang: Lang, status: StatusCode) -> Response {
    match r {
        Ok(p) => render_status(&p, status),
        Err(e) => error_page(lang, e),
    }
}

pub async fn page(State(state): State<AppState>, PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    show_account(account_page(&state, &caller, lang, None).await, lang, StatusCode::OK)
}

/// Ends one of one's own sessions, or all the others.
pub async fn sessions_act(
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
    let r = match form_get(&pairs, "end") {
        Some("others") => accounts::end_my_other_sessions(&state, &caller).await.map(|_| ()),
        Some(id) => accounts::end_my_session(&state, &caller, id).await,
        None => Err(ApiError::bad_request("缺少要结束的会话", "Which session to end?")),
    };
    let (flash, status) = match r {
        Ok(()) => (Flash::ok(lang.t("已结束该会话", "Session ended")), StatusCode::OK),
        Err(e) => (Flash::refused(error_text(lang, &e)), e.status),
    };
    show_account(account_page(&state, &caller, lang, Some(flash)).await, lang, status)
}

#[derive(Template)]
#[template(path = "account/password.html")]
pub struct PasswordPage {
    pub c: Chrome,
    pub flash: Option<Flash>,
    /// Staff gave a temporary password: nothing else opens until it is changed.
    pub forced: bool,
}

fn password_page(caller: &Caller, lang: Lang, flash: Option<Flash>, status: StatusCode) -> Response {
    let p = PasswordPage {
        c: Chrome::new(caller, lang, "account", "/account/password"),
        flash,
        forced: caller.pending == Some(Pending::Password),
    };
    render_status(&p, status)
}

pub async fn password_form(PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    password_page(&caller, lang_of(&headers), None, StatusCode::OK)
}

pub async fn password_submit(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    jar: CookieJar,
    body: Bytes,
) -> Response {
    let lang = lang_of(&headers);
    let pairs = form_pairs(&body);
    if !csrf_ok(&caller, &pairs) {
        return csrf_failed(lang);
    }
    let current = form_get(&pairs, "current_password").unwrap_or("");
    let new = form_get(&pairs, "new_password").unwrap_or("");
    if new != form_get(&pairs, "confirm_password").unwrap_or("") {
        let msg = lang.t("两次输入的新密码不一致", "The two new passwords differ");
        return password_page(&caller, lang, Some(Flash::refused(msg)), StatusCode::UNPROCESSABLE_ENTITY);
    }
    match accounts::change_own_password(&state, &caller, current, new, SessionKind::Web).await {
        Ok(s) => {
            let to = match s.pending {
                Some(Pending::Totp) => "/account/totp",
                _ => "/account?changed=1",
            };
            (with_session(jar, s), Redirect::to(to)).into_response()
        }
        Err(e) => password_page(&caller, lang, Some(Flash::refused(error_text(lang, &e))), e.status),
    }
}

#[derive(Template)]
#[template(path = "account/totp.html")]
pub struct TotpPage {
    pub c: Chrome,
    pub flash: Option<Flash>,
    pub on: bool,
    pub required: bool,
    /// Waiting for the second factor before anything else opens.
    pub forced: bool,
    pub secret: String,
    pub qr: String,
    /// Shown once, right after enrolling.
    pub codes: Vec<String>,
    pub codes_left: i64,
}

async fn totp_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    flash: Option<Flash>,
    codes: Vec<String>,
    status: StatusCode,
) -> Response {
    let r = async {
        let st = accounts::totp_status(state, caller).await?;
        let enrolment = if st.enabled {
            None
        } else {
            match accounts::pending_enrolment(state, caller).await? {
                Some(e) => Some(e),
                None => Some(accounts::start_totp(state, caller).await?),
            }
        };
        Ok::<_, ApiError>(TotpPage {
            c: Chrome::new(caller, lang, "account", "/account/totp"),
            flash,
            on: st.enabled,
            required: st.required,
            forced: caller.pending == Some(Pending::Totp),
            secret: enrolment.as_ref().map(|e| e.secret.clone()).unwrap_or_default(),
            qr: enrolment.as_ref().map(|e| qr_svg(&e.uri)).unwrap_or_default(),
            codes,
            codes_left: st.recovery_codes_left,
        })
    }
    .await;
    match r {
        Ok(p) => render_status(&p, status),
        Err(e) => error_page(lang, e),
    }
}

pub async fn totp_form(State(state): State<AppState>, PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    totp_page(&state, &caller, lang_of(&headers), None, Vec::new(), StatusCode::OK).await
}

pub async fn totp_act(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    jar: CookieJar,
    body: Bytes,
) -> Response {
    let lang = lang_of(&headers);
    let pairs = form_pairs(&body);
    if !csrf_ok(&caller, &pairs) {
        return csrf_failed(lang);
    }
    match form_get(&pairs, "action") {
        Some("confirm") => {
            match accounts::confirm_totp(&state, &caller, form_get(&pairs, "totp").unwrap_or("")).await {
                Ok(done) => {
                    let flash = Flash::ok(lang.t(
                    "两步验证已开启。请把下面的恢复码抄下来妥善保管，每个只能用一次，此后不再显示。",
                    "The second factor is on. Write down the recovery codes below; each works once and they are not shown again.",
                ));
                    // the page is drawn for the caller as they now are (a new session when one was waiting)
                    let caller = match &done.session {
                        Some(s) => match accounts::caller_from_token(&state, &s.token).await {
                            Ok(Some(c)) => c,
                            _ => caller,
                        },
                        None => caller,
                    };
                    let res = totp_page(&state, &caller, lang, Some(flash), done.recovery_codes, StatusCode::OK).await;
                    match done.session {
                        Some(s) => (with_session(jar, s), res).into_response(),
                        None => res,
                    }
                }
                Err(e) => {
                    totp_page(&state, &caller, lang, Some(Flash::refused(error_text(lang, &e))), Vec::new(), e.status)
                        .await
                }
            }
        }
        Some("disable") => {
            match accounts::disable_totp(&state, &caller, form_get(&pairs, "password").unwrap_or("")).await {
                Ok(()) => {
                    let flash = Flash::ok(lang.t("两步验证已关闭", "The second factor is off"));
                    totp_page(&state, &caller, lang, Some(flash), Vec::new(), StatusCode::OK).await
                }
                Err(e) => {
                    let flash = Flash::refused(error_text(lang, &e));
                    totp_page(&state, &caller, lang, Some(flash), Vec::new(), e.status).await
                }
            }
        }
        _ => totp_page(&state, &caller, lang, None, Vec::new(), StatusCode::BAD_REQUEST).await,
    }
}

pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub role: String,
    pub region: String,
    pub totp_on: bool,
    pub must_change: bool,
    pub locked: bool,
    pub sessions: i64,
    pub manageable: bool,
}

#[derive(Template)]
#[template(path = "account/list.html")]
pub struct AccountsPage {
    pub c: Chrome,
    pub flash: Option<Flash>,
    /// A temporary password just given, shown once.
    pub temporary: Option<(String, String)>,
    pub accounts: Vec<AccountRow>,
    /// Roles the caller may create, as (value, label).
    pub roles: Vec<(&'static str, String)>,
    pub regions: Vec<(i64, String)>,
    pub admin: bool,
    /// Roles that must use a second factor, as (value, label, on).
    pub totp_roles: Vec<(&'static str, String, bool)>,
    /// The search as typed, the role chosen (or empty), and the page.
    pub q: String,
    pub role: String,
    pub total: i64,
    pub page: i64,
    pub more: bool,
    pub prev_href: String,
    pub next_href: String,
}

/// The accounts list's search: words of a user name or a name, a role, a page.
#[derive(Deserialize, Default)]
pub struct AccountsFilter {
    pub q: Option<String>,
    pub role: Option<String>,
    pub page: Option<i64>,
}

impl AccountsFilter {
    /// This search on another page.
    pub fn href(&self, page: i64) -> String {
        let enc = crate::web::url::urlencode;
        let v = |o: &Option<String>| enc(o.as_deref().unwrap_or(""));
        format!("/accounts?q={}&role={}&page={page}", v(&self.q), v(&self.role))
    }
}

/// Accounts a phone can scroll through.
const ACCOUNTS_PER_PAGE: i64 = 30;

async fn accounts_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    flash: Option<Flash>,
    temporary: Option<(String, String)>,
    f: &AccountsFilter,
) -> Result<AccountsPage, ApiError> {
    let page = f.page.unwrap_or(1).max(1);
    // an unknown role in the address shows every role, as the select does
    let role = f.role.as_deref().and_then(Role::parse);
    let filter = accounts::AccountFilter {
        words: f.q.clone().unwrap_or_default(),
        role,
        limit: ACCOUNTS_PER_PAGE,
        offset: (page - 1).saturating_mul(ACCOUNTS_PER_PAGE),
    };
    let (list, total) = accounts::accounts_in_scope(state, caller, &filter).await?;
    let now = chrono::Utc::now();
    let required = accounts::totp_roles(state).await?;
    let regions =
        crate::app::regions::list(state, caller, &crate::app::regions::RegionQuery { region_id: None, kind: None })
            .await?;
    let label = |r: Role| lang.t(r.label().0, r.label().1).to_string();
    Ok(AccountsPage {
        c: Chrome::new(caller, lang, "accounts", "/accounts"),
        flash,
        temporary,
        accounts: list
            .into_iter()
            .map(|(a, manageable)| AccountRow {
                id: a.id,
                name: a.display_name,
                role: label(a.role),
                region: a.region_name.unwrap_or_default(),
                totp_on: a.totp_on,
                must_change: a.must_change_password,
                locked: a.locked_until.is_some_and(|u| u > now),
                sessions: a.sessions,
                manageable,
                username: a.username,
            })
            .collect(),
        roles: Role::ALL
            .into_iter()
            .filter(|r| caller.role == Role::Admin || *r != Role::Admin)
            .map(|r| (r.as_str(), label(r)))
            .collect(),
        regions: regions.into_iter().map(|r| (r.id, r.name)).collect(),
        admin: caller.role == Role::Admin,
        totp_roles: Role::ALL.into_iter().map(|r| (r.as_str(), label(r), required.contains(&r))).collect(),
        q: f.q.clone().unwrap_or_default(),
        role: role.map(|r| r.as_str().to_string()).unwrap_or_default(),
        total,
        page,
        more: total > page.saturating_mul(ACCOUNTS_PER_PAGE),
        prev_href: f.href(page - 1),
        next_href: f.href(page + 1),
    })
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Query(f): Query<AccountsFilter>,
) -> Response {
    let lang = lang_of(&headers);
    match accounts_page(&state, &caller, lang, None, None, &f).await {
        Ok(p) => render_status(&p, StatusCode::OK),
        Err(e) => error_page(lang, e),
    }
}

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
    let id = form_get(&pairs, "id").and_then(|v| v.trim().parse::<i64>().ok());
    let outcome: Result<(String, Option<(String, String)>), ApiError> = match (form_get(&pairs, "action"), id) {
        (Some("create"), _) => {
            let role = form_get(&pairs, "role").and_then(Role::parse);
            match role {
                None => Err(ApiError::field(crate::domain::validation::Problem::required("role"))),
                Some(role) => {
                    let n = NewAccount {
                        username: form_get(&pairs, "username").unwrap_or("").trim().to_string(),
                        role,
                        region_id: form_get(&pairs, "region_id").and_then(|v| v.trim().parse().ok()),
                        display_name: form_get(&pairs, "display_name").map(str::to_string),
                    };
                    accounts::create_account(&state, &caller, &n).await.map(|(_, temp)| {
                        (lang.t("账号已创建", "Account created").to_string(), Some((n.username, temp)))
                    })
                }
            }
        }
        (Some("reset"), Some(id)) => accounts::reset_password(&state, &caller, id).await.map(|(a, temp)| {
            (
                lang.t("密码已重置，该账号的会话已全部结束", "Password reset; the account's sessions ended")
                    .to_string(),
                Some((a.username, temp)),
            )
        }),
        (Some("end_sessions"), Some(id)) => accounts::end_sessions_of(&state, &caller, id)
            .await
            .map(|n| (format!("{} {n}", lang.t("已结束会话数：", "Sessions ended:")), None)),
        (Some("totp_roles"), _) => {
            let roles: Vec<Role> =
                pairs.iter().filter(|(k, _)| k == "totp_role").filter_map(|(_, v)| Role::parse(v)).collect();
            accounts::set_totp_roles(&state, &caller, &roles)
                .await
                .map(|_| (lang.t("已保存", "Saved").to_string(), None))
        }
        _ => Err(ApiError::bad_request("请求不正确", "The request is not valid")),
    };
    let (flash, temp, status) = match outcome {
        Ok((msg, temp)) => (Flash::ok(msg), temp, StatusCode::OK),
        Err(e) => (Flash::refused(error_text(lang, &e)), None, e.status),
    };
    match accounts_page(&state, &caller, lang, Some(flash), temp, &AccountsFilter::default()).await {
        Ok(p) => render_status(&p, status),
        Err(e) => error_page(lang, e),
    }
}
