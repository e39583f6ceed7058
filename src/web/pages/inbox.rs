//! The in-app inbox: offers, call-outs, escalations.

use super::{error_page, lang_of, render, Chrome};
use crate::domain::clock::minute_text as local_time;
use crate::store::notifications::Notification;
use crate::web::auth::PageUser;
use crate::web::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

#[derive(Template)]
#[template(path = "inbox.html")]
pub struct InboxPage {
    pub c: Chrome,
    pub items: Vec<(Notification, String)>,
}

pub async fn page(State(state): State<AppState>, PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    match crate::app::accounts::inbox(&state, &caller).await {
        Ok(list) => {
            let items = list.into_iter().map(|n| {
                let when = local_time(n.created_at);
                (n, when)
            });
            render(&InboxPage { c: Chrome::new(&caller, lang, "inbox", "/inbox"), items: items.collect() })
        }
        Err(e) => error_page(lang, e),
    }
}
