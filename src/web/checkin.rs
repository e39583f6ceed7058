//! Check-in by QR code on site, and the public certificate check.
//!
//! The code on site holds a link with a signed, time-limited token: anyone can
//! read it, nobody can make one for another activity or extend its life.

use super::auth::PageUser;
use super::error::ApiError;
use super::pages::{csrf_failed, csrf_ok, error_page, form_get, form_pairs, lang_of, render, Flash};
use super::AppState;
use crate::app::activities::Activity;
use crate::app::attendance::{self, CheckinState, Scan};
use crate::app::certificates;
use crate::domain::error_code::ErrorCode;
use crate::domain::lang::Lang;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};

pub use crate::app::certificates::VerifiedCertificate;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/checkin/{token}", get(page).post(submit))
        .route("/verify/{code}", get(verify))
        .route("/verify", get(verify_form))
}

pub fn make_token(state: &AppState, a: &Activity) -> (String, DateTime<Utc>) {
    crate::app::field::make_token(state, a)
}

/// The activity a token names, if the signature holds and it has not expired.
pub fn read_token(state: &AppState, token: &str, now: DateTime<Utc>) -> Option<i64> {
    crate::app::field::read_token(state, token, now)
}

/// The QR code of a link, as SVG.
#[derive(Template)]
#[template(path = "checkin.html")]
pub struct CheckinPage {
    pub lang: Lang,
    pub csrf: String,
    pub token: String,
    pub activity: Activity,
    pub when: String,
    pub state: CheckinState,
    pub message: Option<Flash>,
    /// The scan was refused for good (no place, or the activity closed): no button to press again.
    pub refused: bool,
    /// The code from the leader's screen the link carried (empty for the long-lived link).
    pub code: String,
}

#[derive(serde::Deserialize, Default)]
pub struct CodeParam {
    pub c: Option<String>,
}

impl CheckinPage {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
}

async fn load(state: &AppState, token: &str) -> Result<Activity, ApiError> {
    let id = read_token(state, token, Utc::now()).ok_or_else(|| {
        ApiError::new(
            ErrorCode::CheckinExpired,
            "签到码无效或已过期，请向队长索取新的签到码",
            "This check-in code is invalid or has expired",
        )
    })?;
    attendance::activity_for_checkin(state, id).await
}

#[allow(clippy::too_many_arguments)]
async fn render_page(
    state: &AppState,
    lang: Lang,
    csrf: &str,
    token: &str,
    code: &str,
    a: Activity,
    volunteer_id: i64,
    message: Option<Flash>,
) -> Result<Response, ApiError> {
    let now_state = attendance::checkin_state(state, &a, volunteer_id).await?;
    let when = format!(
        "{} — {}",
        crate::domain::clock::minute_text(a.starts_at),
        crate::domain::clock::minute_text(a.ends_at)
    );
    Ok(render(&CheckinPage {
        lang,
        csrf: csrf.to_string(),
        token: token.to_string(),
        activity: a,
        when,
        state: now_state,
        refused: message.as_ref().is_some_and(|m| !m.ok) && now_state == CheckinState::None,
        message,
        code: code.chars().filter(char::is_ascii_digit).take(6).collect(),
    }))
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<CodeParam>,
) -> Response {
    let lang = lang_of(&headers);
    let code = q.c.unwrap_or_default();
    let result = async {
        let a = load(&state, &token).await?;
        let vid = attendance::checking_volunteer(&caller)?;
        render_page(&state, lang, &caller.csrf, &token, &code, a, vid, None).await
    }
    .await;
    result.unwrap_or_else(|e| error_page(lang, e))
}

