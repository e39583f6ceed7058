//! Attendance: the leader's sheet, one volunteer's check-in and check-out
//! through the API, and the volunteer's own scan of the QR code on site.

use super::activities::{runs, visible, Activity, SheetLine};
use super::{App, Caller, Error, Result};
use crate::domain::activity::AttendanceMethod;
use crate::domain::clock;
use crate::domain::error_code::ErrorCode;
use crate::domain::service::{validate_attendance, RecordSource};
use crate::domain::validation::Problem;
pub use crate::store::activities::PrintLine;
use crate::store::activities::{self as store, AttendanceRow};
use crate::store::{service_records, settings, volunteers as volunteer_store};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::domain::service::AttendanceRequest;

/// How far outside an activity's own hours a leader may record attendance
/// (early set-up, clearing up afterwards).
pub const ATTENDANCE_SLACK_HOURS: i64 = 6;

#[derive(Serialize, ToSchema)]
pub struct AttendanceResult {
    pub volunteer_id: i64,
    /// The service record made by this check-out, if one was made now.
    pub service_record_id: Option<i64>,
}

fn closed_for_attendance() -> Error {
    Error::conflict(
        ErrorCode::ActivityNotOpen,
        "活动已结束，出勤不能再改；如有差错请更正服务记录",
        "The activity is closed; correct the service record instead",
    )
}

/// Whether a check-out may be written: none recorded yet, or the same one again.
/// A service already recorded with other times is changed through a correction.
async fn unrecorded(
    app: &App,
    a: &Activity,
    vid: i64,
    cin: DateTime<Utc>,
    cout: Option<DateTime<Utc>>,
) -> Result<bool> {
    if let Some(out) = cout {
        if let Some(existing) = service_records::for_source(&app.db.pool, RecordSource::Activity, a.id, vid).await? {
            return Ok(existing.started_at == cin && existing.ended_at == out);
        }
    }
    Ok(true)
}

/// Records one volunteer's attendance; a check-out books the service record.
pub async fn record(app: &App, caller: &Caller, id: i64, input: AttendanceRequest) -> Result<AttendanceResult> {
    let a = visible(app, caller, id).await?;
    caller.ensure(runs(app, caller, &a).await?)?;
    if !a.status.is_open() {
        return Err(closed_for_attendance());
    }
    let att = validate_attendance(&input, |problems, check_in, check_out| {
        if let Some(o) = check_out {
            if o > Utc::now() + Duration::minutes(5) {
                problems.push(Problem::about("check_out", "不能晚于现在", "cannot be in the future"));
            }
            if o > a.ends_at + Duration::hours(ATTENDANCE_SLACK_HOURS) {
                problems.push(Problem::about("check_out", "超出活动时间太多", "is too far after the activity's end"));
            }
        }
        if check_in.is_some_and(|i| i < a.starts_at - Duration::hours(ATTENDANCE_SLACK_HOURS) || i > a.ends_at) {
            problems.push(Problem::about("check_in", "不在活动时间内", "is outside the activity's time"));
        }
    })
    .map_err(Error::invalid)?;
    let v = volunteer_store::get(&app.db.pool, att.volunteer_id)
        .await?
        .ok_or_else(|| Error::field(Problem::about("volunteer_id", "不存在", "does not exist")))?;
    // only people the caller answers for: a leader their own villagers, staff their town's
    caller.ensure_covers(&v.region_path)?;
    if !unrecorded(app, &a, att.volunteer_id, att.check_in, att.check_out).await? {
        return Err(Error::conflict(
            ErrorCode::RecordExists,
            "该志愿者本次服务已有记录，请通过更正修改",
            "This service is already recorded; change it through a correction",
        ));
    }
    let rules = settings::rules_at(&app.db.pool, &a.region_path, clock::local_date(a.starts_at)).await?;
    let record = caller.record("attendance", "activity", id, &v.volunteer_no);
    let made = store::attend_all(
        &app.db.pool,
        &a,
        &[(att.volunteer_id, att.check_in, att.check_out)],
        AttendanceMethod::Leader,
        Some(caller.user_id),
        &rules,
        clock::today(),
        Some(&record),
    )
    .await?;
    Ok(AttendanceResult { volunteer_id: att.volunteer_id, service_record_id: made.into_iter().next().flatten() })
}

/// The attendance sheet, for those who read the roster.
pub async fn sheet(app: &App, caller: &Caller, id: i64) -> Result<Vec<SheetLine>> {
    let a = visible(app, caller, id).await?;
    caller.ensure(caller.role.reads_roster())?;
    Ok(store::sheet(&app.db.pool, a.id).await?)
}

/// The sheet of an activity the caller runs, for the page's attendance form.
pub async fn sheet_of_run(app: &App, caller: &Caller, a: &Activity) -> Result<Vec<SheetLine>> {
    caller.ensure(runs(app, caller, a).await?)?;
    Ok(store::sheet(&app.db.pool, a.id).await?)
}

/// Someone who came without signing up, put on the sheet as checked in now
/// (within the activity's hours), to be checked out with the others.
pub async fn add_walk_in(app: &App, caller: &Caller, id: i64, volunteer_id: Option<i64>) -> Result<AttendanceResult> {
    let a = visible(app, caller, id).await?;
    let at = Utc::now().min(a.ends_at).max(a.starts_at);
    let input = AttendanceRequest { volunteer_id, check_in: Some(clock::rfc3339_local(at)), check_out: None };
    record(app, caller, id, input).await
}

