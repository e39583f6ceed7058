//! Photos on activities, care visits and needs (grid cases are needs): who
//! may add them, who may see them, and the work of making the kept copy.

use super::{activities, care, needs, App, Caller, Error, Result};
use crate::domain::account::Role;
use crate::domain::needs::OfferStatus;
use crate::domain::photo::{self, PhotoSubject};
use crate::store::photos as store;
pub use crate::store::photos::PhotoMeta;
use tokio::sync::Semaphore;

/// Photos decoded at once: each may take up to a few hundred MB while it is
/// read, so a burst of uploads waits its turn instead of filling the memory
/// of a small station PC.
static DECODING: Semaphore = Semaphore::const_new(2);

/// What the caller may do with the photos of one thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rights {
    pub see: bool,
    pub add: bool,
}

/// Who sees a thing sees its photos; who answers for it adds and removes them.
pub async fn rights(app: &App, caller: &Caller, subject: PhotoSubject, id: i64) -> Result<Rights> {
    match subject {
        PhotoSubject::Activity => {
            let a = activities::visible(app, caller, id).await?;
            Ok(Rights { see: true, add: activities::runs(app, caller, &a).await? })
        }
        PhotoSubject::CareVisit => {
            let recipient = store::care_visit_recipient(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
            care::visible(app, caller, recipient).await?;
            Ok(Rights { see: true, add: caller.role.runs_service() })
        }
        PhotoSubject::Need => {
            let n = needs::visible(app, caller, id).await?;
            // staff, leaders and the grid's own workers (a grid case); a
            // volunteer who took the need on shows the work done
            let in_charge = caller.role != Role::Volunteer && caller.covers(&n.region_path);
            let serving = needs::my_offer(app, caller, id).await? == Some(OfferStatus::Accepted);
            Ok(Rights { see: true, add: in_charge || serving })
        }
    }
}

/// The photos of a thing the caller may see.
pub async fn list(app: &App, caller: &Caller, subject: PhotoSubject, id: i64) -> Result<Vec<PhotoMeta>> {
    rights(app, caller, subject, id).await?;
    Ok(store::list(&app.db.pool, subject, id).await?)
}

/// Takes a photo as sent, keeps a shrunk copy without EXIF, and its thumbnail.
pub async fn add(
    app: &App,
    caller: &Caller,
    subject: PhotoSubject,
    id: i64,
    bytes: Vec<u8>,
    caption: Option<String>,
) -> Result<PhotoMeta> {
    caller.ensure(rights(app, caller, subject, id).await?.add)?;
    let caption = crate::domain::text::typed("caption", caption.as_deref());
    if caption.as_ref().is_some_and(|c| c.chars().count() > 100) {
        return Err(Error::field(crate::domain::validation::Problem::new(
            "caption",
            "照片说明不能超过100个字",
            "A caption must be at most 100 characters",
        )));
    }
    // the size is checked before the decoder's turn is waited for
    if bytes.len() > photo::MAX_FILE_BYTES {
        return Err(Error::field(crate::domain::validation::Problem::new(
            "photo",
            "照片不能超过12 MB",
            "A photo must be at most 12 MB",
        )));
    }
    let processed = {
        let _turn = DECODING.acquire().await.map_err(|_| Error::internal())?;
        tokio::task::spawn_blocking(move || photo::process(&bytes)).await.map_err(|_| Error::internal())?
    }
    .map_err(Error::field)?;
    let record = caller.record("add_photo", "photo", "", &format!("{}:{id}", subject.as_str()));
    let pid =
        store::add(&app.db.pool, subject, id, &processed, caption.as_deref(), Some(caller.user_id), &record).await?;
    store::get(&app.db.pool, pid).await?.ok_or_else(Error::internal)
}

/// A photo's bytes (or its thumbnail's), for those who may see what it shows.
pub async fn bytes(app: &App, caller: &Caller, photo_id: i64, thumb: bool) -> Result<Vec<u8>> {
    let meta = store::get(&app.db.pool, photo_id).await?.ok_or_else(Error::not_found)?;
    rights(app, caller, meta.subject, meta.subject_id).await?;
    store::bytes(&app.db.pool, photo_id, thumb).await?.ok_or_else(Error::not_found)
}

/// Removes a photo; the same people who add them.
pub async fn delete(app: &App, caller: &Caller, photo_id: i64) -> Result<PhotoMeta> {
    let meta = store::get(&app.db.pool, photo_id).await?.ok_or_else(Error::not_found)?;
    caller.ensure(rights(app, caller, meta.subject, meta.subject_id).await?.add)?;
    let record =
        caller.record("delete_photo", "photo", photo_id, &format!("{}:{}", meta.subject.as_str(), meta.subject_id));
    store::delete(&app.db.pool, photo_id, &record).await?;
    Ok(meta)
}

/// The care recipient a visit was paid to, for one who may see them.
pub async fn recipient_of_visit(app: &App, caller: &Caller, visit_id: i64) -> Result<i64> {
    let recipient = store::care_visit_recipient(&app.db.pool, visit_id).await?.ok_or_else(Error::not_found)?;
    care::visible(app, caller, recipient).await?;
    Ok(recipient)
}
