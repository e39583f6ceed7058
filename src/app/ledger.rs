//! The activity ledger (活动台账): what a township shows upward for every
//! activity — the record, who came and when, photos — one activity at a time
//! or as a book for a period and a region.

use super::{activities, list_scope, App, Caller, Error, Result};
use crate::domain::clock;
use crate::domain::photo::PhotoSubject;
use crate::store::ledger as store;
pub use crate::store::ledger::AttendedLine;
use crate::store::photos::{self as photo_store, PhotoMeta};
use crate::store::{activities as activity_store, regions as region_store};
use chrono::NaiveDate;

pub use crate::app::activities::Activity;

/// Photos a ledger page prints: two at least, six at most.
pub const MIN_PHOTOS: usize = 2;
pub const MAX_PHOTOS: usize = 6;
/// Activities one book holds; a longer period is split by the one who prints it.
pub const MAX_BOOK: usize = 400;

/// One activity's ledger page.
pub struct Entry {
    pub activity: Activity,
    pub attended: Vec<AttendedLine>,
    /// The photos printed (the first six).
    pub photos: Vec<PhotoMeta>,
    /// All the activity's photos, for the workbook's links.
    pub photo_count: usize,
    pub all_photo_ids: Vec<i64>,
}

/// A book: the region it covers, the period, and its pages in order.
pub struct Book {
    pub region_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub entries: Vec<Entry>,
}

async fn entry(app: &App, a: Activity, photos: Vec<PhotoMeta>) -> Result<Entry> {
    let attended = store::attended(&app.db.pool, a.id).await?;
    let photo_count = photos.len();
    let all_photo_ids = photos.iter().map(|p| p.id).collect();
    Ok(Entry {
        activity: a,
        attended,
        photos: photos.into_iter().take(MAX_PHOTOS).collect(),
        photo_count,
        all_photo_ids,
    })
}

/// One activity's page, for those who run it (the leader, the station's staff).
pub async fn page(app: &App, caller: &Caller, id: i64) -> Result<Entry> {
    let a = activities::visible(app, caller, id).await?;
    caller.ensure(activities::runs(app, caller, &a).await?)?;
    let photos = photo_store::list(&app.db.pool, PhotoSubject::Activity, a.id).await?;
    entry(app, a, photos).await
}

/// The ledger book of a region's subtree (the caller's scope by default) for
/// a period, both days included: every activity that started in it, in order.
pub async fn book(app: &App, caller: &Caller, region_id: Option<&str>, from: &str, to: &str) -> Result<Book> {
    caller.ensure(caller.role.runs_service())?;
    let (from, to) = super::grids::period(Some(from), Some(to))?;
    let within = list_scope(app, caller, region_id).await?;
    // a region's path ends in its own id (`/1/2/`); the whole installation's is `/`
    let region_id = within.trim_end_matches('/').rsplit('/').next().and_then(|s| s.parse::<i64>().ok());
    let region_name = match region_id {
        Some(id) => region_store::get(&app.db.pool, id).await?.map(|r| r.name).unwrap_or_default(),
        None => app.site_name.clone(),
    };
    let start = clock::from_local(from.and_hms_opt(0, 0, 0).unwrap_or_default());
    let end = clock::from_local((to + chrono::Duration::days(1)).and_hms_opt(0, 0, 0).unwrap_or_default());
    let ids = store::activity_ids(&app.db.pool, &within, start, end).await?;
    if ids.len() > MAX_BOOK {
        return Err(Error::field(crate::domain::validation::Problem::new(
            "to",
            "这段时间的活动超过400场，请缩短时间段分册打印",
            "more than 400 activities in the period; print a shorter one",
        )));
    }
    let mut photos = photo_store::list_many(&app.db.pool, PhotoSubject::Activity, &ids).await?;
    let mut entries = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(a) = activity_store::get(&app.db.pool, id).await? else { continue };
        let (mine, rest): (Vec<_>, Vec<_>) = photos.into_iter().partition(|p| p.subject_id == id);
        photos = rest;
        entries.push(entry(app, a, mine).await?);
    }
    Ok(Book { region_name, from, to, entries })
}
