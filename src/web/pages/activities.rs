//! Activity pages: the list with a form to organise one, and the activity page
//! where volunteers sign up and leaders record attendance for everyone at once.

use super::{
    csrf_failed, csrf_ok, error_page, form_get, form_pairs, form_to_map, lang_of, render, render_status, Chrome,
};
use crate::app::activities::{self as app, Activity, ActivityInput, ActivityStatus, SheetSignup, SignupStatus};
use crate::app::attendance::{self, SheetMark};
use crate::domain::category::{category_label, CATEGORIES};
use crate::domain::clock::{clock_text, minute_text as local_time};
use crate::domain::lang::Lang;
use crate::domain::validation::Problems;
use crate::web::auth::{Caller, PageUser};
use crate::web::checkin::make_token;
use crate::web::error::ApiError;
use crate::web::qr::qr_svg;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveTime;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

pub struct Line {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub when: String,
    pub place: String,
    pub seats: String,
    pub status: String,
}

fn status_label(s: ActivityStatus, lang: Lang) -> String {
    let (zh, en) = s.label();
    lang.t(zh, en).to_string()
}

pub fn line(a: &Activity, lang: Lang) -> Line {
    let (zh, en) = category_label(&a.category);
    Line {
        id: a.id,
        title: a.title.clone(),
        category: lang.t(zh, en).to_string(),
        when: format!("{} — {}", local_time(a.starts_at), clock_text(a.ends_at)),
        place: a.place.clone().unwrap_or_default(),
        seats: format!(
            "{}/{}{}",
            a.signed_up,
            a.capacity,
            if a.waiting > 0 { format!(" (+{})", a.waiting) } else { String::new() }
        ),
        status: status_label(a.status, lang),
    }
}

pub struct Opt {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "activities/list.html")]
pub struct ListPage {
    pub c: Chrome,
    pub lines: Vec<Line>,
    pub may_create: bool,
    pub categories: Vec<Opt>,
    pub teams: Vec<Opt>,
    pub region_id: i64,
    pub problems: Problems,
    pub values: HashMap<String, String>,
    pub filter: ListQuery,
    pub statuses: Vec<Opt>,
    pub page: i64,
    pub more: bool,
}

/// The list's search and filters, kept in the address so a page can be shared.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    /// `1`: only activities still to come.
    #[serde(default)]
    pub upcoming: String,
    pub page: Option<i64>,
}

impl ListQuery {
    /// This search on another page.
    pub fn href(&self, page: i64) -> String {
        let enc = crate::web::url::urlencode;
        format!(
            "/activities?q={}&status={}&upcoming={}&page={page}",
            enc(&self.q),
            enc(&self.status),
            enc(&self.upcoming)
        )
    }

    /// This search, every page of it, as a workbook (the 活动台账).
    pub fn export_href(&self) -> String {
        let enc = crate::web::url::urlencode;
        format!(
            "/api/v1/exports/activities?q={}&status={}&upcoming={}",
            enc(&self.q),
            enc(&self.status),
            enc(&self.upcoming)
        )
    }
}

/// Activities a phone can scroll through.
const PER_PAGE: i64 = 20;

