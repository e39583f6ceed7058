//! 个人信息保护法 rights and the audit log's own use: a person's copy of
//! everything held about them (including who saw their ID number and phone in
//! full, and when), and the audit log searched by person and exported.

use super::{App, Caller, Error, Result};
use crate::domain::account::Role;
use crate::domain::validation::Problem;
use crate::store::audit::{self, AuditRow, Search};
use crate::store::{
    activities, awards, certificates, evaluations, mentoring, points, service_records, trainings, volunteers,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{json, Value};

/// One look at a person's unmasked personal data, as they are told of it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ViewOfMe {
    pub at: DateTime<Utc>,
    /// The account that looked.
    pub by: String,
    /// Where: their profile, a list, an export.
    pub place: String,
}

/// Everything held about the caller, as one document to download.
pub async fn my_data(app: &App, caller: &Caller) -> Result<Value> {
    let pool = &app.db.pool;
    let account = crate::store::accounts::find_by_id(pool, caller.user_id).await?.ok_or_else(Error::unauthorized)?;
    let sessions = super::accounts::my_sessions(app, caller).await?;
    let mut doc = json!({
        "generated_at": Utc::now(),
        "account": {
            "username": account.username,
            "display_name": caller.display_name,
            "role": account.role,
            "region_id": account.region_id,
            "second_factor": account.totp_secret.is_some(),
        },
        "sessions": sessions,
    });
    if let Some(vid) = caller.volunteer_id {
        let v = volunteers::get(pool, vid).await?.ok_or_else(Error::not_found)?;
        let signups: Vec<Value> = activities::of_volunteer(pool, vid)
            .await?
            .into_iter()
            .map(|(a, s)| json!({"activity_id": a.id, "title": a.title, "starts_at": a.starts_at, "status": s}))
            .collect();
        let views: Vec<ViewOfMe> = audit::search(
            pool,
            &Search {
                volunteer_id: Some(vid),
                action: Some("view_personal_data".into()),
                limit: 10_000,
                ..Search::default()
            },
        )
        .await?
        .into_iter()
        .map(|r| ViewOfMe { at: r.at, by: r.username, place: r.target_type })
        .collect();
        doc["volunteer"] = serde_json::to_value(super::volunteers::view(app, v, true)).unwrap_or(Value::Null);
        doc["service_records"] = json!(service_records::of_volunteer(pool, vid).await?);
        doc["points"] = json!(points::entries(pool, vid).await?);
        doc["trainings"] = json!(trainings::of_volunteer(pool, vid).await?);
        doc["awards"] = json!(awards::of_volunteer(pool, vid).await?);
        doc["certificates"] = json!(certificates::of_volunteer(pool, vid).await?);
        doc["evaluations"] = json!(evaluations::of_volunteer(pool, vid).await?);
        doc["mentorships"] = json!(mentoring::of_volunteer(pool, vid).await?);
        doc["signups"] = json!(signups);
        doc["views_of_my_personal_data"] = json!(views);
    }
    caller.audit(app, "personal_data_download", "user", &caller.user_id.to_string(), "").await;
    Ok(doc)
}

/// The audit log query as sent.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// The account that acted (user name).
    pub actor: Option<String>,
    /// Entries about this volunteer (their record, lists and exports that showed it).
    pub volunteer_id: Option<String>,
    pub action: Option<String>,
    /// First day, YYYY-MM-DD (Beijing time).
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD.
    pub to: Option<String>,
}

fn day(field: &str, v: Option<&str>) -> Result<Option<NaiveDate>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| {
            Error::field(Problem::about(field, "应为 YYYY-MM-DD 格式的日期", "must be a date written YYYY-MM-DD"))
        }),
    }
}

