//! Notices (通知公告): staff post them to a region; everyone at or below it
//! reads them, and the read receipts show staff who has seen each one.

use super::{list_scope, paging, App, Caller, Error, Result};
use crate::domain::text::typed;
use crate::domain::validation::{Problem, Problems};
use crate::store::announcements::{self as store, NewAnnouncement};
use crate::store::regions as region_store;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::domain::announcement::AnnouncementKind;
pub use crate::store::announcements::{Announcement, Receipt};

/// What a caller sees: notices addressed to their region or above it; those
/// who read the roster see their whole subtree's too. Newest first.
pub async fn visible_list(app: &App, caller: &Caller, limit: i64) -> Result<Vec<Announcement>> {
    Ok(store::visible(&app.db.pool, caller.user_id, caller.scope_path(), caller.role.reads_roster(), limit).await?)
}

/// The list as the API gives it: `limit` (1–1000), and optionally the notices
/// around one region of the caller's scope instead of their own.
pub async fn list(
    app: &App,
    caller: &Caller,
    region_id: Option<&str>,
    limit: Option<&str>,
) -> Result<Vec<Announcement>> {
    let (limit, _) = paging(limit, None)?;
    if region_id.is_some_and(|r| !r.trim().is_empty()) {
        let within = list_scope(app, caller, region_id).await?;
        let below = caller.role.reads_roster();
        return Ok(store::visible(&app.db.pool, caller.user_id, &within, below, limit).await?);
    }
    visible_list(app, caller, limit).await
}

fn sees(caller: &Caller, a: &Announcement) -> bool {
    caller.scope_path().starts_with(&a.region_path) || (caller.role.reads_roster() && caller.covers(&a.region_path))
}

/// One notice the caller is addressed by (or, for staff, one inside their scope).
pub async fn visible_one(app: &App, caller: &Caller, id: i64) -> Result<Announcement> {
    let a = store::get(&app.db.pool, id, caller.user_id).await?.ok_or_else(Error::not_found)?;
    caller.ensure(sees(caller, &a))?;
    Ok(a)
}

/// A notice to post, or a correction: in a PATCH, what is given overrides what is stored.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NoticeInput {
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub body: Option<String>,
    /// policy, event, job or other (default other).
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    #[schema(value_type = Option<AnnouncementKind>)]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub region_id: Option<i64>,
}

/// A notice as checked, for a post and for a correction alike.
struct Draft {
    title: String,
    body: String,
    kind: AnnouncementKind,
    region_id: i64,
}

impl Draft {
    fn as_new(&self) -> NewAnnouncement<'_> {
        NewAnnouncement { title: &self.title, body: &self.body, kind: self.kind.as_str(), region_id: self.region_id }
    }
}

fn text(problems: &mut Problems, field: &str, v: Option<&str>, max_chars: usize, required: bool) -> Option<String> {
    let t = match typed(field, v) {
        Some(t) if t.chars().count() > max_chars => {
            problems.push(Problem::about(
                field,
                &format!("不能超过{max_chars}个字"),
                &format!("must be at most {max_chars} characters"),
            ));
            return None;
        }
        other => other,
    };
    if t.is_none() && required {
        problems.push(Problem::required(field));
    }
    t
}

async fn checked(app: &App, caller: &Caller, input: &NoticeInput) -> Result<Draft> {
    caller.ensure(caller.role.manages_roster())?;
    let mut problems = Problems::new();
    let title = text(&mut problems, "title", input.title.as_deref(), 100, true);
    let body = text(&mut problems, "body", input.body.as_deref(), 5000, true);
    let kind = text(&mut problems, "kind", input.kind.as_deref(), 20, false);
    let region_id = input.region_id;
    if region_id.is_none() {
        problems.push(Problem::required("region_id"));
    }
    let kind = match kind.as_deref() {
        None if problems.get("kind").is_some() => None,
        None => Some(AnnouncementKind::Other),
        Some(k) => {
            let parsed = AnnouncementKind::parse(k);
            if parsed.is_none() {
                problems.push(Problem::about(
                    "kind",
                    "应为 policy、event、job 或 other",
                    "must be policy, event, job or other",
                ));
            }
            parsed
        }
    };
    let (Some(title), Some(body), Some(kind), Some(region_id)) = (title, body, kind, region_id) else {
        return Err(Error::invalid(problems));
    };
    if !problems.is_empty() {
        return Err(Error::invalid(problems));
    }
    let region = region_store::get(&app.db.pool, region_id)
        .await?
        .ok_or_else(|| Error::field(Problem::about("region_id", "不存在", "does not exist")))?;
    caller.ensure_covers(&region.path)?;
    Ok(Draft { title, body, kind, region_id })
}

