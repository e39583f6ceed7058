//! Photos on the pages: the strip of thumbnails under an activity, a visit or
//! a need, and the form that takes them from the phone's camera.

use super::{csrf_failed, error_page, lang_of, render_status, Chrome};
use crate::app::photos::{self as app, PhotoMeta};
use crate::domain::lang::Lang;
use crate::domain::photo::{PhotoSubject, MAX_FILE_BYTES, MAX_PER_SUBJECT};
use crate::web::auth::{Caller, PageUser};
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

/// The largest upload form read: a few phone photos at once. Each file is
/// read and processed before the next, so memory holds one photo at a time.
pub const MAX_FORM_BYTES: usize = 64 * 1024 * 1024;

/// The photos of one thing as a page shows them, with the form to add more
/// when the caller may.
pub struct PhotoStrip {
    pub items: Vec<PhotoMeta>,
    pub can_add: bool,
    /// Where the form posts: `/photos/activity/7`.
    pub action: String,
    /// An id for the strip on its page.
    pub dom_id: String,
    /// Places left before the limit.
    pub left: i64,
}

impl PhotoStrip {
    pub fn empty() -> PhotoStrip {
        PhotoStrip { items: Vec::new(), can_add: false, action: String::new(), dom_id: String::new(), left: 0 }
    }
}

/// The upload form's route, outside the app-wide body limit with its own.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route(
        "/photos/{subject}/{id}",
        axum::routing::post(upload).layer(axum::extract::DefaultBodyLimit::max(MAX_FORM_BYTES)),
    )
}

/// The strip of a thing the caller has already been allowed to see.
pub async fn strip(state: &AppState, caller: &Caller, subject: PhotoSubject, id: i64) -> Result<PhotoStrip, ApiError> {
    let rights = app::rights(state, caller, subject, id).await?;
    let items = app::list(state, caller, subject, id).await?;
    Ok(PhotoStrip {
        left: (MAX_PER_SUBJECT - items.len() as i64).max(0),
        items,
        can_add: rights.add,
        action: format!("/photos/{}/{id}", subject.as_str()),
        dom_id: format!("photos-{}-{id}", subject.as_str()),
    })
}

/// Where the page of a thing is, to go back to after adding photos.
async fn back_to(state: &AppState, caller: &Caller, subject: PhotoSubject, id: i64) -> Result<String, ApiError> {
    Ok(match subject {
        PhotoSubject::Activity => format!("/activities/{id}"),
        PhotoSubject::Need => format!("/needs/{id}"),
        PhotoSubject::CareVisit => format!("/care/{}", app::recipient_of_visit(state, caller, id).await?),
    })
}

#[derive(Template)]
#[template(path = "photos/refused.html")]
pub struct RefusedPage {
    pub c: Chrome,
    pub back: String,
    pub reasons: Vec<String>,
    pub added: usize,
}

fn reason_text(lang: Lang, e: &ApiError) -> String {
    if e.fields.is_empty() {
        lang.t(&e.zh, &e.en).to_string()
    } else {
        e.fields.iter().map(|p| lang.t(&p.zh, &p.en).to_string()).collect::<Vec<_>>().join("；")
    }
}

/// `POST /photos/{subject}/{id}`: the form's photos (camera or album), one by
/// one; back to the page when all were kept, a page saying why otherwise.
pub async fn upload(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path((subject, id)): Path<(String, i64)>,
    mut form: Multipart,
) -> Response {
    let lang = lang_of(&headers);
    let Some(subject) = PhotoSubject::parse(&subject) else {
        return error_page(lang, ApiError::not_found());
    };
    let anchor = format!("photos-{}-{id}", subject.as_str());
    let back = match back_to(&state, &caller, subject, id).await {
        Ok(b) => b,
        Err(e) => return error_page(lang, e),
    };
    let mut csrf_seen = false;
    let mut caption: Option<String> = None;
    let mut added = 0usize;
    let mut reasons: Vec<String> = Vec::new();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                reasons.push(
                    lang.t(
                        "上传的内容太大或不完整，请少选几张再试",
                        "The upload is too large or incomplete; send fewer photos",
                    )
                    .to_string(),
                );
                status = StatusCode::PAYLOAD_TOO_LARGE;
                break;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "csrf" => {
                let sent = field.text().await.unwrap_or_default();
                if !crate::web::auth::constant_eq(&sent, &caller.csrf) {
                    return csrf_failed(lang);
                }
                csrf_seen = true;
            }
            "caption" => caption = field.text().await.ok(),
            "photo" if csrf_seen => {
                // read in chunks, and stop reading a file that is already too large
                let mut bytes = Vec::new();
                let mut too_big = false;
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                                too_big = true;
                            } else {
                                bytes.extend_from_slice(&chunk);
                            }
                        }
                        Ok(None) => break,
                        Err(_) => {
                            too_big = true;
                            break;
                        }
                    }
                }
                if too_big {
                    reasons.push(lang.t("照片不能超过12 MB", "A photo must be at most 12 MB").to_string());
                    continue;
                }
                if bytes.is_empty() {
                    // an empty file input (the camera button left unused)
                    continue;
                }
                match app::add(&state, &caller, subject, id, bytes, caption.clone()).await {
                    Ok(_) => added += 1,
                    Err(e) => {
                        if e.status == StatusCode::FORBIDDEN || e.status == StatusCode::NOT_FOUND {
                            return error_page(lang, e);
                        }
                        status = e.status;
                        reasons.push(reason_text(lang, &e));
                    }
                }
            }
            "photo" => return csrf_failed(lang),
            _ => {}
        }
    }
    if !csrf_seen {
        return csrf_failed(lang);
    }
    if added == 0 && reasons.is_empty() {
        reasons.push(lang.t("没有选择照片", "No photo was chosen").to_string());
    }
    if reasons.is_empty() {
        return Redirect::to(&format!("{back}#{anchor}")).into_response();
    }
    let nav = match subject {
        PhotoSubject::Activity => "activities",
        PhotoSubject::Need => "needs",
        PhotoSubject::CareVisit => "care",
    };
    render_status(&RefusedPage { c: Chrome::new(&caller, lang, nav, &back), back, reasons, added }, status)
}