/// The sign-in sheet to print and lay out on site, for those who run the activity.
pub async fn printed_sheet(app: &App, caller: &Caller, id: i64) -> Result<(Activity, Vec<PrintLine>)> {
    let a = visible(app, caller, id).await?;
    caller.ensure(runs(app, caller, &a).await?)?;
    let lines = store::print_sheet(&app.db.pool, a.id).await?;
    Ok((a, lines))
}

/// One ticked line of the page's attendance form: the volunteer's id as the
/// form sent it, and the times typed (`08:00`, local), if any.
pub struct SheetMark {
    pub volunteer_id: String,
    pub check_in: Option<String>,
    pub check_out: Option<String>,
}

/// Records the page's attendance form for everyone at once; returns how many
/// were recorded. Lines already recorded with other times are left alone:
/// changes go through a correction, never over the record.
pub async fn record_sheet(app: &App, caller: &Caller, id: i64, marks: Vec<SheetMark>) -> Result<usize> {
    let a = visible(app, caller, id).await?;
    caller.ensure(runs(app, caller, &a).await?)?;
    if !a.status.is_open() {
        return Err(closed_for_attendance());
    }
    let rules = settings::rules_at(&app.db.pool, &a.region_path, clock::local_date(a.starts_at)).await?;
    let day = clock::local_date(a.starts_at);
    let at = |hm: &str| NaiveTime::parse_from_str(hm, "%H:%M").ok().map(|t| clock::from_local(day.and_time(t)));
    // only people on this activity's sheet; every id checked before anything is written
    let on_sheet: Vec<i64> = store::sheet(&app.db.pool, a.id).await?.iter().map(|l| l.volunteer_id).collect();
    let mut rows: Vec<AttendanceRow> = Vec::new();
    for m in &marks {
        let Some(vid) = m.volunteer_id.parse::<i64>().ok().filter(|v| on_sheet.contains(v)) else {
            return Err(Error::bad_request("名单中没有该志愿者", "That volunteer is not on this activity's sheet"));
        };
        let cin = m.check_in.as_deref().and_then(at).unwrap_or(a.starts_at);
        let mut cout = m.check_out.as_deref().and_then(at).unwrap_or(a.ends_at);
        if cout <= cin {
            // an overnight shift ends the next morning
            cout += Duration::days(1);
        }
        let cout = if cout > Utc::now() { None } else { Some(cout) };
        rows.push((vid, cin, cout));
    }
    let mut kept = Vec::new();
    for (vid, cin, cout) in rows {
        if unrecorded(app, &a, vid, cin, cout).await? {
            kept.push((vid, cin, cout));
        }
    }
    let n = kept.len();
    let record = caller.record("attendance", "activity", id, &format!("{n} present"));
    store::attend_all(
        &app.db.pool,
        &a,
        &kept,
        AttendanceMethod::Leader,
        Some(caller.user_id),
        &rules,
        clock::today(),
        Some(&record),
    )
    .await?;
    Ok(n)
}

/// How long after an activity's end its code still works, for late check-outs.
pub const CHECKIN_GRACE_HOURS: i64 = 2;

/// Where a volunteer stands at an activity on site.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CheckinState {
    /// Not checked in.
    None,
    /// Checked in, not yet out.
    In,
    /// Checked in and out.
    Out,
}

impl CheckinState {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckinState::None => "none",
            CheckinState::In => "in",
            CheckinState::Out => "out",
        }
    }
}

/// What the volunteer pressed on the check-in page.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Scan {
    In,
    Out,
}

impl Scan {
    pub fn parse(s: &str) -> Option<Scan> {
        match s {
            "in" => Some(Scan::In),
            "out" => Some(Scan::Out),
            _ => None,
        }
    }
}

/// The caller's volunteer, for checking in with one's own account only.
pub fn checking_volunteer(caller: &Caller) -> Result<i64> {
    caller.volunteer_id.ok_or_else(|| {
        Error::new(ErrorCode::NotAVolunteer, "请用志愿者本人的账号签到", "Check in with your own volunteer account")
    })
}

/// The activity a valid check-in code names (the code itself is read by the web).
pub async fn activity_for_checkin(app: &App, id: i64) -> Result<Activity> {
    store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)
}

pub async fn checkin_state(app: &App, a: &Activity, volunteer_id: i64) -> Result<CheckinState> {
    Ok(match store::attendance_of(&app.db.pool, a.id, volunteer_id).await? {
        None => CheckinState::None,
        Some((_, None)) => CheckinState::In,
        Some((_, Some(_))) => CheckinState::Out,
    })
}

/// What a scan did, for the page to say.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ScanOutcome {
    NoPlace,
    Closed,
    TooEarly,
    CheckedIn,
    CheckedOut,
    /// Nothing to do (checked in twice, out before in).
    Nothing,
}

impl ScanOutcome {
    /// The scan was turned down: the page says so as an error.
    pub fn refused(self) -> bool {
        matches!(self, ScanOutcome::NoPlace | ScanOutcome::Closed | ScanOutcome::TooEarly)
    }

    pub fn message(self) -> Option<(&'static str, &'static str)> {
        match self {
            ScanOutcome::NoPlace => Some((
                "您没有该活动的名额，请先报名或联系队长",
                "You have no place in this activity; sign up or ask the leader",
            )),
            ScanOutcome::Closed => {
                Some(("活动已结束，不能再扫码签到签退", "The activity is closed; the code no longer records"))
            }
            ScanOutcome::TooEarly => Some(("活动开始前两小时内才能签到", "Check-in opens two hours before the start")),
            ScanOutcome::CheckedIn => Some(("签到成功", "Checked in")),
            ScanOutcome::CheckedOut => Some(("签退成功，本次服务已记录", "Checked out; this service is recorded")),
            ScanOutcome::Nothing => None,
        }
    }
}