pub async fn submit(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let lang = lang_of(&headers);
    let pairs = form_pairs(&body);
    if !csrf_ok(&caller, &pairs) {
        return csrf_failed(lang);
    }
    let code = form_get(&pairs, "c").unwrap_or("").to_string();
    let result = async {
        let a = load(&state, &token).await?;
        let vid = attendance::checking_volunteer(&caller)?;
        let Some(action) = form_get(&pairs, "action").and_then(Scan::parse) else {
            return render_page(&state, lang, &caller.csrf, &token, &code, a, vid, None).await;
        };
        // the page without its script sends no position: the check-in waits for the leader
        let report = crate::app::field::Report { code: Some(code.clone()), ..Default::default() };
        let message = match crate::app::field::self_check(&state, &caller, &a, action, report).await {
            Ok(o) => {
                o.outcome.message().map(|(zh, en)| Flash { text: lang.t(zh, en).to_string(), ok: !o.outcome.refused() })
            }
            Err(e) if e.code == ErrorCode::CheckinExpired || e.code == ErrorCode::TooFarAway => {
                Some(Flash::refused(lang.t(&e.zh, &e.en)))
            }
            Err(e) => return Err(e),
        };
        render_page(&state, lang, &caller.csrf, &token, &code, a, vid, message).await
    }
    .await;
    result.unwrap_or_else(|e| error_page(lang, e))
}

#[derive(Template)]
#[template(path = "verify.html")]
pub struct VerifyPage {
    pub lang: Lang,
    pub c: VerifiedCertificate,
    pub issued: String,
}

impl VerifyPage {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
}

#[utoipa::path(get, path = "/verify/{code}", tag = "service records", params(("code" = String, Path, description = "the code printed on the certificate")),
    responses((status = 200, body = VerifiedCertificate, description = "JSON when asked for with Accept: application/json, else a page"), (status = 404)))]
pub async fn verify_json() {}

/// Open to anyone, no login: a page for people, JSON for programs.
pub async fn verify(State(state): State<AppState>, headers: HeaderMap, Path(code): Path<String>) -> Response {
    let lang = lang_of(&headers);
    let wants_json =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"));
    match certificates::verify(&state, &code).await {
        Ok(Some(c)) if wants_json => Json(c).into_response(),
        Ok(Some(c)) => {
            let issued = crate::domain::clock::minute_text(c.issued_at);
            render(&VerifyPage { lang, c, issued })
        }
        Ok(None) => {
            let e = ApiError::new(
                ErrorCode::CertificateNotFound,
                "查无此证明，请核对验证码",
                "No certificate has this code",
            );
            if wants_json {
                e.into_response()
            } else {
                error_page(lang, e)
            }
        }
        Err(e) => error_page(lang, e),
    }
}

/// The box to type a certificate's code into, for those without the QR code.
#[derive(Template)]
#[template(path = "verify_form.html")]
pub struct VerifyFormPage {
    pub lang: Lang,
    pub code: String,
    pub error: Option<String>,
}

impl VerifyFormPage {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
}

#[derive(serde::Deserialize)]
pub struct CodeQuery {
    pub code: Option<String>,
}

/// `/verify`: a box for the code; a code that names a certificate leads to it.
pub async fn verify_form(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<CodeQuery>) -> Response {
    let lang = lang_of(&headers);
    let code = q.code.unwrap_or_default().trim().to_string();
    if code.is_empty() {
        return render(&VerifyFormPage { lang, code, error: None });
    }
    match certificates::verify(&state, &code).await {
        Ok(Some(c)) => Redirect::to(&format!("/verify/{}", c.code)).into_response(),
        Ok(None) => {
            let error = Some(lang.t("查无此证明，请核对验证码", "No certificate has this code").to_string());
            let mut res = render(&VerifyFormPage { lang, code, error });
            *res.status_mut() = axum::http::StatusCode::NOT_FOUND;
            res
        }
        Err(e) => error_page(lang, e),
    }
}

/// The check-in code of an activity as an SVG image, for the leader to show or print.
pub async fn qr_image(state: &AppState, base: &str, a: &Activity) -> String {
    let (token, _) = make_token(state, a);
    crate::web::qr::qr_svg(&format!("{base}/checkin/{token}"))
}

pub fn redirect_to_login(next: &str) -> Response {
    Redirect::to(&format!("/login?next={}", super::auth::urlencode(next))).into_response()
}
