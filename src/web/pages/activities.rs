//! Activity pages: the list with a form to organise one, and the activity page
//! where volunteers sign up and leaders record attendance for everyone at once.

use super::{
    csrf_failed, csrf_ok, error_page, form_get, form_pairs, form_to_map, lang_of, render, render_status, Chrome,
};
use crate::domain::category::{category_label, CATEGORIES};
use crate::domain::clock::minute_text as local_time;
use crate::domain::lang::Lang;
use crate::domain::validation::Problems;
use crate::store::activities::{self as store, Activity, SheetLine};
use crate::store::{settings, teams as team_store};
use crate::web::api::activities::{may_run, team_led_by, visible};
use crate::web::auth::{Caller, PageUser};
use crate::web::checkin::make_token;
use crate::web::error::ApiError;
use crate::web::qr::qr_svg;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveTime, TimeZone, Utc};
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

fn status_label(s: &str, lang: Lang) -> String {
    match s {
        "open" => lang.t("报名中", "Open"),
        "closed" => lang.t("已结束", "Closed"),
        _ => lang.t("已取消", "Cancelled"),
    }
    .to_string()
}

pub fn line(a: &Activity, lang: Lang) -> Line {
    let (zh, en) = category_label(&a.category);
    Line {
        id: a.id,
        title: a.title.clone(),
        category: lang.t(zh, en).to_string(),
        when: format!("{} — {}", local_time(a.starts_at), local_time(a.ends_at).split(' ').nth(1).unwrap_or("")),
        place: a.place.clone().unwrap_or_default(),
        seats: format!(
            "{}/{}{}",
            a.signed_up,
            a.capacity,
            if a.waiting > 0 { format!(" (+{})", a.waiting) } else { String::new() }
        ),
        status: status_label(&a.status, lang),
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
}

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
) -> Result<ListPage, ApiError> {
    let acts = store::list(&state.db.pool, caller.scope_path(), false, 200).await?;
    let led = team_led_by(state, caller).await?;
    let teams: Vec<Opt> = team_store::list(&state.db.pool, caller.scope_path(), None)
        .await?
        .into_iter()
        .filter(|t| caller.role.manages_roster() || Some(t.id) == led)
        .map(|t| Opt { value: t.id.to_string(), label: t.name })
        .collect();
    let region_id = crate::store::regions::list(&state.db.pool, Some(caller.scope_path()), None)
        .await?
        .first()
        .map(|r| r.id)
        .unwrap_or(0);
    Ok(ListPage {
        c: Chrome::new(caller, lang, "activities", "/activities"),
        lines: acts.iter().map(|a| line(a, lang)).collect(),
        may_create: caller.role.manages_roster() || led.is_some(),
        categories: CATEGORIES
            .iter()
            .map(|(c, zh, en)| Opt { value: c.to_string(), label: lang.t(zh, en).to_string() })
            .collect(),
        teams,
        region_id,
        problems,
        values,
    })
}

