//! Field work on a phone: checking in by the code on site with the phone's
//! position, the code on the leader's screen that changes every 30 seconds,
//! and actions a phone queued while it had no signal, each counted once with
//! the time it really happened.

use super::activities::{Activity, SignupStatus};
use super::attendance::{self, ScanOutcome, SheetMark, CHECKIN_GRACE_HOURS};
use super::{App, Caller, Error, Result};
use crate::domain::activity::AttendanceMethod;
use crate::domain::clock;
use crate::domain::error_code::ErrorCode;
use crate::domain::field::{self, Presence};
use crate::domain::geo::LatLon;
use crate::domain::validation::Problem;
use crate::store::activities as activity_store;
use crate::store::field as store;
use crate::store::{regions as region_store, settings};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The signed link of an activity's QR code and when it stops working (two
/// hours after the activity ends, for late check-outs).
pub fn make_token(app: &App, a: &Activity) -> (String, DateTime<Utc>) {
    let expires = a.ends_at + Duration::hours(CHECKIN_GRACE_HOURS);
    let exp = expires.timestamp();
    let sig = app.db.vault.sign(&format!("checkin:{}:{exp}", a.id));
    (format!("{}-{exp}-{sig}", a.id), expires)
}

/// The activity a token names, if its signature holds and it had not expired at `at`.
pub fn read_token(app: &App, token: &str, at: DateTime<Utc>) -> Option<i64> {
    let mut parts = token.splitn(3, '-');
    let id: i64 = parts.next()?.parse().ok()?;
    let exp: i64 = parts.next()?.parse().ok()?;
    let sig = parts.next()?;
    let expected = app.db.vault.sign(&format!("checkin:{id}:{exp}"));
    (constant_eq(sig, &expected) && at.timestamp() <= exp).then_some(id)
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && !a.is_empty() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The six-digit code of one 30-second window, signed with the installation's
/// key: nobody without the key can make the next one, and a screenshot of
/// the leader's screen is worthless a minute later.
pub fn rotating_code(app: &App, activity_id: i64, window: i64) -> String {
    let sig = app.db.vault.sign(&format!("checkin-code:{activity_id}:{window}"));
    let n = sig.bytes().fold(0u64, |acc, b| acc.wrapping_mul(131).wrapping_add(u64::from(b)));
    format!("{:06}", n % 1_000_000)
}

/// Whether a code read off the leader's screen was good at `at`.
pub fn code_good(app: &App, activity_id: i64, code: &str, at: DateTime<Utc>) -> bool {
    let code = code.trim();
    field::accepted_windows(at).any(|w| constant_eq(code, &rotating_code(app, activity_id, w)))
}

/// The code the leader's screen shows now, with its link and how long it lasts.
#[derive(Serialize, ToSchema)]
pub struct LiveCode {
    pub code: String,
    /// The path to open (the QR link), `/checkin/{token}?c={code}`.
    pub path: String,
    pub seconds_left: i64,
}

/// For those who run the activity: the current code.
pub async fn live_code(app: &App, caller: &Caller, id: i64) -> Result<LiveCode> {
    let a = super::activities::visible(app, caller, id).await?;
    caller.ensure(super::activities::runs(app, caller, &a).await?)?;
    let now = Utc::now();
    let code = rotating_code(app, a.id, field::code_window(now));
    let (token, _) = make_token(app, &a);
    Ok(LiveCode { path: format!("/checkin/{token}?c={code}"), code, seconds_left: field::seconds_left(now) })
}

/// What the phone says about itself when its volunteer presses a button.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub position: Option<LatLon>,
    /// The code read off the leader's screen, if the link carried one.
    pub code: Option<String>,
    /// When it happened, by the phone; now when not said.
    pub at: Option<DateTime<Utc>>,
}

/// What a volunteer's own check-in or check-out did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SelfOutcome {
    pub outcome: ScanOutcome,
    pub distance_m: Option<i64>,
    pub to_confirm: bool,
    pub recorded_at: Option<DateTime<Utc>>,
}

