//! Check-in by QR code on site, and the public certificate check.
//!
//! The code on site holds a link with a signed, time-limited token: anyone can
//! read it, nobody can make one for another activity or extend its life.

use super::auth::PageUser;
use super::error::ApiError;
use super::pages::{csrf_failed, csrf_ok, error_page, form_get, form_pairs, lang_of, render};
use super::AppState;
use crate::domain::lang::Lang;
use crate::domain::service::hours;
use crate::store::activities::{self as store, Activity};
use crate::store::{certificates, settings, volunteers as volunteer_store};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new().route("/checkin/{token}", get(page).post(submit)).route("/verify/{code}", get(verify))
}

/// How long after an activity's end its code still works, for late check-outs.
const GRACE_HOURS: i64 = 2;

pub fn make_token(state: &AppState, a: &Activity) -> (String, DateTime<Utc>) {
    let expires = a.ends_at + Duration::hours(GRACE_HOURS);
    let exp = expires.timestamp();
    let sig = state.db.vault.sign(&format!("checkin:{}:{exp}", a.id));
    (format!("{}-{exp}-{sig}", a.id), expires)
}

/// The activity a token names, if the signature holds and it has not expired.
pub fn read_token(state: &AppState, token: &str, now: DateTime<Utc>) -> Option<i64> {
    let mut parts = token.splitn(3, '-');
    let id: i64 = parts.next()?.parse().ok()?;
    let exp: i64 = parts.next()?.parse().ok()?;
    let sig = parts.next()?;
    let expected = state.db.vault.sign(&format!("checkin:{id}:{exp}"));
    (super::auth::constant_eq(sig, &expected) && now.timestamp() <= exp).then_some(id)
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
    /// none, in or out
    pub state: &'static str,
    pub message: Option<String>,
}

impl CheckinPage {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
}

async fn load(state: &AppState, token: &str) -> Result<Activity, ApiError> {
    let id = read_token(state, token, Utc::now()).ok_or_else(|| {
        ApiError::new(
            crate::domain::error_code::ErrorCode::CheckinExpired,
            "签到码无效或已过期，请向队长索取新的签到码",
            "This check-in code is invalid or has expired",
        )
    })?;
    store::get(&state.db.pool, id).await?.ok_or_else(ApiError::not_found)
}

async fn render_page(
    state: &AppState,
    lang: Lang,
    csrf: &str,
    token: &str,
    a: Activity,
    volunteer_id: i64,
    message: Option<String>,
) -> Result<Response, ApiError> {
    let now_state = match store::attendance_of(&state.db.pool, a.id, volunteer_id).await? {
        None => "none",
        Some((_, None)) => "in",
        Some((_, Some(_))) => "out",
    };
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
        message,
    }))
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let lang = lang_of(&headers);
    let result = async {
        let a = load(&state, &token).await?;
        let vid = caller.volunteer_id.ok_or_else(|| {
            ApiError::new(
                crate::domain::error_code::ErrorCode::NotAVolunteer,
                "请用志愿者本人的账号签到",
                "Check in with your own volunteer account",
            )
        })?;
        render_page(&state, lang, &caller.csrf, &token, a, vid, None).await
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
    let result = async {
        let a = load(&state, &token).await?;
        let vid = caller.volunteer_id.ok_or_else(|| {
            ApiError::new(
                crate::domain::error_code::ErrorCode::NotAVolunteer,
                "请用志愿者本人的账号签到",
                "Check in with your own volunteer account",
            )
        })?;
        let now = Utc::now();
        let signup = store::signup_status(&state.db.pool, a.id, vid).await?;
        let message = if signup.as_deref() != Some("signed_up") {
            Some(
                lang.t(
                    "您没有该活动的名额，请先报名或联系队长",
                    "You have no place in this activity; sign up or ask the leader",
                )
                .to_string(),
            )
        } else if a.status != "open" {
            Some(
                lang.t("活动已结束，不能再扫码签到签退", "The activity is closed; the code no longer records")
                    .to_string(),
            )
        } else if now < a.starts_at - Duration::hours(2) {
            Some(lang.t("活动开始前两小时内才能签到", "Check-in opens two hours before the start").to_string())
        } else {
            let rules =
                settings::rules_at(&state.db.pool, &a.region_path, crate::domain::service::local_date(a.starts_at))
                    .await?;
            match (form_get(&pairs, "action"), store::attendance_of(&state.db.pool, a.id, vid).await?) {
                (Some("in"), None) => {
                    // service counts from the start, however early one arrives
                    let check_in = if now < a.starts_at { a.starts_at } else { now };
                    store::attend(
                        &state.db.pool,
                        &a,
                        vid,
                        check_in,
                        None,
                        "qr",
                        Some(caller.user_id),
                        &rules,
                        crate::today_local(),
                    )
                    .await?;
                    caller.audit(&state, "check_in", "activity", &a.id.to_string(), "qr").await;
                    Some(lang.t("签到成功", "Checked in").to_string())
                }
                (Some("out"), Some((check_in, None))) => {
                    // and up to the end, however late one leaves
                    let end = if now < a.ends_at { now } else { a.ends_at };
                    let out = if end > check_in { end } else { check_in };
                    store::attend(
                        &state.db.pool,
                        &a,
                        vid,
                        check_in,
                        Some(out),
                        "qr",
                        Some(caller.user_id),
                        &rules,
                        crate::today_local(),
                    )
                    .await?;
                    caller.audit(&state, "check_out", "activity", &a.id.to_string(), "qr").await;
                    Some(lang.t("签退成功，本次服务已记录", "Checked out; this service is recorded").to_string())
                }
                _ => None,
            }
        };
        render_page(&state, lang, &caller.csrf, &token, a, vid, message).await
    }
    .await;
    result.unwrap_or_else(|e| error_page(lang, e))
}

