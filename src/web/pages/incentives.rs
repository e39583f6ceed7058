//! Incentive pages: the rewards shop and "my points" on a phone, leaderboards,
//! the yearly assessment with its reasons, and the town's rules for staff.

use super::{
    csrf_failed, csrf_ok, error_page, form_get, form_pairs, form_to_map, lang_of, render, render_status, Chrome,
};
use crate::app::input::from_form;
use crate::app::points::{
    self as app, Assessment, Grade, Leaderboards, PointsEntry, Reconciliation, Redeem, Redemption, Reward, RewardChange,
};
use crate::app::regions::TownRules;
use crate::domain::lang::Lang;
use crate::web::auth::{Caller, PageUser};
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Template)]
#[template(path = "shop.html")]
pub struct ShopPage {
    pub c: Chrome,
    pub balance: Option<i64>,
    pub rewards: Vec<(Reward, Option<Reconciliation>)>,
    pub mine: Vec<Redemption>,
    pub entries: Vec<PointsEntry>,
    pub message: Option<super::Flash>,
    pub region_id: i64,
}

impl ShopPage {
    pub fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        crate::domain::clock::minute_text(*t)
    }
}

async fn shop_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    message: Option<super::Flash>,
) -> Result<ShopPage, ApiError> {
    let s = app::shop(state, caller).await?;
    Ok(ShopPage {
        c: Chrome::new(caller, lang, "shop", "/shop"),
        balance: s.balance,
        rewards: s.rewards,
        mine: s.mine,
        entries: s.entries,
        message,
        region_id: s.region_id,
    })
}

pub async fn shop(State(state): State<AppState>, PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    match shop_page(&state, &caller, lang, None).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

/// Redeem (volunteers), add a reward or restock (staff): the button names the action.
pub async fn shop_act(
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
    let num = |k: &str| form_get(&pairs, k).and_then(|v| v.trim().parse::<i64>().ok());
    let result: Result<String, ApiError> = async {
        match form_get(&pairs, "action") {
            Some("redeem") => {
                let v = caller.volunteer_id.ok_or_else(ApiError::forbidden)?;
                let input = Redeem {
                    volunteer_id: Some(v),
                    reward_id: num("reward_id"),
                    quantity: Some(num("quantity").unwrap_or(1)),
                };
                let r = app::redeem(&state, &caller, input).await?;
                // what to do next: the slip number to show at the station
                Ok(format!(
                    "{}{} × {}，{} {}。{} DH{:06} {}",
                    lang.t("兑换成功：", "Redeemed: "),
                    r.reward_name,
                    r.quantity,
                    lang.t("扣除积分", "points spent"),
                    r.points,
                    lang.t("请凭兑换单号", "Show slip"),
                    r.id,
                    lang.t(
                        "到本镇退役军人服务站领取（工作日办公时间）。",
                        "at the town's veterans' service station to collect it (office hours)."
                    ),
                ))
            }
            Some("add") => {
                let fields: Vec<(String, String)> = pairs
                    .iter()
                    .filter(|(k, _)| matches!(k.as_str(), "name" | "points" | "stock" | "region_id"))
                    .cloned()
                    .collect();
                app::create_reward(&state, &caller, from_form(form_to_map(&fields, &[], &[]))?).await?;
                Ok(lang.t("已上架", "Added to the shop").to_string())
            }
            Some("restock") => {
                let id = num("reward_id").ok_or_else(|| ApiError::bad_request("缺少商品", "No reward given"))?;
                let input = RewardChange {
                    stock_change: Some(num("stock_change").unwrap_or(0)),
                    reason: form_get(&pairs, "reason").map(str::to_string),
                    ..Default::default()
                };
                app::update_reward(&state, &caller, id, input).await?;
                Ok(lang.t("库存已调整", "Stock changed").to_string())
            }
            _ => Err(ApiError::bad_request("未知操作", "Unknown action")),
        }
    }
    .await;
    let (message, status) = match result {
        Ok(m) => (m, StatusCode::OK),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::FORBIDDEN => {
            let detail = super::problems_text(lang, &e);
            (format!("{} {}", lang.t(&e.zh, &e.en), detail), e.status)
        }
        Err(e) => return error_page(lang, e),
    };
    match shop_page(&state, &caller, lang, Some(super::Flash::for_status(message, status))).await {
        Ok(p) => render_status(&p, status),
        Err(e) => error_page(lang, e),
    }
}

/// `?region_id=&year=` of the assessment and leaderboard pages.
#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub region_id: Option<String>,
    pub year: Option<String>,
}

#[derive(Template)]
#[template(path = "leaderboards.html")]
pub struct LeaderboardPage {
    pub c: Chrome,
    pub b: Leaderboards,
}

pub async fn leaderboards(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Query(q): Query<YearQuery>,
) -> Response {
    let lang = lang_of(&headers);
    match app::leaderboards(&state, &caller, q.region_id.as_deref(), q.year.as_deref()).await {
        Ok(b) => render(&LeaderboardPage { c: Chrome::new(&caller, lang, "leaderboards", "/leaderboards"), b }),
        Err(e) => error_page(lang, e),
    }
}

