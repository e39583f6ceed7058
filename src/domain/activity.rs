//! Organised activities: what, when, where, how many; the states an activity
//! and a sign-up go through.

use super::category::category_code;
use super::geo::LatLon;
use super::input::Fields;
use super::validation::{Problem, Problems};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where an activity stands. Only an open one takes sign-ups, attendance and changes.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum ActivityStatus {
    Open,
    Closed,
    Cancelled,
}

impl ActivityStatus {
    pub const ALL: [ActivityStatus; 3] = [ActivityStatus::Open, ActivityStatus::Closed, ActivityStatus::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityStatus::Open => "open",
            ActivityStatus::Closed => "closed",
            ActivityStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<ActivityStatus> {
        ActivityStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn is_open(self) -> bool {
        self == ActivityStatus::Open
    }

    /// The label lists and pages show.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            ActivityStatus::Open => ("报名中", "Open"),
            ActivityStatus::Closed => ("已结束", "Closed"),
            ActivityStatus::Cancelled => ("已取消", "Cancelled"),
        }
    }
}

/// A volunteer's sign-up: a place, the waiting list, or withdrawn.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum SignupStatus {
    SignedUp,
    Waiting,
    Cancelled,
}

impl SignupStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SignupStatus::SignedUp => "signed_up",
            SignupStatus::Waiting => "waiting",
            SignupStatus::Cancelled => "cancelled",
        }
    }

    /// Still in: with a place or waiting for one.
    pub fn is_active(self) -> bool {
        matches!(self, SignupStatus::SignedUp | SignupStatus::Waiting)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            SignupStatus::SignedUp => ("已报名", "Signed up"),
            SignupStatus::Waiting => ("候补", "Waiting"),
            SignupStatus::Cancelled => ("已取消", "Cancelled"),
        }
    }
}

/// A line of the attendance sheet: how the volunteer came to be on it.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum SheetSignup {
    SignedUp,
    Waiting,
    Cancelled,
    /// Attended without signing up.
    WalkIn,
}

impl SheetSignup {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            SheetSignup::SignedUp => SignupStatus::SignedUp.label(),
            SheetSignup::Waiting => SignupStatus::Waiting.label(),
            SheetSignup::Cancelled => SignupStatus::Cancelled.label(),
            SheetSignup::WalkIn => ("现场参加", "Walk-in"),
        }
    }
}

/// Who recorded an attendance: the leader on the sheet, or the volunteer by QR code.
#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum AttendanceMethod {
    Leader,
    Qr,
}

impl AttendanceMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AttendanceMethod::Leader => "leader",
            AttendanceMethod::Qr => "qr",
        }
    }
}

/// An activity as the API and the form send it; every field optional so the
/// checks below can name each one missing.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ActivityInput {
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub title: Option<String>,
    /// A category code (see the categories list).
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub team_id: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub region_id: Option<i64>,
    /// A time with offset, such as 2026-05-01T08:00:00+08:00.
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub starts_at: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub ends_at: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub place: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::input::de::float")]
    pub lat: Option<f64>,
    #[serde(default, deserialize_with = "crate::domain::input::de::float")]
    pub lon: Option<f64>,
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub capacity: Option<i64>,
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub description: Option<String>,
}

/// A change to an open activity: the fields sent override what is stored,
/// and null clears one (a required field cleared is then named as missing).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ActivityPatch {
    #[serde(default, deserialize_with = "crate::domain::input::present::text")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::domain::input::present::text")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::domain::input::present::int")]
    #[schema(value_type = Option<i64>)]
    pub team_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::domain::input::present::int")]
    #[schema(value_type = Option<i64>)]
    pub region_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::domain::input::present::text")]
    #[schema(value_type = Option<String>)]
    pub starts_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::domain::input::present::text")]
    #[schema(value_type = Option<String>)]
    pub ends_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::domain::input::present::text")]
    #[schema(value_type = Option<String>)]
    pub place: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::domain::input::present::float")]
    #[schema(value_type = Option<f64>)]
    pub lat: Option<Option<f64>>,
    #[serde(default, deserialize_with = "crate::domain::input::present::float")]
    #[schema(value_type = Option<f64>)]
    pub lon: Option<Option<f64>>,
    #[serde(default, deserialize_with = "crate::domain::input::present::int")]
    #[schema(value_type = Option<i64>)]
    pub capacity: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::domain::input::present::text")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

impl ActivityPatch {
    /// This change laid over `current`.
    pub fn over(self, c: ActivityInput) -> ActivityInput {
        ActivityInput {
            title: self.title.unwrap_or(c.title),
            category: self.category.unwrap_or(c.category),
            team_id: self.team_id.unwrap_or(c.team_id),
            region_id: self.region_id.unwrap_or(c.region_id),
            starts_at: self.starts_at.unwrap_or(c.starts_at),
            ends_at: self.ends_at.unwrap_or(c.ends_at),
            place: self.place.unwrap_or(c.place),
            lat: self.lat.unwrap_or(c.lat),
            lon: self.lon.unwrap_or(c.lon),
            capacity: self.capacity.unwrap_or(c.capacity),
            description: self.description.unwrap_or(c.description),
        }
    }
}

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

