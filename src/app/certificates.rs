//! Certificates of service (志愿服务证明): issued from the stored records of a
//! period, printed, and checked by anyone with the code.

use super::service_records::visible_volunteer;
use super::{App, Caller, Error, Result};
use crate::domain::clock;
use crate::domain::service::hours;
use crate::domain::validation::{Problem, Problems};
use crate::store::certificates::{self as store, NewCertificate};
use crate::store::service_records::{self as records, ServiceRecord};
use crate::store::volunteers::VolunteerRow;
use crate::store::{awards, regions as region_store, volunteers as volunteer_store};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub use crate::store::certificates::Certificate;

#[derive(Deserialize, IntoParams)]
pub struct PeriodQuery {
    /// First day of service to count (YYYY-MM-DD); default: the first record.
    pub from: Option<String>,
    /// Last day (inclusive); default: today.
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CertificateView {
    pub code: String,
    pub volunteer_no: String,
    pub name: String,
    pub id_number: String,
    pub hours: f64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub records: i64,
    pub content: String,
    pub issued_by: String,
    pub issued_at: DateTime<Utc>,
    pub verify_url: String,
}

/// Issues a certificate from the stored records of a period; each call makes
/// a new one with its own code, and every issue is logged.
pub async fn issue(
    app: &App,
    caller: &Caller,
    volunteer_id: i64,
    q: &PeriodQuery,
) -> Result<(CertificateView, Certificate)> {
    let v = visible_volunteer(app, caller, volunteer_id).await?;
    let mut problems = Problems::new();
    let mut date = |k: &str, s: Option<&str>| match s.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(Problem::about(k, "应为 YYYY-MM-DD 格式的日期", "must be a date written YYYY-MM-DD"));
                None
            }
        },
    };
    let from_q = date("from", q.from.as_deref());
    let to_q = date("to", q.to.as_deref());
    if !problems.is_empty() {
        return Err(Error::invalid(problems));
    }
    let records: Vec<ServiceRecord> =
        records::of_volunteer(&app.db.pool, v.id).await?.into_iter().filter(|r| r.corrected_by.is_none()).collect();
    let first = records.iter().map(|r| clock::local_date(r.started_at)).min();
    let to = to_q.unwrap_or_else(clock::today);
    let from = from_q.or(first).unwrap_or(to);
    if to < from {
        return Err(Error::field(Problem::about("to", "不能早于起始日期", "must not be before the start date")));
    }
    let (minutes, count) =
        records::totals(&app.db.pool, v.id, Some((clock::day_start(from), clock::day_end(to)))).await?;
    let mut kinds: Vec<String> = Vec::new();
    for r in records.iter().filter(|r| {
        let d = clock::local_date(r.started_at);
        d >= from && d <= to
    }) {
        let (zh, _) = crate::domain::category::category_label(&r.category);
        if !kinds.iter().any(|k| k == zh) {
            kinds.push(zh.to_string());
        }
    }
    let content = if kinds.is_empty() { "—".to_string() } else { kinds.join("、") };
    let issued_by = crate::domain::region::station_name(&region_store::town_of(&app.db.pool, v.region_id).await?.name);
    // the store sets the record's detail to the new certificate's code
    let record = caller.record("issue_certificate", "volunteer", v.id, "");
    let cert = store::issue(
        &app.db.pool,
        &NewCertificate {
            volunteer_id: v.id,
            minutes,
            from,
            to,
            records: count,
            content: &content,
            issued_by: &issued_by,
            issued_by_user: Some(caller.user_id),
        },
        &record,
    )
    .await?;
    let view = CertificateView {
        code: cert.code.clone(),
        volunteer_no: v.volunteer_no.clone(),
        name: v.name.clone(),
        // certificates are handed to others: the ID number is always masked
        id_number: v.id_masked.clone(),
        hours: hours(minutes),
        from,
        to,
        records: count,
        content,
        issued_by,
        issued_at: cert.issued_at,
        verify_url: format!("/verify/{}", cert.code),
    };
    Ok((view, cert))
}

/// A certificate as printed: its number, the day of issue, and the honours.
pub struct Printed {
    pub view: CertificateView,
    /// `LBZM` + year + the certificate's serial number.
    pub number: String,
    /// `2026年05月01日`, Beijing time.
    pub issued: String,
    /// Honours on the profile, and awards with the body that gave them and when.
    pub honors: Vec<String>,
}

/// Issues a certificate for printing; answers its code, under which it is
/// opened again (`printed`) without issuing another.
pub async fn issue_for_print(app: &App, caller: &Caller, volunteer_id: i64, q: &PeriodQuery) -> Result<String> {
    Ok(issue(app, caller, volunteer_id, q).await?.1.code)
}

/// A volunteer's certificates, the newest first, for those who may see him.
pub async fn issued(app: &App, caller: &Caller, volunteer_id: i64) -> Result<(VolunteerRow, Vec<Certificate>)> {
    let v = visible_volunteer(app, caller, volunteer_id).await?;
    let list = store::of_volunteer(&app.db.pool, v.id).await?;
    Ok((v, list))
}

/// A certificate already issued, as printed again: the same number and code.
pub async fn printed(app: &App, caller: &Caller, volunteer_id: i64, code: &str) -> Result<Printed> {
    let v = visible_volunteer(app, caller, volunteer_id).await?;
    let cert =
        store::by_code(&app.db.pool, code).await?.filter(|c| c.volunteer_id == v.id).ok_or_else(Error::not_found)?;
    let mut honors = v.honor_list();
    for a in awards::of_volunteer(&app.db.pool, volunteer_id).await.unwrap_or_default() {
        let line = format!("{}（{}，{}）", a.title, a.awarded_by, a.awarded_on.format("%Y年%m月"));
        honors.retain(|h| h != &a.title);
        honors.push(line);
    }
    let view = CertificateView {
        code: cert.code.clone(),
        volunteer_no: v.volunteer_no.clone(),
        name: v.name.clone(),
        // certificates are handed to others: the ID number is always masked
        id_number: v.id_masked.clone(),
        hours: hours(cert.minutes),
        from: cert.period_from,
        to: cert.period_to,
        records: cert.records,
        content: cert.content.clone(),
        issued_by: cert.issued_by.clone(),
        issued_at: cert.issued_at,
        verify_url: format!("/verify/{}", cert.code),
    };
    Ok(Printed {
        number: format!("LBZM{}{:06}", cert.issued_at.format("%Y"), cert.id),
        issued: clock::date_text_zh(cert.issued_at),
        honors,
        view,
    })
}

/// What anyone checking a certificate sees: enough to trust it, no more.
#[derive(Serialize, ToSchema)]
pub struct VerifiedCertificate {
    pub code: String,
    pub volunteer_no: String,
    pub name: String,
    pub hours: f64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub records: i64,
    pub content: String,
    pub issued_by: String,
    pub issued_at: DateTime<Utc>,
}

/// The certificate a code names, for anyone (no login).
pub async fn verify(app: &App, code: &str) -> Result<Option<VerifiedCertificate>> {
    let Some(c) = store::by_code(&app.db.pool, code).await? else { return Ok(None) };
    let v = volunteer_store::get(&app.db.pool, c.volunteer_id).await?.ok_or_else(Error::internal)?;
    Ok(Some(VerifiedCertificate {
        hours: hours(c.minutes),
        code: c.code,
        volunteer_no: v.volunteer_no,
        name: v.name,
        from: c.period_from,
        to: c.period_to,
        records: c.records,
        content: c.content,
        issued_by: c.issued_by,
        issued_at: c.issued_at,
    }))
}
