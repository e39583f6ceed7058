//! `/reports`: the town's or county's dashboard (统计看板) for a period — the
//! summary report's figures with charts drawn on the server, printable, and
//! the workbook one click away.

use super::{error_page, lang_of, render, Chrome};
use crate::app::reports::{self as app, Summary, SummaryAsk};
use crate::domain::category::category_label;
use crate::domain::lang::Lang;
use crate::web::auth::{Caller, PageUser};
use crate::web::charts;
use crate::web::error::ApiError;
use crate::web::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;

/// The dashboard's query: the summary's, without a format (the page is HTML).
#[derive(Deserialize, Default)]
pub struct SummaryQuery {
    pub region_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub preparer: Option<String>,
    pub person_in_charge: Option<String>,
}

pub struct Figure {
    pub label: String,
    pub value: String,
    pub unit: &'static str,
}

pub struct RegionChoice {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub c: Chrome,
    pub s: Summary,
    pub regions: Vec<RegionChoice>,
    pub figures: Vec<Figure>,
    pub month_chart: String,
    pub category_chart: String,
    pub region_chart: String,
    pub care_gauge: String,
    pub team_gauge: String,
    pub parts_label: String,
    /// Period presets: (id, label, from, to).
    pub presets: Vec<(&'static str, String, String, String)>,
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(caller): PageUser,
    headers: HeaderMap,
    Query(mut q): Query<SummaryQuery>,
) -> Response {
    let lang = lang_of(&headers);
    // this year so far, unless asked otherwise
    let today = crate::domain::clock::today();
    if q.from.as_deref().is_none_or(str::is_empty) {
        q.from = Some(format!("{}-01-01", today.year()));
    }
    if q.to.as_deref().is_none_or(str::is_empty) {
        q.to = Some(today.to_string());
    }
    match build_page(&state, &caller, lang, &q).await {
        Ok(p) => render(&p),
        Err(e) => error_page(lang, e),
    }
}

async fn build_page(state: &AppState, caller: &Caller, lang: Lang, q: &SummaryQuery) -> Result<ReportsPage, ApiError> {
    let ask = SummaryAsk {
        region_id: q.region_id.as_deref(),
        from: q.from.as_deref(),
        to: q.to.as_deref(),
        preparer: q.preparer.as_deref(),
        person_in_charge: q.person_in_charge.as_deref(),
    };
    let s = app::summary(state, caller, &ask).await?;
    let choices = app::report_regions(state, caller).await?;
    let regions =
        choices.into_iter().map(|r| RegionChoice { selected: r.id == s.region_id, id: r.id, name: r.name }).collect();
    let t = |zh: &str, en: &str| lang.t(zh, en).to_string();
    let teams_total: i64 = s.teams.values().map(|t| t.count).sum();
    let figures = vec![
        Figure { label: t("队伍", "Teams"), value: teams_total.to_string(), unit: "支" },
        Figure {
            label: t("在册志愿者", "Active volunteers"), value: s.volunteers.active.to_string(), unit: "人"
        },
        Figure { label: t("开展活动", "Activities"), value: s.activities.total.to_string(), unit: "场次" },
        Figure { label: t("服务人次", "Person-times"), value: s.service.person_times.to_string(), unit: "人次" },
        Figure {
            label: t("参与服务人数", "Volunteers who served"),
            value: s.service.volunteers.to_string(),
            unit: "人",
        },
        Figure { label: t("服务时长", "Hours served"), value: format!("{:.1}", s.service.hours), unit: "小时" },
        Figure { label: t("受理需求", "Needs filed"), value: s.needs.filed.to_string(), unit: "件" },
        Figure { label: t("办结需求", "Needs completed"), value: s.needs.completed.to_string(), unit: "件" },
        Figure {
            label: t("平均满意度", "Average rating"),
            value: s.needs.average_rating.map(|r| format!("{r:.2}")).unwrap_or_else(|| "—".into()),
            unit: "星",
        },
        Figure { label: t("受益群众", "Beneficiaries"), value: s.outcomes.beneficiaries.to_string(), unit: "人" },
        Figure {
            label: t("转移群众", "Persons relocated"),
            value: s.outcomes.persons_relocated.to_string(),
            unit: "人",
        },
        Figure {
            label: t("结对帮扶中", "Mentor pairs active"), value: s.mentoring.active.to_string(), unit: "对"
        },
        Figure { label: t("实现就业", "Found work"), value: s.mentoring.employed.to_string(), unit: "人" },
        Figure {
            label: t("自主创业", "Started a business"),
            value: s.mentoring.business_started.to_string(),
            unit: "人",
        },
    ];
    let months: Vec<(String, f64)> =
        s.by_month.iter().map(|m| (m.label.get(5..).unwrap_or(&m.label).to_string(), m.person_times as f64)).collect();
    let mut cats: Vec<(String, f64)> = s
        .service
        .person_times_by_category
        .iter()
        .map(|(c, n)| {
            let (zh, en) = category_label(c);
            (lang.t(zh, en).to_string(), *n as f64)
        })
        .collect();
    cats.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut parts: Vec<(String, f64)> = s.by_region.iter().map(|l| (l.label.clone(), l.hours)).collect();
    parts.sort_by(|a, b| b.1.total_cmp(&a.1));
    // one village one team: the share of the region's villages that have a team
    let team_share = app::team_coverage(state, caller, s.region_id).await?;
    let presets = period_presets(lang, crate::domain::clock::today());
    Ok(ReportsPage {
        presets,
        c: Chrome::new(caller, lang, "reports", "/reports"),
        month_chart: charts::columns(&t("服务人次（按月）", "Person-times by month"), &months),
        category_chart: charts::bars(&t("服务人次（按类别）", "Person-times by category"), &cats),
        region_chart: charts::bars(&t("服务时长（小时）", "Hours served"), &parts),
        care_gauge: charts::gauge(&t("关爱走访覆盖率", "Care visit coverage"), s.care.coverage),
        team_gauge: charts::gauge(&t("一村一队覆盖率", "Villages with a team"), team_share),
        parts_label: t("按下级区域", "By part of the region"),
        regions,
        figures,
        s,
    })
}

/// 本月 / 本季度 / 本年 / 上年, as dates to fill the form with.
fn period_presets(lang: Lang, today: chrono::NaiveDate) -> Vec<(&'static str, String, String, String)> {
    let y = today.year();
    let q_start = ((today.month() - 1) / 3) * 3 + 1;
    let first = |y: i32, m: u32| chrono::NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(today);
    vec![
        (
            "preset-month",
            lang.t("本月", "This month").to_string(),
            first(y, today.month()).to_string(),
            today.to_string(),
        ),
        (
            "preset-quarter",
            lang.t("本季度", "This quarter").to_string(),
            first(y, q_start).to_string(),
            today.to_string(),
        ),
        ("preset-year", lang.t("本年", "This year").to_string(), first(y, 1).to_string(), today.to_string()),
        (
            "preset-last-year",
            lang.t("上年", "Last year").to_string(),
            first(y - 1, 1).to_string(),
            format!("{}-12-31", y - 1),
        ),
    ]
}