impl ListPage {
    pub fn err(&self, key: &str) -> String {
        self.problems.get(key).map(|p| self.c.t(&p.zh, &p.en).to_string()).unwrap_or_default()
    }
    pub fn v(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    problems: Problems,
    values: HashMap<String, String>,
    filter: ListQuery,
) -> Result<ListPage, ApiError> {
    let search = app::ActivitySearch {
        words: Some(filter.q.clone()),
        status: ActivityStatus::parse(&filter.status),
        upcoming: filter.upcoming == "1",
    };
    let page = filter.page.unwrap_or(1).max(1);
    let (acts, more) = app::page_of(state, caller, &search, page, PER_PAGE).await?;
    let o = app::organising(state, caller).await?;
    Ok(ListPage {
        c: Chrome::new(caller, lang, "activities", "/activities"),
        lines: acts.iter().map(|a| line(a, lang)).collect(),
        may_create: o.may_create,
        categories: CATEGORIES
            .iter()
            .map(|(c, zh, en)| Opt { value: c.to_string(), label: lang.t(zh, en).to_string() })
            .collect(),
        teams: o.teams.into_iter().map(|(id, name)| Opt { value: id.to_string(), label: name }).collect(),
        region_id: o.region_id,
        problems,
        values,
        statuses: ActivityStatus::ALL
            .iter()
            .map(|s| Opt { value: s.as_str().to_string(), label: lang.t(s.label().0, s.label().1).to_string() })
            .collect(),
        filter,
        page,
        more,
    })
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Query(filter): Query<ListQuery>,
) -> Response {
    let lang = lang_of(&headers);
    match list_page(&state, &caller, lang, Problems::new(), HashMap::new(), filter).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

/// `2026-05-01` and `08:00` in local time, as the form's date and time inputs send them.
fn local_instant(date: &str, time: &str) -> Option<String> {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let t = NaiveTime::parse_from_str(time, "%H:%M").ok()?;
    Some(crate::domain::clock::rfc3339_local(crate::domain::clock::from_local(d.and_time(t))))
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
    let mut map = form_to_map(&pairs, &[], &[]);
    let date = form_get(&pairs, "date").unwrap_or("");
    for (k, t) in [("starts_at", "start_time"), ("ends_at", "end_time")] {
        if let Some(v) = local_instant(date, form_get(&pairs, t).unwrap_or("")) {
            map.insert(k.into(), Value::String(v));
        }
    }
    let values: HashMap<String, String> = pairs.iter().cloned().collect();
    let result = async {
        let input: ActivityInput = crate::app::input::from_form(map)?;
        Ok::<i64, ApiError>(app::create(&state, &caller, input).await?.id)
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/activities/{id}")).into_response(),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let mut problems = Problems(e.fields);
            if !date.is_empty() && chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
                problems.push(crate::domain::validation::Problem::about("starts_at", "日期不正确", "has a wrong date"));
            }
            match list_page(&state, &caller, lang, problems, values, ListQuery::default()).await {
                Ok(p) => render_status(&p, StatusCode::UNPROCESSABLE_ENTITY),
                Err(e) => error_page(lang, e),
            }
        }
        Err(e) => error_page(lang, e),
    }
}

pub struct SheetRow {
    pub volunteer_id: i64,
    pub no: String,
    pub name: String,
    pub signup: String,
    pub present: bool,
    pub check_in: String,
    pub check_out: String,
    pub auto_closed: bool,
    /// How far from the activity the phone was at its own check-in.
    pub distance: Option<String>,
    /// Checked in without a position: the leader confirms.
    pub to_confirm: bool,
}

#[derive(Template)]
#[template(path = "activities/show.html")]
pub struct ShowPage {
    pub c: Chrome,
    pub a: Activity,
    pub line: Line,
    pub runs: bool,
    pub my_signup: Option<SignupStatus>,
    pub my_waiting: Option<i64>,
    pub sheet: Vec<SheetRow>,
    pub qr: String,
    pub checkin_url: String,
    /// The code on the leader's screen now, its QR link and seconds left.
    pub live_code: String,
    pub live_path: String,
    pub live_left: i64,
    pub message: Option<super::Flash>,
    pub find: String,
    /// Volunteers found by the leader's search: (id, name, number and village).
    pub found: Vec<(i64, String, String)>,
    pub photos: super::photos::PhotoStrip,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    /// A name or number to sign up or add as a walk-in.
    pub find: Option<String>,
}

impl ShowPage {
    pub fn signed_up(&self) -> bool {
        self.my_signup == Some(SignupStatus::SignedUp)
    }
    pub fn waiting(&self) -> bool {
        self.my_signup == Some(SignupStatus::Waiting)
    }
}

fn signup_label(s: SheetSignup, lang: Lang) -> String {
    let (zh, en) = s.label();
    lang.t(zh, en).to_string()
}

