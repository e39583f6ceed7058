//! The language a request is answered in.

use crate::domain::lang::Lang;
use axum::http::{header, HeaderMap};
use axum_extra::extract::CookieJar;

pub const LANG_COOKIE: &str = "lb_lang";

/// The language of a request: `?lang=`, then the language cookie, then
/// `Accept-Language`; Chinese when nothing says otherwise.
pub fn request_lang(headers: &HeaderMap, query: Option<&str>) -> Lang {
    if let Some(q) = query {
        for pair in q.split('&') {
            if let Some(v) = pair.strip_prefix("lang=") {
                if let Some(l) = Lang::from_tag(v) {
                    return l;
                }
            }
        }
    }
    let jar = CookieJar::from_headers(headers);
    if let Some(l) = jar.get(LANG_COOKIE).and_then(|c| Lang::from_tag(c.value())) {
        return l;
    }
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_tag).unwrap_or_default()
}