/// The audit log searched by person and time; administrators only (the log
/// says who saw whom across the whole installation).
pub async fn search_audit(app: &App, caller: &Caller, q: &AuditQuery, limit: i64) -> Result<Vec<AuditRow>> {
    caller.ensure(caller.role == Role::Admin)?;
    let volunteer_id = match q.volunteer_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<i64>().map_err(|_| Error::field(Problem::about("volunteer_id", "应为编号", "must be an id")))?,
        ),
    };
    let from = day("from", q.from.as_deref())?;
    let to = day("to", q.to.as_deref())?;
    let start = |d: NaiveDate| crate::domain::clock::from_local(d.and_hms_opt(0, 0, 0).unwrap_or_default());
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let rows = audit::search(
        &app.db.pool,
        &Search {
            actor: text(&q.actor),
            volunteer_id,
            action: text(&q.action),
            from: from.map(start),
            to: to.and_then(|d| d.succ_opt()).map(start),
            limit,
        },
    )
    .await?;
    caller.audit(app, "audit_search", "audit_log", "", &format!("{} entries", rows.len())).await;
    Ok(rows)
}

/// The found entries as CSV (UTF-8 with a BOM, as Chinese Excel opens it).
pub fn audit_csv(rows: &[AuditRow]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let _ = w.write_record([
        "id",
        "时间 at",
        "账号 account",
        "操作 action",
        "对象 target",
        "编号 target id",
        "详情 detail",
        "hash",
    ]);
    for r in rows {
        let _ = w.write_record([
            r.id.to_string(),
            r.at.to_rfc3339(),
            r.username.clone(),
            r.action.clone(),
            r.target_type.clone(),
            r.target_id.clone(),
            r.detail.clone(),
            r.hash.clone(),
        ]);
    }
    w.into_inner().map_err(|_| Error::internal())
}

/// The person `id` if the caller may erase them: staff and administrators
/// whose scope covers them, and someone not erased already (the erase page
/// asks before it shows its form).
pub async fn erasable(app: &App, caller: &Caller, id: i64) -> Result<super::volunteers::VolunteerRow> {
    let v = super::volunteers::visible(app, caller, id).await?;
    caller.ensure(caller.role.manages_roster() && caller.covers(&v.region_path))?;
    if v.erased_at.is_some() {
        return Err(Error::code(crate::domain::error_code::ErrorCode::Erased));
    }
    Ok(v)
}

/// What staff send to erase a person: the person's name typed back, as the
/// roster shows it now, so that a slip of the finger erases nobody.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct EraseInput {
    /// The person's current name (姓名), exactly as the roster shows it.
    pub confirm_name: Option<String>,
}

/// Erases a person who left (个人信息保护法 第四十七条): staff and
/// administrators whose scope covers them; refused with `has_open_work`
/// (409, each kind of open work a field naming the things) while they still
/// have any, and nothing changed. What is removed and what is kept:
/// `store::volunteers::erase`.
pub async fn erase_volunteer(app: &App, caller: &Caller, id: i64, input: &EraseInput) -> Result<()> {
    let v = erasable(app, caller, id).await?;
    let typed = input.confirm_name.as_deref().map(str::trim).unwrap_or("");
    if typed.is_empty() {
        return Err(Error::field(Problem::new(
            "confirm_name",
            "请输入此人的姓名以确认注销",
            "Type the person's name to confirm the erasure",
        )));
    }
    if typed != v.name.trim() {
        return Err(Error::field(Problem::new(
            "confirm_name",
            "输入的姓名与此人的姓名不一致",
            "The name typed does not match the person's name",
        )));
    }
    // the volunteer number names the row, not the person
    let record = caller.record("erase", "volunteer", id, &v.volunteer_no);
    match volunteers::erase(&app.db.pool, id, &record).await? {
        Ok(()) => Ok(()),
        Err(blockers) => {
            let (zh, en) = crate::domain::erasure::message(&blockers);
            let mut e = Error::new(crate::domain::error_code::ErrorCode::HasOpenWork, zh, en);
            e.fields = crate::domain::erasure::problems(&blockers);
            Err(e)
        }
    }
}
