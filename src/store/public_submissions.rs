//! What the public sends without an account (a need from `/ask`, an
//! application from `/join`), counted per device and per phone so that one
//! sender cannot flood the station. The rows are written with the submission
//! itself, by the store functions that create it.

use super::{Pool, Result};
use crate::on_db;
use chrono::{DateTime, Utc};

/// How many public submissions came from this client, and for this phone,
/// since `since` (the hashes are the vault's blind indexes).
pub async fn counts_since(
    pool: &Pool,
    client_hash: &str,
    phone_hash: &str,
    since: DateTime<Utc>,
) -> Result<(i64, i64)> {
    Ok(on_db!(pool, |p| sqlx::query_as::<_, (i64, i64)>(
        "SELECT (SELECT COUNT(*) FROM public_submissions WHERE client_hash = $1 AND at >= $3),
                (SELECT COUNT(*) FROM public_submissions WHERE phone_hash = $2 AND at >= $3)"
    )
    .bind(client_hash)
    .bind(phone_hash)
    .bind(since)
    .fetch_one(p)
    .await?))
}
