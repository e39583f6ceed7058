//! Organised activities: what, when, where, how many.

use super::category::category_code;
use super::geo::LatLon;
use super::input::Fields;
use super::validation::{Problem, Problems};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct ActivityDraft {
    pub title: String,
    pub category: String,
    pub team_id: Option<i64>,
    pub region_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: Option<String>,
    pub position: Option<LatLon>,
    pub capacity: i64,
    pub description: Option<String>,
}

pub fn parse_time(f: &mut Fields<'_>, field: &str) -> Option<DateTime<Utc>> {
    let s = f.text(field, 40)?;
    match DateTime::parse_from_rfc3339(&s) {
        Ok(t) => Some(t.to_utc()),
        Err(_) => {
            f.problems.push(Problem::about(
                field,
                "应为带时区的时间，如 2026-05-01T08:00:00+08:00",
                "must be a time with offset, such as 2026-05-01T08:00:00+08:00",
            ));
            None
        }
    }
}

pub fn validate(map: &Map<String, Value>) -> Result<ActivityDraft, Problems> {
    let mut f = Fields::new(map);
    let title = f.required_text("title", 80);
    let category = f.required_text("category", 40).and_then(|c| {
        let code = category_code(&c);
        if code.is_none() {
            f.problems.push(Problem::about("category", "不在可选类别中", "is not a known category"));
        }
        code.map(str::to_string)
    });
    let team_id = f.int("team_id");
    let region_id = f.required_int("region_id");
    let starts_at = parse_time(&mut f, "starts_at");
    let ends_at = parse_time(&mut f, "ends_at");
    if starts_at.is_none() && f.problems.get("starts_at").is_none() {
        f.problems.push(Problem::required("starts_at"));
    }
    if ends_at.is_none() && f.problems.get("ends_at").is_none() {
        f.problems.push(Problem::required("ends_at"));
    }
    let place = f.text("place", 100);
    let (lat, lon) = (f.float("lat"), f.float("lon"));
    let capacity = f.required_int("capacity");
    let description = f.text("description", 2000);
    let mut problems = f.problems;
    let position = LatLon::parse_pair(lat, lon, &mut problems);
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        if e <= s {
            problems.push(Problem::about("ends_at", "应晚于开始时间", "must be after the start"));
        }
        if e - s > chrono::Duration::days(31) {
            problems.push(Problem::about("ends_at", "一次活动不能超过31天", "an activity lasts at most 31 days"));
        }
    }
    if let Some(c) = capacity {
        if !(1..=10_000).contains(&c) {
            problems.push(Problem::about("capacity", "应在1到10000之间", "must be between 1 and 10000"));
        }
    }
    match (title, category, region_id, starts_at, ends_at, capacity) {
        (Some(title), Some(category), Some(region_id), Some(starts_at), Some(ends_at), Some(capacity))
            if problems.is_empty() =>
        {
            Ok(ActivityDraft {
                title,
                category,
                team_id,
                region_id,
                starts_at,
                ends_at,
                place,
                position,
                capacity,
                description,
            })
        }
        _ => Err(problems),
    }
}

/// Whether a sign-up gets a place or joins the waiting list.
pub fn place_for(signed_up: i64, capacity: i64) -> bool {
    signed_up < capacity
}