/// Field-by-field checks of a typed input, gathering every problem at once:
/// tidied text within a length, required values, times and dates.
#[derive(Default)]
pub struct Check {
    pub problems: Problems,
}

impl Check {
    pub fn new() -> Self {
        Check::default()
    }

    /// Tidied text; empty text counts as absent.
    pub fn text(&mut self, field: &str, v: Option<&str>, max_chars: usize) -> Option<String> {
        let t = crate::domain::text::typed(field, v)?;
        if t.chars().count() > max_chars {
            self.problems.push(Problem::about(
                field,
                &format!("不能超过{max_chars}个字"),
                &format!("must be at most {max_chars} characters"),
            ));
            return None;
        }
        Some(t)
    }

    pub fn required_text(&mut self, field: &str, v: Option<&str>, max_chars: usize) -> Option<String> {
        let t = self.text(field, v, max_chars);
        self.require(field, t)
    }

    /// Names the field as required when it has no value and no other problem.
    pub fn require<T>(&mut self, field: &str, v: Option<T>) -> Option<T> {
        if v.is_none() && self.problems.get(field).is_none() {
            self.problems.push(Problem::required(field));
        }
        v
    }

    /// A time with its offset.
    pub fn time(&mut self, field: &str, v: Option<&str>) -> Option<DateTime<Utc>> {
        let s = self.text(field, v, 40)?;
        match DateTime::parse_from_rfc3339(&s) {
            Ok(t) => Some(t.to_utc()),
            Err(_) => {
                self.problems.push(Problem::about(
                    field,
                    "应为带时区的时间，如 2026-05-01T08:00:00+08:00",
                    "must be a time with offset, such as 2026-05-01T08:00:00+08:00",
                ));
                None
            }
        }
    }

    /// A calendar day written YYYY-MM-DD.
    pub fn date(&mut self, field: &str, v: Option<&str>) -> Option<NaiveDate> {
        let s = self.text(field, v, 40)?;
        match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.problems.push(Problem::about(
                    field,
                    "应为 YYYY-MM-DD 格式的日期",
                    "must be a date written YYYY-MM-DD",
                ));
                None
            }
        }
    }

    pub fn push(&mut self, p: Problem) {
        self.problems.push(p);
    }

    /// The value when nothing was wrong, else every problem found.
    pub fn done<T>(self, v: Option<T>) -> Result<T, Problems> {
        match v {
            Some(v) if self.problems.is_empty() => Ok(v),
            _ => Err(self.problems),
        }
    }
}

/// A time with offset read from an untyped body (the needs' forms still read them so).
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

pub fn validate(input: &ActivityInput) -> Result<ActivityDraft, Problems> {
    let mut f = Check::new();
    let title = f.required_text("title", input.title.as_deref(), 80);
    let category = f.required_text("category", input.category.as_deref(), 40).and_then(|c| {
        let code = category_code(&c);
        if code.is_none() {
            f.push(Problem::about("category", "不在可选类别中", "is not a known category"));
        }
        code.map(str::to_string)
    });
    let team_id = input.team_id;
    let region_id = f.require("region_id", input.region_id);
    let starts_at = f.time("starts_at", input.starts_at.as_deref());
    let ends_at = f.time("ends_at", input.ends_at.as_deref());
    let starts_at = f.require("starts_at", starts_at);
    let ends_at = f.require("ends_at", ends_at);
    let place = f.text("place", input.place.as_deref(), 100);
    let capacity = f.require("capacity", input.capacity);
    let description = f.text("description", input.description.as_deref(), 2000);
    let position = LatLon::parse_pair(input.lat, input.lon, &mut f.problems);
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        if e <= s {
            f.push(Problem::about("ends_at", "应晚于开始时间", "must be after the start"));
        }
        if e - s > chrono::Duration::days(31) {
            f.push(Problem::about("ends_at", "一次活动不能超过31天", "an activity lasts at most 31 days"));
        }
    }
    if let Some(c) = capacity {
        if !(1..=10_000).contains(&c) {
            f.push(Problem::about("capacity", "应在1到10000之间", "must be between 1 and 10000"));
        }
    }
    let draft = match (title, category, region_id, starts_at, ends_at, capacity) {
        (Some(title), Some(category), Some(region_id), Some(starts_at), Some(ends_at), Some(capacity)) => {
            Some(ActivityDraft {
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
        _ => None,
    };
    f.done(draft)
}

/// Whether a sign-up gets a place or joins the waiting list.
pub fn place_for(signed_up: i64, capacity: i64) -> bool {
    signed_up < capacity
}