pub async fn list(State(state): State<AppState>, PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    match list_page(&state, &caller, lang, Problems::new(), HashMap::new()).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

/// `2026-05-01` and `08:00` in local time, as the form's date and time inputs send them.
fn local_instant(date: &str, time: &str) -> Option<String> {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let t = NaiveTime::parse_from_str(time, "%H:%M").ok()?;
    Some(format!("{}T{}:00+08:00", d.format("%Y-%m-%d"), t.format("%H:%M")))
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
    for k in ["team_id", "region_id", "capacity"] {
        if let Some(Value::String(s)) = map.get(k).cloned() {
            if let Ok(n) = s.trim().parse::<i64>() {
                map.insert(k.into(), Value::from(n));
            }
        }
    }
    let values: HashMap<String, String> = pairs.iter().cloned().collect();
    let result = async {
        let resp =
            crate::web::api::activities::create(State(state.clone()), caller.clone(), crate::web::api::Body(map))
                .await?;
        Ok::<i64, ApiError>(resp.1 .0.id)
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/activities/{id}")).into_response(),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let mut problems = Problems(e.fields);
            if !date.is_empty() && chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
                problems.push(crate::domain::validation::Problem::about("starts_at", "日期不正确", "has a wrong date"));
            }
            match list_page(&state, &caller, lang, problems, values).await {
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
}

#[derive(Template)]
#[template(path = "activities/show.html")]
pub struct ShowPage {
    pub c: Chrome,
    pub a: Activity,
    pub line: Line,
    pub runs: bool,
    pub my_signup: Option<String>,
    pub my_waiting: Option<i64>,
    pub sheet: Vec<SheetRow>,
    pub qr: String,
    pub checkin_url: String,
    pub message: Option<String>,
}

fn hhmm(t: Option<chrono::DateTime<Utc>>) -> String {
    t.map(|t| (t + Duration::hours(8)).format("%H:%M").to_string()).unwrap_or_default()
}

fn signup_label(s: &str, lang: Lang) -> String {
    match s {
        "signed_up" => lang.t("已报名", "Signed up"),
        "waiting" => lang.t("候补", "Waiting"),
        "cancelled" => lang.t("已取消", "Cancelled"),
        _ => lang.t("现场参加", "Walk-in"),
    }
    .to_string()
}

async fn show_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    headers: &HeaderMap,
    id: i64,
    message: Option<String>,
) -> Result<ShowPage, ApiError> {
    let a = visible(state, caller, id).await?;
    let led = team_led_by(state, caller).await?;
    let runs = may_run(caller, &a, led);
    let (my_signup, my_waiting) = match caller.volunteer_id {
        Some(v) => (
            store::signup_status(&state.db.pool, a.id, v).await?,
            store::waiting_position(&state.db.pool, a.id, v).await?,
        ),
        None => (None, None),
    };
    let mut sheet = Vec::new();
    let (mut qr, mut checkin_url) = (String::new(), String::new());
    if runs {
        let lines: Vec<SheetLine> = store::sheet(&state.db.pool, a.id).await?;
        for l in lines.into_iter().filter(|l| l.signup != "cancelled") {
            sheet.push(SheetRow {
                present: l.check_in.is_some(),
                check_in: if l.check_in.is_some() { hhmm(l.check_in) } else { hhmm(Some(a.starts_at)) },
                check_out: if l.check_out.is_some() { hhmm(l.check_out) } else { hhmm(Some(a.ends_at)) },
                auto_closed: l.auto_closed.unwrap_or(false),
                signup: signup_label(&l.signup, lang),
                volunteer_id: l.volunteer_id,
                no: l.volunteer_no,
                name: l.name,
            });
        }
        if a.status == "open" {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
            let (token, _) = make_token(state, &a);
            checkin_url = format!("http://{host}/checkin/{token}");
            qr = qr_svg(&checkin_url);
        }
    }
    Ok(ShowPage {
        c: Chrome::new(caller, lang, "activities", &format!("/activities/{id}")),
        line: line(&a, lang),
        a,
        runs,
        my_signup,
        my_waiting,
        sheet,
        qr,
        checkin_url,
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
    match show_page(&state, &caller, lang, &headers, id, None).await {
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
        let a = visible(&state, &caller, id).await?;
        match form_get(&pairs, "action") {
            Some("sign_up") => {
                let v = caller.volunteer_id.ok_or_else(ApiError::forbidden)?;
                let body = serde_json::json!({ "volunteer_id": v }).as_object().cloned().unwrap_or_default();
                let (_, out) = crate::web::api::activities::sign_up(
                    State(state.clone()),
                    caller.clone(),
                    Path(id),
                    crate::web::api::Body(body),
                )
                .await?;
                Ok(if out.status == "signed_up" {
                    lang.t("报名成功", "You are signed up").to_string()
                } else {
                    format!(
                        "{} {}",
                        lang.t("名额已满，已进入候补，位次", "Full; you are on the waiting list at place"),
                        out.waiting_position.unwrap_or(0)
                    )
                })
            }
            Some("cancel") => {
                let v = caller.volunteer_id.ok_or_else(ApiError::forbidden)?;
                let _promoted =
                    crate::web::api::activities::cancel(State(state.clone()), caller.clone(), Path((id, v))).await?;
                Ok(lang.t("已取消报名", "Sign-up cancelled").to_string())
            }
            Some("attendance") => {
                let led = team_led_by(&state, &caller).await?;
                caller.ensure(may_run(&caller, &a, led))?;
                if a.status != "open" {
                    return Err(ApiError::conflict(
                        crate::domain::error_code::ErrorCode::ActivityNotOpen,
                        "活动已结束，出勤不能再改；如有差错请更正服务记录",
                        "The activity is closed; correct the service record instead",
                    ));
                }
                let rules =
                    settings::rules_at(&state.db.pool, &a.region_path, crate::domain::service::local_date(a.starts_at))
                        .await?;
                let day = (a.starts_at + Duration::hours(8)).date_naive();
                let at = |hm: &str| {
                    NaiveTime::parse_from_str(hm, "%H:%M")
                        .ok()
                        .map(|t| Utc.from_utc_datetime(&day.and_time(t)) - Duration::hours(8))
                };
                // only people on this activity's sheet; every id checked before anything is written
                let on_sheet: Vec<i64> =
                    store::sheet(&state.db.pool, a.id).await?.iter().map(|l| l.volunteer_id).collect();
                let mut rows = Vec::new();
                for (k, _) in pairs.iter().filter(|(k, v)| k.starts_with("present_") && v == "on") {
                    let vid = k.trim_start_matches("present_").parse::<i64>().ok().filter(|v| on_sheet.contains(v));
                    let Some(vid) = vid else {
                        return Err(ApiError::bad_request(
                            "名单中没有该志愿者",
                            "That volunteer is not on this activity's sheet",
                        ));
                    };
                    let cin = form_get(&pairs, &format!("in_{vid}")).and_then(at).unwrap_or(a.starts_at);
                    let mut cout = form_get(&pairs, &format!("out_{vid}")).and_then(at).unwrap_or(a.ends_at);
                    if cout <= cin {
                        // an overnight shift ends the next morning
                        cout += Duration::days(1);
                    }
                    let cout = if cout > Utc::now() { None } else { Some(cout) };
                    rows.push((vid, cin, cout));
                }
                let mut n = 0;
                for (vid, cin, cout) in rows {
                    if let (Some(out), Some(existing)) =
                        (cout, crate::store::service_records::for_source(&state.db.pool, "activity", a.id, vid).await?)
                    {
                        if existing.started_at != cin || existing.ended_at != out {
                            // recorded already: changes go through a correction, never over the record
                            continue;
                        }
                    }
                    store::attend(
                        &state.db.pool,
                        &a,
                        vid,
                        cin,
                        cout,
                        "leader",
                        Some(caller.user_id),
                        &rules,
                        crate::today_local(),
                    )
                    .await?;
                    n += 1;
                }
                caller.audit(&state, "attendance", "activity", &id.to_string(), &format!("{n} present")).await;
                Ok(format!("{} {n}", lang.t("已记录出勤人数", "Attendance recorded:")))
            }
            Some("close") => {
                let out = crate::web::api::activities::close(State(state.clone()), caller.clone(), Path(id)).await?;
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
        Ok(msg) => match show_page(&state, &caller, lang, &headers, id, Some(msg)).await {
            Ok(p) => render(&p),
            Err(e) => error_page(lang, e),
        },
        Err(e) if e.status == StatusCode::CONFLICT || e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let msg = lang.t(&e.zh, &e.en).to_string();
            match show_page(&state, &caller, lang, &headers, id, Some(msg)).await {
                Ok(p) => render_status(&p, e.status),
                Err(e) => error_page(lang, e),
            }
        }
        Err(e) => error_page(lang, e),
    }
}
