//! The leads board (就业创业信息): veterans read it on their phones; staff post
//! job and business leads and close them when filled.

use super::{csrf_failed, csrf_ok, error_page, form_get, form_pairs, form_to_map, lang_of, render_status, Chrome};
use crate::app::input::from_form;
use crate::app::mentoring::{self as app, Lead, LeadInput, LeadStatus};
use crate::domain::lang::Lang;
use crate::web::auth::{Caller, PageUser};
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

pub struct LeadLine {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub employer: String,
    pub contact: String,
    pub region: String,
    pub expires_on: String,
    pub open: bool,
}

fn line(l: &Lead, lang: Lang) -> LeadLine {
    let (kz, ke) = l.kind.label();
    LeadLine {
        id: l.id,
        kind: lang.t(kz, ke).to_string(),
        title: l.title.clone(),
        description: l.description.clone().unwrap_or_default(),
        employer: l.employer.clone().unwrap_or_default(),
        contact: l.contact.clone().unwrap_or_default(),
        region: l.region_name.clone(),
        expires_on: l.expires_on.map(|d| d.to_string()).unwrap_or_default(),
        open: l.status == LeadStatus::Open,
    }
}

#[derive(Template)]
#[template(path = "leads/list.html")]
pub struct LeadsPage {
    pub c: Chrome,
    pub leads: Vec<LeadLine>,
    pub can_write: bool,
    /// Where a lead may be posted: the caller's own region and the villages in it.
    pub regions: Vec<(i64, String)>,
    pub message: Option<String>,
    pub ok: bool,
}

async fn page_for(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    message: Option<String>,
    ok: bool,
) -> Result<LeadsPage, ApiError> {
    let can_write = caller.role.manages_roster();
    // open leads of the caller's scope, or a volunteer's board
    let leads = app::leads(state, caller, None, None).await?;
    let regions = app::lead_regions(state, caller).await?.into_iter().map(|r| (r.id, r.name)).collect();
    Ok(LeadsPage {
        c: Chrome::new(caller, lang, "leads", "/leads"),
        leads: leads.iter().map(|l| line(l, lang)).collect(),
        can_write,
        regions,
        message,
        ok,
    })
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Query(q): Query<super::mentoring::DoneQuery>,
) -> Response {
    let lang = lang_of(&headers);
    let message = q.done.map(|_| lang.t("已保存", "Saved").to_string());
    let ok = message.is_some();
    match page_for(&state, &caller, lang, message, ok).await {
        Ok(p) => render_status(&p, StatusCode::OK),
        Err(e) => error_page(lang, e),
    }
}

/// Posts a lead (`action=post`) or closes one (`action=close`, with `id`).
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
    let result: Result<(), ApiError> = async {
        match form_get(&pairs, "action") {
            Some("post") => {
                let input = from_form::<LeadInput>(form_to_map(&pairs, &[], &[]))?;
                app::post_lead(&state, &caller, input).await.map(|_| ())
            }
            Some("close") => {
                let id = form_get(&pairs, "id").and_then(|v| v.parse::<i64>().ok()).ok_or_else(ApiError::not_found)?;
                app::close_lead(&state, &caller, id).await.map(|_| ())
            }
            _ => Err(ApiError::bad_request("未知操作", "Unknown action")),
        }
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/leads?done=1").into_response(),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let text = super::problems_text(lang, &e);
            match page_for(&state, &caller, lang, Some(text), false).await {
                Ok(p) => render_status(&p, e.status),
                Err(e) => error_page(lang, e),
            }
        }
        Err(e) => error_page(lang, e),
    }
}