async fn show_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    headers: &HeaderMap,
    id: i64,
    message: Option<super::Flash>,
    find: Option<&str>,
) -> Result<ShowPage, ApiError> {
    let a = app::visible(state, caller, id).await?;
    let runs = app::runs(state, caller, &a).await?;
    let (my_signup, my_waiting) = app::my_signup(state, caller, &a).await?;
    let mut sheet = Vec::new();
    let (mut qr, mut checkin_url) = (String::new(), String::new());
    let (mut live_code, mut live_path, mut live_left) = (String::new(), String::new(), 0);
    if runs {
        let lines = attendance::sheet_of_run(state, caller, &a).await?;
        let presence = crate::app::field::presence(state, caller, &a).await?;
        for l in lines.into_iter().filter(|l| l.signup != SheetSignup::Cancelled) {
            let seen = presence.iter().find(|(v, _, _)| *v == l.volunteer_id);
            sheet.push(SheetRow {
                distance: seen.and_then(|(_, d, _)| *d).map(|d| {
                    let (zh, en) = crate::domain::field::distance_text(d);
                    lang.t(&zh, &en).to_string()
                }),
                to_confirm: seen.is_some_and(|(_, _, c)| *c),
                present: l.check_in.is_some(),
                check_in: clock_text(l.check_in.unwrap_or(a.starts_at)),
                check_out: clock_text(l.check_out.unwrap_or(a.ends_at)),
                auto_closed: l.auto_closed.unwrap_or(false),
                signup: signup_label(l.signup, lang),
                volunteer_id: l.volunteer_id,
                no: l.volunteer_no,
                name: l.name,
            });
        }
        if a.status.is_open() {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
            let (token, _) = make_token(state, &a);
            checkin_url = format!("http://{host}/checkin/{token}");
            // the QR on the screen carries the code of these 30 seconds
            let live = crate::app::field::live_code(state, caller, a.id).await?;
            qr = qr_svg(&format!("http://{host}{}", live.path));
            (live_code, live_path, live_left) = (live.code, live.path, live.seconds_left);
        }
    }
    let find = find.map(str::trim).unwrap_or("").to_string();
    let found = if runs && a.status.is_open() && !find.is_empty() {
        crate::app::volunteers::find_active(state, caller, &find).await?
    } else {
        Vec::new()
    };
    let photos = super::photos::strip(state, caller, crate::domain::photo::PhotoSubject::Activity, id).await?;
    Ok(ShowPage {
        find,
        found,
        photos,
        c: Chrome::new(caller, lang, "activities", &format!("/activities/{id}")),
        line: line(&a, lang),
        a,
        runs,
        my_signup,
        my_waiting,
        sheet,
        qr,
        checkin_url,
        live_code,
        live_path,
        live_left,
        message,
    })
}

#[derive(serde::Serialize)]
pub struct LiveCodeView {
    pub code: String,
    pub seconds_left: i64,
    pub svg: String,
    pub path: String,
}