/// Where the activity is on the map: its own pin, or its village's.
async fn place_of(app: &App, a: &Activity) -> Result<Option<LatLon>> {
    if let (Some(lat), Some(lon)) = (a.lat, a.lon) {
        return Ok(Some(LatLon { lat, lon }));
    }
    let r = region_store::get(&app.db.pool, a.region_id).await?;
    Ok(r.and_then(|r| match (r.lat, r.lon) {
        (Some(lat), Some(lon)) => Some(LatLon { lat, lon }),
        _ => None,
    }))
}

fn stale_code() -> Error {
    Error::new(
        ErrorCode::CheckinExpired,
        "签到码已过期（每30秒更换），请扫描队长手机上的最新二维码",
        "This code has expired (it changes every 30 seconds); scan the leader's screen again",
    )
}

/// A volunteer's own check-in or check-out at `report.at` (now by default):
/// within the activity's hours, with a place on it, and for a check-in near
/// enough to the activity when the phone says where it is.
pub async fn self_check(
    app: &App,
    caller: &Caller,
    a: &Activity,
    action: attendance::Scan,
    report: Report,
) -> Result<SelfOutcome> {
    let vid = attendance::checking_volunteer(caller)?;
    let now = Utc::now();
    let at = report.at.unwrap_or(now);
    let nothing = |o| SelfOutcome { outcome: o, distance_m: None, to_confirm: false, recorded_at: None };
    if let Some(code) = report.code.as_deref().filter(|c| !c.trim().is_empty()) {
        if !code_good(app, a.id, code, at) {
            return Err(stale_code());
        }
    }
    if activity_store::signup_status(&app.db.pool, a.id, vid).await? != Some(SignupStatus::SignedUp) {
        return Ok(nothing(ScanOutcome::NoPlace));
    }
    if !a.status.is_open() {
        return Ok(nothing(ScanOutcome::Closed));
    }
    if report.at.is_some() {
        // a time the phone reports is checked as such, whatever it is
        field::original_time_allowed(at, now, a.starts_at, a.ends_at, CHECKIN_GRACE_HOURS).map_err(Error::field)?;
    }
    if at < a.starts_at - Duration::hours(2) {
        return Ok(nothing(ScanOutcome::TooEarly));
    }
    field::original_time_allowed(at, now, a.starts_at, a.ends_at, CHECKIN_GRACE_HOURS).map_err(Error::field)?;
    let current = activity_store::attendance_of(&app.db.pool, a.id, vid).await?;
    match (action, current) {
        (attendance::Scan::In, None) => {
            let rules = settings::rules_at(&app.db.pool, &a.region_path, clock::local_date(a.starts_at)).await?;
            let radius = rules.checkin_radius_m.clamp(*field::RADIUS_RANGE.start(), *field::RADIUS_RANGE.end());
            let (distance_m, to_confirm) = match field::judge(report.position, place_of(app, a).await?, radius) {
                Presence::Near { distance_m } => (Some(distance_m), false),
                Presence::Unknown => (None, true),
                Presence::TooFar { distance_m, radius_m } => {
                    let (dz, de) = field::distance_text(distance_m);
                    let (rz, re) = field::distance_text(radius_m);
                    return Err(Error::new(
                        ErrorCode::TooFarAway,
                        format!("您离活动地点约 {dz}，超出 {rz} 的签到范围，请到活动现场签到"),
                        format!("You are about {de} from the activity, beyond the {re} check-in range"),
                    ));
                }
            };
            // service counts from the start, however early one arrives
            let check_in = at.max(a.starts_at);
            let detail = match distance_m {
                Some(d) => format!("qr {d}m"),
                None => "qr no position".to_string(),
            };
            let record = caller.record("check_in", "activity", a.id, &detail);
            let written =
                store::check_in(&app.db.pool, a.id, vid, check_in, distance_m, to_confirm, caller.user_id, &record)
                    .await?;
            Ok(if written {
                SelfOutcome { outcome: ScanOutcome::CheckedIn, distance_m, to_confirm, recorded_at: Some(check_in) }
            } else {
                nothing(ScanOutcome::Nothing)
            })
        }
        (attendance::Scan::Out, Some((check_in, None))) => {
            // and up to the end, however late one leaves
            let out = at.min(a.ends_at).max(check_in);
            let rules = settings::rules_at(&app.db.pool, &a.region_path, clock::local_date(a.starts_at)).await?;
            let record = caller.record("check_out", "activity", a.id, "qr");
            activity_store::attend_all(
                &app.db.pool,
                a,
                &[(vid, check_in, Some(out))],
                AttendanceMethod::Qr,
                Some(caller.user_id),
                &rules,
                clock::today(),
                Some(&record),
            )
            .await?;
            Ok(SelfOutcome {
                outcome: ScanOutcome::CheckedOut,
                distance_m: None,
                to_confirm: false,
                recorded_at: Some(out),
            })
        }
        _ => Ok(nothing(ScanOutcome::Nothing)),
    }
}

