//! Announcements on a page: everyone reads the notices addressed to them;
//! staff post them and see who has read each one.

use super::form_to_map;
use super::{csrf_failed, csrf_ok, error_page, form_pairs, lang_of, render, render_status, Chrome};
use crate::app::announcements::{self as app, Announcement, AnnouncementKind, Receipt};
use crate::app::input::from_form;
use crate::app::regions::Region;
use crate::domain::clock::minute_text as local_time;
use crate::domain::lang::Lang;
use crate::web::auth::{Caller, PageUser};
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

pub fn kind_text(lang: Lang, kind: AnnouncementKind) -> &'static str {
    let (zh, en) = kind.label();
    lang.t(zh, en)
}

pub struct NoticeLine {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub region: String,
    pub posted: String,
    pub unread: bool,
}

pub fn lines(lang: Lang, list: &[Announcement]) -> Vec<NoticeLine> {
    list.iter()
        .map(|a| NoticeLine {
            id: a.id,
            title: a.title.clone(),
            kind: kind_text(lang, a.kind),
            region: a.region_name.clone(),
            posted: local_time(a.posted_at),
            unread: a.read_at.is_none(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "announcements/list.html")]
pub struct ListPage {
    pub c: Chrome,
    pub list: Vec<NoticeLine>,
    pub regions: Vec<Region>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub message: Option<String>,
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    message: Option<String>,
) -> Result<ListPage, ApiError> {
    let list = app::visible_list(state, caller, 100).await?;
    let regions = app::addressable_regions(state, caller).await?;
    Ok(ListPage {
        c: Chrome::new(caller, lang, "announcements", "/announcements"),
        list: lines(lang, &list),
        regions,
        kinds: AnnouncementKind::ALL.iter().map(|k| (k.as_str(), kind_text(lang, *k))).collect(),
        message,
    })
}

pub async fn list(State(state): State<AppState>, PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    match list_page(&state, &caller, lang, None).await {
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
    let fields: Vec<(String, String)> =
        pairs.iter().filter(|(k, _)| matches!(k.as_str(), "title" | "body" | "kind" | "region_id")).cloned().collect();
    let posted = match from_form(form_to_map(&fields, &[], &[])) {
        Ok(input) => app::post(&state, &caller, input).await,
        Err(e) => Err(e),
    };
    match posted {
        Ok(a) => Redirect::to(&format!("/announcements/{}", a.id)).into_response(),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            match list_page(&state, &caller, lang, Some(super::problems_text(lang, &e))).await {
                Ok(p) => render_status(&p, e.status),
                Err(e) => error_page(lang, e),
            }
        }
        Err(e) => error_page(lang, e),
    }
}

#[derive(Template)]
#[template(path = "announcements/show.html")]
pub struct ShowPage {
    pub c: Chrome,
    pub a: Announcement,
    pub kind: &'static str,
    pub posted: String,
    /// For staff of the addressed region: who has read it.
    pub receipts: Option<(Vec<(Receipt, String)>, i64)>,
}

/// Opening a notice is reading it.
pub async fn show(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let lang = lang_of(&headers);
    let result: Result<ShowPage, ApiError> = async {
        let a = app::open(&state, &caller, id).await?;
        let receipts = match app::receipts(&state, &caller, id).await {
            Ok((_, r)) => Some((
                r.read
                    .into_iter()
                    .map(|x| {
                        let t = local_time(x.read_at);
                        (x, t)
                    })
                    .collect(),
                r.unread_count,
            )),
            Err(e) if e.status == StatusCode::FORBIDDEN => None,
            Err(e) => return Err(e),
        };
        Ok(ShowPage {
            c: Chrome::new(&caller, lang, "announcements", &format!("/announcements/{id}")),
            kind: kind_text(lang, a.kind),
            posted: local_time(a.posted_at),
            a,
            receipts,
        })
    }
    .await;
    match result {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}
