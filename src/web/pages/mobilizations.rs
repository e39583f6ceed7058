//! The mobilisation board: headcount that updates by itself, who answered,
//! and the volunteer's yes or no.

use super::{csrf_failed, csrf_ok, error_page, form_get, form_pairs, lang_of, render, render_status, Chrome};
use crate::app::mobilizations::{self as mobilizations, CallAnswer, Mobilization, MobilizationPatch, MobilizationView};
use crate::domain::lang::Lang;
use crate::domain::needs::{Answer, MobilizationStatus};
use crate::web::auth::{Caller, PageUser};
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "mobilizations/list.html")]
pub struct ListPage {
    pub c: Chrome,
    pub list: Vec<Mobilization>,
    pub message: Option<String>,
}

pub async fn list(State(state): State<AppState>, PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    let result: Result<ListPage, ApiError> = async {
        Ok(ListPage {
            c: Chrome::new(&caller, lang, "mobilizations", "/mobilizations"),
            list: mobilizations::list(&state, &caller, None).await?,
            message: None,
        })
    }
    .await;
    match result {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

pub async fn create(
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
    let input = crate::app::input::from_form(super::form_to_map(&pairs, &["required_skills"], &["insurance"]));
    match async { mobilizations::create(&state, &caller, input?).await }.await {
        Ok(v) => Redirect::to(&format!("/mobilizations/{}", v.mobilization.id)).into_response(),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let detail = super::problems_text(lang, &e);
            match mobilizations::list(&state, &caller, None).await {
                Ok(list) => {
                    let mut res = render(&ListPage {
                        c: Chrome::new(&caller, lang, "mobilizations", "/mobilizations"),
                        list,
                        message: Some(detail),
                    });
                    *res.status_mut() = e.status;
                    res
                }
                Err(e) => error_page(lang, e),
            }
        }
        Err(e) => error_page(lang, e),
    }
}

#[derive(Template)]
#[template(path = "mobilizations/show.html")]
pub struct BoardPage {
    pub c: Chrome,
    pub v: MobilizationView,
    pub pending: i64,
    pub my_answer: Option<Option<Answer>>,
    /// Still taking answers.
    pub open: bool,
    pub message: Option<super::Flash>,
}

async fn board(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    id: i64,
    message: Option<super::Flash>,
) -> Result<BoardPage, ApiError> {
    let v = mobilizations::view(state, caller, id).await?;
    let my_answer = mobilizations::my_answer(caller, &v);
    let m = &v.mobilization;
    Ok(BoardPage {
        c: Chrome::new(caller, lang, "mobilizations", &format!("/mobilizations/{id}")),
        pending: m.called - m.yes - m.no,
        open: m.status == MobilizationStatus::Open,
        v,
        my_answer,
        message,
    })
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let lang = lang_of(&headers);
    match board(&state, &caller, lang, id, None).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

pub async fn act(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let lang = lang_of(&headers);
    let pairs = form_pairs(&body);
    if !csrf_ok(&caller, &pairs) {
        return csrf_failed(lang);
    }
    let result: Result<String, ApiError> = async {
        match form_get(&pairs, "action") {
            Some(a @ ("yes" | "no")) => {
                let v = caller.volunteer_id.ok_or_else(ApiError::forbidden)?;
                let input = CallAnswer { volunteer_id: Some(v), answer: Some(a.to_string()) };
                mobilizations::respond(&state, &caller, id, input).await?;
                Ok(if a == "yes" {
                    lang.t("已报到：我能来", "Answered: I'm coming")
                } else {
                    lang.t("已回复：不能来", "Answered: I can't come")
                }
                .to_string())
            }
            Some("update") => {
                let n = |k: &str| form_get(&pairs, k).and_then(|v| v.trim().parse::<i64>().ok());
                let input = MobilizationPatch {
                    households_relocated: n("households_relocated"),
                    persons_relocated: n("persons_relocated"),
                    status: form_get(&pairs, "status").map(str::to_string),
                };
                mobilizations::update(&state, &caller, id, input).await?;
                Ok(lang.t("已更新", "Updated").to_string())
            }
            _ => Err(ApiError::bad_request("未知操作", "Unknown action")),
        }
    }
    .await;
    let (message, status) = match result {
        Ok(m) => (m, StatusCode::OK),
        Err(e) if matches!(e.status, StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY) => {
            (lang.t(&e.zh, &e.en).to_string(), e.status)
        }
        Err(e) => return error_page(lang, e),
    };
    match board(&state, &caller, lang, id, Some(super::Flash::for_status(message, status))).await {
        Ok(p) => render_status(&p, status),
        Err(e) => error_page(lang, e),
    }
}