/// The leader saw a volunteer who checked in without a position.
pub async fn confirm_presence(app: &App, caller: &Caller, id: i64, volunteer_id: i64) -> Result<bool> {
    let a = super::activities::visible(app, caller, id).await?;
    caller.ensure(super::activities::runs(app, caller, &a).await?)?;
    let record = caller.record("confirm_presence", "activity", id, &volunteer_id.to_string());
    Ok(store::confirm(&app.db.pool, id, volunteer_id, &record).await?)
}

/// Per volunteer: the distance at check-in and whether it waits for the leader.
pub async fn presence(app: &App, caller: &Caller, a: &Activity) -> Result<Vec<(i64, Option<i64>, bool)>> {
    caller.ensure(super::activities::runs(app, caller, a).await?)?;
    Ok(store::presence(&app.db.pool, a.id).await?)
}

/// What a phone queued, sent when it could.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// The volunteer's own check-in (needs the QR link's `token`).
    CheckIn,
    /// The volunteer's own check-out.
    CheckOut,
    /// The leader's attendance sheet (`marks`).
    Sheet,
}

impl FieldKind {
    fn as_str(self) -> &'static str {
        match self {
            FieldKind::CheckIn => "check_in",
            FieldKind::CheckOut => "check_out",
            FieldKind::Sheet => "sheet",
        }
    }
}

/// One ticked line of the leader's sheet: who, and the times typed (`08:00`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MarkInput {
    pub volunteer_id: i64,
    pub check_in: Option<String>,
    pub check_out: Option<String>,
}

/// An action a phone did, perhaps without a signal, sent now or later.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct FieldAction {
    /// Made by the phone when the button was pressed (16–64 of `A-Z a-z 0-9 - _`):
    /// the same key sent again gets the first answer and changes nothing.
    pub key: String,
    pub kind: FieldKind,
    /// When it happened on the phone (RFC 3339); recorded as that time,
    /// within the activity's hours.
    pub at: DateTime<Utc>,
    /// The QR link's token (check-in and check-out).
    pub token: Option<String>,
    /// The code from the leader's screen, when the link carried one.
    pub code: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// The leader's sheet.
    #[serde(default)]
    pub marks: Vec<MarkInput>,
}

/// The answer to a field action, the same every time its key is sent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldOutcome {
    pub key: String,
    /// `checked_in`, `checked_out`, `sheet_recorded` or `nothing` (already done).
    pub result: String,
    /// The time recorded (the original time, within the activity's hours).
    pub recorded_at: Option<DateTime<Utc>>,
    pub distance_m: Option<i64>,
    /// Checked in without a position: the leader confirms.
    pub to_confirm: bool,
    /// Lines of the sheet recorded.
    pub recorded: Option<usize>,
    /// In Chinese, for the page to say.
    pub message: String,
    /// True when this key had been answered before.
    pub replayed: bool,
}

/// A refusal kept with its key, so a repeat is refused alike.
#[derive(Serialize, Deserialize)]
struct StoredRefusal {
    refused: String,
    status: u16,
    zh: String,
    en: String,
}

fn scan_result(o: ScanOutcome) -> &'static str {
    match o {
        ScanOutcome::CheckedIn => "checked_in",
        ScanOutcome::CheckedOut => "checked_out",
        _ => "nothing",
    }
}