/// Checks and posts a notice to a region of the caller's scope.
pub async fn post(app: &App, caller: &Caller, input: NoticeInput) -> Result<Announcement> {
    let d = checked(app, caller, &input).await?;
    let record = caller.record("create", "announcement", 0, &d.title);
    let id = store::post(&app.db.pool, &d.as_new(), caller.user_id, &record).await?;
    store::get(&app.db.pool, id, caller.user_id).await?.ok_or_else(Error::internal)
}

/// Corrects a notice; receipts stay, as readers saw the same notice.
pub async fn update(app: &App, caller: &Caller, id: i64, input: NoticeInput) -> Result<Announcement> {
    let current = store::get(&app.db.pool, id, caller.user_id).await?.ok_or_else(Error::not_found)?;
    caller.ensure(caller.role.manages_roster())?;
    caller.ensure_covers(&current.region_path)?;
    let merged = NoticeInput {
        title: input.title.or(Some(current.title)),
        body: input.body.or(Some(current.body)),
        kind: input.kind.or(Some(current.kind.as_str().to_string())),
        region_id: input.region_id.or(Some(current.region_id)),
    };
    let d = checked(app, caller, &merged).await?;
    let record = caller.record("update", "announcement", id, &d.title);
    if !store::update(&app.db.pool, id, &d.as_new(), &record).await? {
        return Err(Error::not_found());
    }
    store::get(&app.db.pool, id, caller.user_id).await?.ok_or_else(Error::not_found)
}

#[derive(Serialize, ToSchema)]
pub struct ReadReceipt {
    pub announcement_id: i64,
    /// The first time the caller read it; reading again does not move it.
    pub read_at: DateTime<Utc>,
}

/// Marks a notice read by the caller; reading again keeps the first time.
pub async fn read(app: &App, caller: &Caller, id: i64) -> Result<ReadReceipt> {
    let a = visible_one(app, caller, id).await?;
    let read_at = store::mark_read(&app.db.pool, a.id, caller.user_id).await?;
    Ok(ReadReceipt { announcement_id: a.id, read_at })
}

/// Opening a notice on a page is reading it.
pub async fn open(app: &App, caller: &Caller, id: i64) -> Result<Announcement> {
    let a = visible_one(app, caller, id).await?;
    store::mark_read(&app.db.pool, id, caller.user_id).await?;
    Ok(a)
}

#[derive(Serialize, ToSchema)]
pub struct Receipts {
    pub read: Vec<Receipt>,
    /// Volunteers' accounts in the addressed region that have not read it.
    pub unread_count: i64,
}

/// Who has read a notice, for staff of the region it went to.
pub async fn receipts(app: &App, caller: &Caller, id: i64) -> Result<(Announcement, Receipts)> {
    let a = store::get(&app.db.pool, id, caller.user_id).await?.ok_or_else(Error::not_found)?;
    caller.ensure(caller.role.manages_roster())?;
    caller.ensure_covers(&a.region_path)?;
    let read = store::receipts(&app.db.pool, id).await?;
    let unread_count = store::unread_count(&app.db.pool, id, &a.region_path).await?;
    Ok((a, Receipts { read, unread_count }))
}

/// The regions a notice may be addressed to on the page: the caller's scope
/// down to villages (a grid is too small to address), for those who post.
pub async fn addressable_regions(app: &App, caller: &Caller) -> Result<Vec<super::regions::Region>> {
    if !caller.role.manages_roster() {
        return Ok(vec![]);
    }
    Ok(super::regions::in_scope(app, caller, None)
        .await?
        .into_iter()
        .filter(|r| r.kind() != crate::domain::region::RegionKind::Grid)
        .collect())
}