/// The assessment list's search, filters and page, kept in the address.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct AssessmentQuery {
    #[serde(default)]
    pub region_id: String,
    #[serde(default)]
    pub year: String,
    /// Words of the name, or the volunteer number.
    #[serde(default)]
    pub q: String,
    /// `excellent`, `pass`, `fail` or blank.
    #[serde(default)]
    pub grade: String,
    pub page: Option<i64>,
}

impl AssessmentQuery {
    pub fn href(&self, page: i64) -> String {
        let enc = crate::web::url::urlencode;
        format!(
            "/assessments?region_id={}&year={}&q={}&grade={}&page={page}",
            enc(&self.region_id),
            enc(&self.year),
            enc(&self.q),
            enc(&self.grade)
        )
    }
}

/// Volunteers a phone can scroll through; the teams and villages ranked on top.
const ASSESSED_PER_PAGE: usize = 30;
const RANKED_SHOWN: usize = 30;

#[derive(Template)]
#[template(path = "assessments.html")]
pub struct AssessmentPage {
    pub c: Chrome,
    pub a: Assessment,
    pub filter: AssessmentQuery,
    /// Those matching the search, before paging.
    pub total: usize,
    pub page: i64,
    pub more: bool,
    pub teams_total: usize,
    pub villages_total: usize,
    /// The villages (and towns) of the caller's scope, to narrow the list to one.
    pub places: Vec<(i64, String)>,
}

impl AssessmentPage {
    pub fn grade(&self, g: &Grade) -> &'static str {
        let (zh, en) = g.label();
        self.c.lang.t(zh, en)
    }
    pub fn grade_class(&self, g: &Grade) -> &'static str {
        match g {
            Grade::Excellent => "good",
            Grade::Pass => "",
            Grade::Fail => "bad",
        }
    }
    pub fn place_chosen(&self, id: &i64) -> bool {
        self.filter.region_id == id.to_string()
    }
}

fn grade_code(g: Grade) -> &'static str {
    match g {
        Grade::Excellent => "excellent",
        Grade::Pass => "pass",
        Grade::Fail => "fail",
    }
}