/// Does one queued action, once per key, at its original time.
pub async fn apply(app: &App, caller: &Caller, id: i64, action: FieldAction) -> Result<FieldOutcome> {
    if !field::key_ok(&action.key) {
        return Err(Error::field(Problem::new(
            "key",
            "离线记录编号应为16到64位字母、数字、-或_",
            "The key must be 16–64 of A-Z a-z 0-9 - _",
        )));
    }
    let a = super::activities::visible(app, caller, id).await?;
    match store::claim(&app.db.pool, &action.key, caller.user_id, a.id, action.kind.as_str(), action.at).await? {
        store::Claim::Done { user_id, outcome } => {
            if user_id != caller.user_id {
                return Err(Error::field(Problem::new("key", "离线记录编号已被使用", "The key is taken")));
            }
            if let Ok(r) = serde_json::from_str::<StoredRefusal>(&outcome) {
                let status = axum::http::StatusCode::from_u16(r.status).unwrap_or(axum::http::StatusCode::CONFLICT);
                let code =
                    ErrorCode::ALL.iter().copied().find(|c| c.as_str() == r.refused).unwrap_or(ErrorCode::InvalidState);
                return Err(Error::new(code, r.zh, r.en).with_status(status));
            }
            let mut o: FieldOutcome = serde_json::from_str(&outcome).map_err(|_| Error::internal())?;
            o.replayed = true;
            return Ok(o);
        }
        store::Claim::Busy => {
            return Err(Error::conflict(
                ErrorCode::InvalidState,
                "正在处理，请稍后再发",
                "Being handled; send it again shortly",
            ));
        }
        store::Claim::New => {}
    }
    let result = act(app, caller, &a, &action).await;
    match &result {
        Ok(o) => store::finish(&app.db.pool, &action.key, &serde_json::to_string(o).unwrap_or_default()).await?,
        Err(e) if e.status.is_client_error() => {
            let kept = StoredRefusal {
                refused: e.code.as_str().into(),
                status: e.status.as_u16(),
                zh: e.zh.clone(),
                en: e.en.clone(),
            };
            store::finish(&app.db.pool, &action.key, &serde_json::to_string(&kept).unwrap_or_default()).await?;
        }
        // the server's own failure: the phone may send it again
        Err(_) => store::release(&app.db.pool, &action.key).await?,
    }
    result
}

async fn act(app: &App, caller: &Caller, a: &Activity, action: &FieldAction) -> Result<FieldOutcome> {
    let base = |result: &str, message: &str| FieldOutcome {
        key: action.key.clone(),
        result: result.to_string(),
        recorded_at: None,
        distance_m: None,
        to_confirm: false,
        recorded: None,
        message: message.to_string(),
        replayed: false,
    };
    match action.kind {
        FieldKind::CheckIn | FieldKind::CheckOut => {
            let token = action.token.as_deref().unwrap_or("");
            if read_token(app, token, action.at) != Some(a.id) {
                return Err(Error::code(ErrorCode::CheckinExpired));
            }
            let scan = if action.kind == FieldKind::CheckIn { attendance::Scan::In } else { attendance::Scan::Out };
            let report = Report {
                position: field::position(action.lat, action.lon),
                code: action.code.clone(),
                at: Some(action.at),
            };
            let o = self_check(app, caller, a, scan, report).await?;
            if o.outcome.refused() {
                let (zh, en) = o.outcome.message().unwrap_or(("不能签到", "Not recorded"));
                return Err(Error::conflict(ErrorCode::ActivityNotOpen, zh, en));
            }
            let message = o.outcome.message().map(|(zh, _)| zh).unwrap_or("已处理过，无需重复");
            Ok(FieldOutcome {
                recorded_at: o.recorded_at,
                distance_m: o.distance_m,
                to_confirm: o.to_confirm,
                ..base(scan_result(o.outcome), message)
            })
        }
        FieldKind::Sheet => {
            if action.at > Utc::now() + Duration::minutes(field::CLOCK_SKEW_MINUTES) {
                return Err(Error::field(Problem::new(
                    "at",
                    "记录时间不能晚于现在",
                    "The time cannot be in the future",
                )));
            }
            let marks = action
                .marks
                .iter()
                .map(|m| SheetMark {
                    volunteer_id: m.volunteer_id.to_string(),
                    check_in: m.check_in.clone(),
                    check_out: m.check_out.clone(),
                })
                .collect();
            let n = attendance::record_sheet(app, caller, a.id, marks).await?;
            Ok(FieldOutcome { recorded: Some(n), ..base("sheet_recorded", "出勤已记录") })
        }
    }
}
