//! Data kept in memory until the database changes (`super::kept_or`).
//!
//! Both databases keep the same way: a value read for a key is stored with a
//! number that says what the database held when it was read, and handed out
//! again only to a request that is given the same number. What differs is
//! where the number comes from. On SQLite it is the reader's epoch, moved by
//! `PRAGMA data_version` (`reader::Reader::epoch`). On PostgreSQL it is the
//! sum of the table `data_version`, to which every writing transaction adds
//! one at its commit (migration 0039); [`Keeper`] reads it.

use super::Result;
use sqlx::PgPool;
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// How many values a shelf holds.
const KEPT_MAX: usize = 32;

/// Values by key, each with the number it was read at. At most `KEPT_MAX`.
#[derive(Default)]
pub struct Shelf {
    kept: Mutex<HashMap<String, Kept>>,
}

/// A kept value and the number it was read at.
type Kept = (u64, Arc<dyn Any + Send + Sync>);

impl Shelf {
    /// What was kept under `key`, if it was read at `at`.
    pub fn get<T: Clone + Send + Sync + 'static>(&self, key: &str, at: u64) -> Option<T> {
        let kept = self.kept.lock().ok()?;
        let (was, value) = kept.get(key)?;
        if *was != at {
            return None;
        }
        value.downcast_ref::<T>().cloned()
    }

    /// The value kept under `key` if it was read at `at` and `fresh` says it
    /// still holds, else what `read` reads now, kept under `at` for the next
    /// time. `at` must have been given (`Reader::epoch`, `Keeper::version`)
    /// before this call: data read after the number is at least as new as it.
    pub async fn kept_while<T, F>(
        &self,
        key: String,
        at: u64,
        fresh: impl Fn(&T) -> bool,
        read: impl FnOnce() -> F,
    ) -> Result<T>
    where
        T: Clone + Send + Sync + 'static,
        F: std::future::Future<Output = Result<T>>,
    {
        if let Some(value) = self.get::<T>(&key, at).filter(|value| fresh(value)) {
            return Ok(value);
        }
        let value = read().await?;
        self.put(key, at, value.clone());
        Ok(value)
    }

    /// Keeps `value`, read after the number `at` was given, under `key`. When
    /// full, values of other numbers go first, then all.
    pub fn put<T: Send + Sync + 'static>(&self, key: String, at: u64, value: T) {
        let Ok(mut kept) = self.kept.lock() else { return };
        if kept.len() >= KEPT_MAX {
            kept.retain(|_, (was, _)| *was == at);
            if kept.len() >= KEPT_MAX {
                kept.clear();
            }
        }
        kept.insert(key, (at, Arc::new(value)));
    }
}

/// Kept data of one PostgreSQL database. One per database in a process
/// (`super::keeper_of`): the number is the database's, not a server's, so
/// every server on the database, in this process or another, moves it.
pub struct Keeper {
    shelf: Shelf,
    /// Whether a reading of the version is under way.
    reading: Mutex<bool>,
    /// The last version read and when its reading began; every change wakes
    /// all who wait for a reading (and a reading that failed wakes them too).
    last: tokio::sync::watch::Sender<Option<(Instant, u64)>>,
}

impl Default for Keeper {
    fn default() -> Keeper {
        Keeper { shelf: Shelf::default(), reading: Mutex::new(false), last: tokio::sync::watch::Sender::new(None) }
    }
}

/// Marks the keeper's reading as over when the reader is done with it, or is
/// dropped half way (its request went away), and wakes those who wait, so
/// that one of them reads instead.
struct Reading<'a>(&'a Keeper);

impl Drop for Reading<'_> {
    fn drop(&mut self) {
        if let Ok(mut reading) = self.0.reading.lock() {
            *reading = false;
        }
        self.0.last.send_modify(|_| {});
    }
}

impl std::fmt::Debug for Keeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keeper").finish_non_exhaustive()
    }
}

impl Keeper {
    /// The database's version now: data read after this call and kept under
    /// the number it gave is good for as long as later calls give the same.
    ///
    /// Why that is enough. Every transaction that writes to a watched table
    /// adds one to one of `data_version`'s rows as part of its commit (a
    /// deferred trigger), so its data and the new sum become visible
    /// together, and the sum only grows. Say a call answered `v` and data was then read
    /// for a key. Every statement of that read began after the call and sees
    /// every commit made before it began (READ COMMITTED, the pool's default,
    /// which nothing here changes), so the data holds all that `v` stands
    /// for, and perhaps later changes. Now a later call answers `v` too: then
    /// nothing was committed between the two calls (a commit would have moved
    /// the number past `v` for good), so the kept data holds everything
    /// committed before the later call began — all that a fresh read could
    /// have shown it, or newer. A commit after a call that answered `v` moves
    /// every call that begins after it past `v`: the data kept under `v` is
    /// never handed out again once it may be old.
    ///
    /// The number lives in the database, so this holds across servers: the
    /// very next read on any server sees a commit made through any other, or
    /// by hand. Reading the number first and the data second matters: data
    /// read before the number could miss a commit that the number includes.
    ///
    /// Requests that arrive together share one reading of the number: a
    /// reading that *began after* a request arrived answers for it as well
    /// as a reading of its own would. Anything committed before the request
    /// arrived (every write it could have been told of) was committed before
    /// that reading began, so the reading counts it. One request at a time
    /// reads; those that arrive meanwhile are all woken when it ends and take
    /// its answer if it began after they arrived, or else wait for the next
    /// one (which one of them starts). Under load that is one round trip to the
    /// database for a whole queue of page views instead of one each.
    pub async fn version(&self, pool: &PgPool) -> Result<u64> {
        // for reads asked together, when they were asked (`super::asked_together`)
        let arrived = super::asked_at().unwrap_or_else(Instant::now);
        let mut told = self.last.subscribe();
        loop {
            if let Some((began, v)) = *told.borrow_and_update() {
                if began > arrived {
                    return Ok(v);
                }
            }
            let lead = match self.reading.lock() {
                Ok(mut reading) => !std::mem::replace(&mut *reading, true),
                Err(_) => true,
            };
            if lead {
                let _over = Reading(self);
                let began = Instant::now();
                let sql = "SELECT CAST(SUM(v) AS BIGINT) FROM data_version";
                let v: i64 = sqlx::query_scalar(sql).fetch_one(pool).await?;
                // only ever compared for equality: any one-to-one map will do
                let v = v as u64;
                self.last.send_replace(Some((began, v)));
                return Ok(v);
            }
            // a reading is under way, begun perhaps before this request
            // arrived: wait for it to end and look again
            if told.changed().await.is_err() {
                return Err(super::StoreError::Other("the data version's watch closed".into()));
            }
        }
    }

    /// The values read from this database and kept by its version (`super::kept_while`).
    pub fn shelf(&self) -> &Shelf {
        &self.shelf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shelf_hands_out_only_what_was_read_at_the_same_number() {
        let shelf = Shelf::default();
        shelf.put("a".into(), 1, 10_i64);
        assert_eq!(shelf.get::<i64>("a", 1), Some(10));
        assert_eq!(shelf.get::<i64>("a", 2), None, "read at another number");
        assert_eq!(shelf.get::<String>("a", 1), None, "another type under the same key");
        // full: values of older numbers go first
        for i in 0..KEPT_MAX {
            shelf.put(format!("k{i}"), 2, i);
        }
        assert_eq!(shelf.get::<i64>("a", 1), None);
        assert_eq!(shelf.get::<usize>("k3", 2), Some(3));
        assert!(shelf.kept.lock().expect("lock").len() <= KEPT_MAX);
    }
}