/// What anyone checking a certificate sees: enough to trust it, no more.
#[derive(Serialize, ToSchema)]
pub struct VerifiedCertificate {
    pub code: String,
    pub volunteer_no: String,
    pub name: String,
    pub hours: f64,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub records: i64,
    pub content: String,
    pub issued_by: String,
    pub issued_at: DateTime<Utc>,
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

pub async fn find_certificate(state: &AppState, code: &str) -> Result<Option<VerifiedCertificate>, ApiError> {
    let Some(c) = certificates::by_code(&state.db.pool, code).await? else { return Ok(None) };
    let v = volunteer_store::get(&state.db.pool, c.volunteer_id).await?.ok_or_else(ApiError::internal)?;
    Ok(Some(VerifiedCertificate {
        hours: hours(c.minutes),
        code: c.code,
        volunteer_no: v.volunteer_no,
        name: v.name,
        from: c.period_from,
        to: c.period_to,
        records: c.records,
        content: c.content,
        issued_by: c.issued_by,
        issued_at: c.issued_at,
    }))
}

#[utoipa::path(get, path = "/verify/{code}", tag = "service records",
    responses((status = 200, body = VerifiedCertificate, description = "JSON when asked for with Accept: application/json, else a page"), (status = 404)))]
pub async fn verify_json() {}

/// Open to anyone, no login: a page for people, JSON for programs.
pub async fn verify(State(state): State<AppState>, headers: HeaderMap, Path(code): Path<String>) -> Response {
    let lang = lang_of(&headers);
    let wants_json =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"));
    match find_certificate(&state, &code).await {
        Ok(Some(c)) if wants_json => Json(c).into_response(),
        Ok(Some(c)) => {
            let issued = crate::domain::clock::minute_text(c.issued_at);
            render(&VerifyPage { lang, c, issued })
        }
        Ok(None) => {
            let e = ApiError::new(
                crate::domain::error_code::ErrorCode::CertificateNotFound,
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

/// The check-in code of an activity as an SVG image, for the leader to show or print.
pub async fn qr_image(state: &AppState, base: &str, a: &Activity) -> String {
    let (token, _) = make_token(state, a);
    crate::web::qr::qr_svg(&format!("{base}/checkin/{token}"))
}

pub fn redirect_to_login(next: &str) -> Response {
    Redirect::to(&format!("/login?next={}", super::auth::urlencode(next))).into_response()
}
