//! The volunteer's own page: my hours and stars, my activities and the open
//! ones to sign up for, my records, and what waits for my answer.

use super::{App, Caller, Error, Result};
use crate::domain::error_code::ErrorCode;
use crate::domain::service::{hours, star_level};
use crate::store::activities::{self, Activity};
use crate::store::announcements::Announcement;
use crate::store::mentoring::Mentorship;
use crate::store::mobilizations::Mobilization;
use crate::store::needs::Need;
use crate::store::service_records::{self, ServiceRecord};
use crate::store::volunteers::VolunteerRow;
use crate::store::{self, announcements, mentoring, mobilizations, needs, points, regions, settings, volunteers};
use chrono::{DateTime, Utc};
use std::sync::Arc;

pub use crate::domain::activity::SignupStatus;

/// Everything the volunteer's own page shows.
pub struct MyPage {
    /// What was read from the database, shared with other views of the page
    /// until something changes (`store::kept_while`).
    pub read: Arc<MyData>,
    /// Counting hours (corrected records do not count).
    pub hours: f64,
    pub stars: u8,
    /// Hours still to go to the next star, if there is one.
    pub next_star: Option<f64>,
}

/// The page's data as read from the database.
pub struct MyData {
    pub volunteer: VolunteerRow,
    pub points: i64,
    /// My sign-ups (cancelled ones left out), newest first.
    pub mine: Vec<(Activity, SignupStatus)>,
    /// Open activities of my town and village that I have not signed up for.
    pub open: Vec<Activity>,
    /// My records, corrected ones included.
    pub records: Vec<ServiceRecord>,
    /// Needs offered to me, waiting for my answer.
    pub offers: Vec<Need>,
    /// Open call-outs I was called to, with my answer if I gave one.
    pub calls: Vec<(Mobilization, Option<String>)>,
    /// Notices addressed to my village or above it.
    pub notices: Vec<Announcement>,
    /// Mentor pairs I am part of, as mentor or mentee.
    pub pairs: Vec<Mentorship>,
    /// When the first of the town's open activities read ends: from then on
    /// the open list may differ (one drops out, an older one moves up), so
    /// what was read is good until then and no longer.
    pub good_until: Option<DateTime<Utc>>,
}

/// The caller's own page; not found for an account without a volunteer.
///
/// Its data is kept until anything is committed or the first open activity
/// on it ends, whichever is first: a volunteer opening the page again, or
/// many opening it at once after a notice, cost one check of the database's
/// version instead of the page's nine reads.
pub async fn my_page(app: &App, caller: &Caller) -> Result<MyPage> {
    let pool = &app.db.pool;
    let vid = caller.volunteer_id.ok_or_else(|| {
        Error::new(ErrorCode::NotAVolunteer, "该账号没有关联志愿者", "This account is not linked to a volunteer")
            .with_status(axum::http::StatusCode::NOT_FOUND)
    })?;
    // everything the reads depend on besides the data: the volunteer, and who
    // asks (notices are read by account, scope and role)
    let (scope, below) = (caller.scope_path(), caller.role.reads_roster());
    let key = format!("me::{vid}\u{1f}{}\u{1f}{scope}\u{1f}{below}", caller.user_id);
    let fresh = |d: &Arc<MyData>| d.good_until.is_none_or(|t| Utc::now() < t);
    let read = store::kept_while(pool, key, fresh, || read_my_data(app, caller, vid)).await?;
    let rules = settings::rules_for(pool, &read.volunteer.region_path).await?;
    let minutes: i64 = read.records.iter().filter(|r| r.corrected_by.is_none()).map(|r| r.minutes).sum();
    let total = hours(minutes);
    let stars = star_level(total, &rules.star_thresholds);
    Ok(MyPage {
        hours: total,
        stars,
        next_star: rules.star_thresholds.get(stars as usize).map(|t| ((t - total) * 100.0).round() / 100.0),
        read,
    })
}

async fn read_my_data(app: &App, caller: &Caller, vid: i64) -> store::Result<Arc<MyData>> {
    let pool = &app.db.pool;
    let v = volunteers::get(pool, vid).await?.ok_or(store::StoreError::NotFound)?;
    let mine = activities::of_volunteer(pool, vid).await?;
    // open activities of the volunteer's town and village, to sign up for
    let town = regions::town_of_path(pool, &v.region_path).await?;
    let town_open = activities::list(pool, &town.path, true, 30).await?;
    let good_until = town_open.iter().map(|a| a.ends_at).min();
    let open = town_open
        .into_iter()
        .filter(|a| v.region_path.starts_with(&a.region_path) || a.region_path.starts_with(&v.region_path))
        .filter(|a| !mine.iter().any(|(m, _)| m.id == a.id))
        .collect();
    Ok(Arc::new(MyData {
        points: points::balance(pool, vid).await?,
        records: service_records::of_volunteer(pool, vid).await?,
        mine,
        open,
        offers: needs::open_offers_for(pool, vid).await?,
        calls: mobilizations::open_calls_for(pool, vid).await?,
        notices: announcements::visible(pool, caller.user_id, caller.scope_path(), caller.role.reads_roster(), 10)
            .await?,
        pairs: mentoring::of_volunteer(pool, vid).await?,
        volunteer: v,
        good_until,
    }))
}
