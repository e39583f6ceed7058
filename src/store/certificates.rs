//! Service certificates (志愿服务证明): built only from stored records, each
//! with its own number and a code anyone can verify.

use super::audit::{AuditTx, Record};
use super::{BeginWrite, Pool, Result};
use crate::on_db;
use chrono::{DateTime, NaiveDate, Utc};
use rand::Rng;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Certificate {
    #[serde(skip)]
    pub id: i64,
    /// Verification code; also the certificate number's tail.
    pub code: String,
    #[serde(skip)]
    pub volunteer_id: i64,
    #[serde(skip)]
    pub minutes: i64,
    #[serde(rename = "from")]
    pub period_from: NaiveDate,
    #[serde(rename = "to")]
    pub period_to: NaiveDate,
    pub records: i64,
    /// What the service was, as printed on the certificate.
    pub content: String,
    pub issued_by: String,
    pub issued_at: DateTime<Utc>,
}

/// Unambiguous letters and digits (no 0/O, 1/I), easy to read aloud on the phone.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

pub fn new_code() -> String {
    let mut rng = rand::thread_rng();
    (0..12).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

pub struct NewCertificate<'a> {
    pub volunteer_id: i64,
    pub minutes: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub records: i64,
    pub content: &'a str,
    pub issued_by: &'a str,
    pub issued_by_user: Option<i64>,
}

/// Issues a certificate; the audit record, with the new code as its detail,
/// is written in the same transaction.
pub async fn issue(pool: &Pool, c: &NewCertificate<'_>, record: &Record) -> Result<Certificate> {
    let code = new_code();
    let now = Utc::now();
    let mut record = record.clone();
    record.detail = code.clone();
    on_db!(pool, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
        "INSERT INTO certificates (code, volunteer_id, minutes, period_from, period_to, records, content, issued_by, issued_by_user, issued_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    )
    .bind(&code)
    .bind(c.volunteer_id)
    .bind(c.minutes)
    .bind(c.from)
    .bind(c.to)
    .bind(c.records)
    .bind(c.content)
    .bind(c.issued_by)
    .bind(c.issued_by_user)
    .bind(now)
    .execute(&mut *tx)
    .await?;
        tx.audit(&record.entry()).await?;
        tx.commit().await?;
    });
    by_code(pool, &code).await?.ok_or(super::StoreError::NotFound)
}

pub async fn by_code(pool: &Pool, code: &str) -> Result<Option<Certificate>> {
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Certificate>(
        "SELECT id, code, volunteer_id, minutes, period_from, period_to, records, content, issued_by, issued_at
           FROM certificates WHERE code = $1"
    )
    .bind(code.trim().to_uppercase())
    .fetch_optional(p)
    .await?))
}

/// A volunteer's certificates, the newest first.
pub async fn of_volunteer(pool: &Pool, volunteer_id: i64) -> Result<Vec<Certificate>> {
    Ok(on_db!(pool, |p| sqlx::query_as::<_, Certificate>(
        "SELECT id, code, volunteer_id, minutes, period_from, period_to, records, content, issued_by, issued_at
           FROM certificates WHERE volunteer_id = $1 ORDER BY issued_at DESC, id DESC"
    )
    .bind(volunteer_id)
    .fetch_all(p)
    .await?))
}