pub async fn assessments(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Query(filter): Query<AssessmentQuery>,
) -> Response {
    let lang = lang_of(&headers);
    let blank = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let result = async {
        let mut a =
            app::assessment(&state, &caller, blank(&filter.region_id).as_deref(), blank(&filter.year).as_deref())
                .await?;
        let places = crate::app::regions::in_scope(&state, &caller, None)
            .await?
            .into_iter()
            .filter(|r| {
                matches!(r.kind(), crate::domain::region::RegionKind::Village | crate::domain::region::RegionKind::Town)
            })
            .map(|r| (r.id, r.name))
            .collect();
        let words = filter.q.trim().to_lowercase();
        let matching: Vec<_> = std::mem::take(&mut a.volunteers)
            .into_iter()
            .filter(|v| {
                words.is_empty()
                    || v.name.to_lowercase().contains(&words)
                    || v.volunteer_no.eq_ignore_ascii_case(&words)
            })
            .filter(|v| filter.grade.is_empty() || grade_code(v.grade) == filter.grade)
            .collect();
        let page = filter.page.unwrap_or(1).max(1);
        let skip = usize::try_from(page - 1).unwrap_or(0).saturating_mul(ASSESSED_PER_PAGE);
        let total = matching.len();
        a.volunteers = matching.into_iter().skip(skip).take(ASSESSED_PER_PAGE).collect();
        let (teams_total, villages_total) = (a.teams.len(), a.villages.len());
        a.teams.truncate(RANKED_SHOWN);
        a.villages.truncate(RANKED_SHOWN);
        Ok::<_, ApiError>(AssessmentPage {
            c: Chrome::new(&caller, lang, "assessments", "/assessments"),
            a,
            total,
            page,
            more: total > skip + ASSESSED_PER_PAGE,
            teams_total,
            villages_total,
            places,
            filter,
        })
    }
    .await;
    match result {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

#[derive(Template)]
#[template(path = "rules.html")]
pub struct RulesPage {
    pub c: Chrome,
    pub r: TownRules,
    pub region_id: i64,
    pub region_name: String,
    pub holidays: String,
    pub workdays: String,
    pub per_category: String,
    pub need_deadlines: String,
    pub today: String,
    pub message: Option<super::Flash>,
}

async fn rules_page(
    state: &AppState,
    caller: &Caller,
    lang: Lang,
    message: Option<super::Flash>,
) -> Result<RulesPage, ApiError> {
    let (town, r) = app::rules_of_home_town(state, caller).await?;
    let dates = |v: &[chrono::NaiveDate]| v.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n");
    Ok(RulesPage {
        c: Chrome::new(caller, lang, "rules", "/rules"),
        holidays: dates(&r.calendar.holidays),
        // categories by their names, as staff know them; read back by name or code
        per_category: category_lines(lang, &r.earning.per_category),
        workdays: dates(&r.calendar.workdays),
        need_deadlines: category_lines(lang, &r.need_deadline_days),
        region_id: town.id,
        region_name: town.name,
        today: crate::domain::clock::today().to_string(),
        r,
        message,
    })
}

/// The label for the rules' "every other category" entry (`default`).
const ALL_OTHERS: (&str, &str) = ("其余类别", "All others");

/// A rule by category as lines staff can edit: `走访慰问 = 3`, one a line.
fn category_lines<V: std::fmt::Display>(lang: Lang, rule: &std::collections::BTreeMap<String, V>) -> String {
    rule.iter()
        .map(|(code, v)| {
            let (zh, en) = if code == "default" { ALL_OTHERS } else { crate::domain::category::category_label(code) };
            format!("{} = {v}", lang.t(zh, en))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads `category_lines` back: each line's category (by name or code; 其余类别 for
/// `default`) and its value as typed. An unknown name is passed on for the rules'
/// own check to refuse by name.
fn read_category_lines(text: Option<&str>) -> impl Iterator<Item = (String, &str)> {
    text.unwrap_or("").lines().filter_map(|l| l.split_once(['=', '：', ':'])).map(|(k, v)| {
        let k = k.trim();
        let code = if k == ALL_OTHERS.0 || k.eq_ignore_ascii_case(ALL_OTHERS.1) || k == "default" {
            "default".to_string()
        } else {
            crate::domain::category::category_code(k).map(str::to_string).unwrap_or_else(|| k.to_string())
        };
        (code, v.trim())
    })
}

pub async fn rules(State(state): State<AppState>, PageUser(caller): PageUser, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    match rules_page(&state, &caller, lang, None).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

pub async fn save_rules(
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
    let f = |k: &str| form_get(&pairs, k).and_then(|v| v.trim().parse::<f64>().ok()).unwrap_or(-1.0);
    let i = |k: &str| form_get(&pairs, k).and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(-1);
    let dates = |k: &str| -> Vec<String> {
        form_get(&pairs, k)
            .unwrap_or("")
            .split(['\n', ',', ' ', '，'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    // `走访慰问 = 4` a line: extra points an hour for that kind of service
    let per_category: serde_json::Map<String, Value> = read_category_lines(form_get(&pairs, "per_category"))
        .map(|(code, v)| (code, json!(v.parse::<f64>().unwrap_or(-1.0))))
        .collect();
    // `走访慰问 = 3` a line: days to finish a need of that kind
    let need_deadlines: serde_json::Map<String, Value> = read_category_lines(form_get(&pairs, "need_deadlines"))
        .map(|(code, v)| (code, json!(v.parse::<i64>().unwrap_or(-1))))
        .collect();
    let mut body = json!({
        "effective_from": form_get(&pairs, "effective_from"),
        "star_thresholds": [f("star1"), f("star2"), f("star3"), f("star4"), f("star5")],
        "count_travel": form_get(&pairs, "count_travel") == Some("on"),
        "calendar": {"holidays": dates("holidays"), "workdays": dates("workdays")},
        "earning": {"per_hour": f("per_hour"), "emergency_bonus_per_hour": f("bonus"), "cap_per_service": i("cap"),
                    "per_category": per_category},
        "no_show": {"limit": i("no_show_limit"), "window_days": i("no_show_window"), "block_days": i("no_show_block")},
        "assessment": {"full_hours": f("full_hours"), "hours_weight": f("hours_weight"), "rating_weight": f("rating_weight"),
                       "evaluation_weight": f("evaluation_weight"), "no_show_penalty": f("no_show_penalty"),
                       "excellent_at": f("excellent_at"), "pass_at": f("pass_at")},
    });
    // a form without these fields (an older page) leaves them at the town's defaults
    if form_get(&pairs, "need_deadlines").is_some() {
        body["need_deadline_days"] = Value::Object(need_deadlines);
    }
    if form_get(&pairs, "checkin_radius_m").is_some() {
        body["checkin_radius_m"] = json!(i("checkin_radius_m"));
    }
    let region_id = i("region_id");
    let result = async {
        crate::app::service_records::set_rules(&state, &caller, region_id, crate::app::input::parse(body)?).await
    }
    .await;
    let (message, status) = match result {
        Ok(_) => (
            lang.t(
                "规则已保存，自生效日起执行；已记的积分不变",
                "Saved; it applies from its date and leaves points already earned as they are",
            )
            .to_string(),
            StatusCode::OK,
        ),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let detail = super::problems_text(lang, &e);
            (detail, e.status)
        }
        Err(e) => return error_page(lang, e),
    };
    match rules_page(&state, &caller, lang, Some(super::Flash::for_status(message, status))).await {
        Ok(p) => render_status(&p, status),
        Err(e) => error_page(lang, e),
    }
}