/// `GET /activities/{id}/live-code`: the leader's screen asks for the next code and its QR.
pub async fn live_code(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    match crate::app::field::live_code(&state, &caller, id).await {
        Ok(l) => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
            let svg = qr_svg(&format!("http://{host}{}", l.path));
            (
                [(header::CACHE_CONTROL, "no-store")],
                axum::Json(LiveCodeView { code: l.code, seconds_left: l.seconds_left, svg, path: l.path }),
            )
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Response {
    let lang = lang_of(&headers);
    match show_page(&state, &caller, lang, &headers, id, None, q.find.as_deref()).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

/// Sign-up, cancellation, attendance for everyone, closing: one form handler,
/// the action named by the button pressed.
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
        app::visible(&state, &caller, id).await?;
        match form_get(&pairs, "action") {
            Some("sign_up") => {
                let out = app::sign_up_myself(&state, &caller, id).await?;
                Ok(if out.status == SignupStatus::SignedUp {
                    lang.t("报名成功", "You are signed up").to_string()
                } else {
                    format!(
                        "{} {}",
                        lang.t("名额已满，已进入候补，位次", "Full; you are on the waiting list at place"),
                        out.waiting_position.unwrap_or(0)
                    )
                })
            }
            Some("enrol") => {
                // staff or the leader sign someone up (one who has no phone, say)
                let volunteer_id = form_get(&pairs, "volunteer_id").and_then(|v| v.parse().ok());
                let out = app::sign_up(&state, &caller, id, app::SignupRequest { volunteer_id }).await?;
                Ok(if out.status == SignupStatus::SignedUp {
                    lang.t("已代为报名", "Signed up").to_string()
                } else {
                    format!(
                        "{} {}",
                        lang.t("名额已满，已进入候补，位次", "Full; on the waiting list at place"),
                        out.waiting_position.unwrap_or(0)
                    )
                })
            }
            Some("walk_in") => {
                let volunteer_id = form_get(&pairs, "volunteer_id").and_then(|v| v.parse().ok());
                attendance::add_walk_in(&state, &caller, id, volunteer_id).await?;
                Ok(lang
                    .t("已加入现场参加人员，结束时请登记签退", "Added as a walk-in; record the check-out at the end")
                    .to_string())
            }
            Some("cancel") => {
                let v = caller.volunteer_id.ok_or_else(ApiError::forbidden)?;
                let _promoted = app::cancel(&state, &caller, id, v).await?;
                Ok(lang.t("已取消报名", "Sign-up cancelled").to_string())
            }
            Some("attendance") => {
                let marks = pairs
                    .iter()
                    .filter(|(k, v)| k.starts_with("present_") && v == "on")
                    .map(|(k, _)| {
                        let vid = k.trim_start_matches("present_").to_string();
                        SheetMark {
                            check_in: form_get(&pairs, &format!("in_{vid}")).map(str::to_string),
                            check_out: form_get(&pairs, &format!("out_{vid}")).map(str::to_string),
                            volunteer_id: vid,
                        }
                    })
                    .collect();
                let n = attendance::record_sheet(&state, &caller, id, marks).await?;
                Ok(format!("{} {n}", lang.t("已记录出勤人数", "Attendance recorded:")))
            }
            Some("confirm_presence") => {
                let volunteer_id = form_get(&pairs, "volunteer_id").and_then(|v| v.parse().ok()).unwrap_or(0);
                crate::app::field::confirm_presence(&state, &caller, id, volunteer_id).await?;
                Ok(lang.t("已确认到场", "Presence confirmed").to_string())
            }
            Some("close") => {
                let out = app::close(&state, &caller, id).await?;
                Ok(format!(
                    "{} {}，{} {}",
                    lang.t("活动已结束，生成服务记录", "Closed; service records made:"),
                    out.service_records,
                    lang.t("系统代为签退（请核对）", "check-outs closed by the system (please confirm):"),
                    out.closed_by_system
                ))
            }
            _ => Err(ApiError::bad_request("未知操作", "Unknown action")),
        }
    }
    .await;
    match result {
        Ok(msg) => match show_page(&state, &caller, lang, &headers, id, Some(super::Flash::ok(msg)), None).await {
            Ok(p) => render(&p),
            Err(e) => error_page(lang, e),
        },
        Err(e) if e.status == StatusCode::CONFLICT || e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let msg = lang.t(&e.zh, &e.en).to_string();
            match show_page(&state, &caller, lang, &headers, id, Some(super::Flash::refused(msg)), None).await {
                Ok(p) => render_status(&p, e.status),
                Err(e) => error_page(lang, e),
            }
        }
        Err(e) => error_page(lang, e),
    }
}

/// A line of the printed sheet, times in Beijing time.
pub struct PrintedLine {
    pub name: String,
    pub volunteer_no: String,
    pub village: String,
    pub phone: String,
    pub check_in: String,
    pub check_out: String,
}

/// The sign-in sheet (签到表) as printed: one A4 page per 25 lines, with blank
/// lines for those who come without signing up.
#[derive(Template)]
#[template(path = "activities/sheet.html")]
pub struct SheetPage {
    pub lang: Lang,
    pub a: Activity,
    pub when: String,
    pub category: String,
    pub lines: Vec<PrintedLine>,
    /// Numbers of the blank lines after the names.
    pub blanks: Vec<usize>,
}

impl SheetPage {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
}

pub async fn print_sheet(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let lang = lang_of(&headers);
    match attendance::printed_sheet(&state, &caller, id).await {
        Ok((a, lines)) => {
            let n = lines.len();
            let (cz, ce) = category_label(&a.category);
            let page = SheetPage {
                lang,
                when: format!("{} — {}", local_time(a.starts_at), clock_text(a.ends_at)),
                category: lang.t(cz, ce).to_string(),
                lines: lines
                    .into_iter()
                    .map(|l| PrintedLine {
                        name: l.name,
                        volunteer_no: l.volunteer_no,
                        village: l.village,
                        phone: l.phone_masked,
                        check_in: l.check_in.map(clock_text).unwrap_or_default(),
                        check_out: l.check_out.map(clock_text).unwrap_or_default(),
                    })
                    .collect(),
                // at least eight blank lines, and the page filled up to a round 25
                blanks: (n + 1..=(n + 8).max(25)).collect(),
                a,
            };
            render(&page)
        }
        Err(e) => error_page(lang, e),
    }
}
