//! The needs workflow: submitted (待审核) → dispatched (已派单) → accepted (服务中)
//! → completed (已完成) → rated (已评价), or rejected with a reason, or
//! cancelled. Which moves are allowed from which state is decided here.

use super::activity::parse_time;
use super::category::category_code;
use super::geo::LatLon;
use super::input::Fields;
use super::validation::{Problem, Problems};
use super::volunteer::skill_code;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Dispatch,
    Accept,
    Decline,
    Complete,
    Rate,
    Reject,
    Cancel,
}

/// Whether a move is allowed from a status; `full` says every needed
/// volunteer has accepted.
pub fn allowed(status: &str, m: Move, full: bool) -> bool {
    match m {
        Move::Dispatch => matches!(status, "submitted" | "dispatched") || (status == "accepted" && !full),
        Move::Accept => matches!(status, "dispatched" | "accepted") && !full,
        Move::Decline => matches!(status, "dispatched" | "accepted"),
        Move::Complete => status == "accepted",
        Move::Rate => status == "completed",
        Move::Reject => matches!(status, "submitted" | "dispatched"),
        Move::Cancel => matches!(status, "submitted" | "dispatched" | "accepted"),
    }
}

pub fn status_label(s: &str) -> (&'static str, &'static str) {
    match s {
        "submitted" => ("待审核", "Submitted"),
        "dispatched" => ("已派单", "Dispatched"),
        "accepted" => ("服务中", "Accepted"),
        "completed" => ("已完成", "Completed"),
        "rated" => ("已评价", "Rated"),
        "rejected" => ("已驳回", "Rejected"),
        _ => ("已取消", "Cancelled"),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NeedDraft {
    pub title: String,
    pub category: String,
    pub description: Option<String>,
    pub region_id: i64,
    pub place: Option<String>,
    pub position: Option<LatLon>,
    pub required_skills: Vec<String>,
    pub volunteers_needed: i64,
    pub due_at: Option<DateTime<Utc>>,
    pub filed_at: Option<DateTime<Utc>>,
    pub requester_name: Option<String>,
    pub requester_phone: Option<super::phone::Phone>,
}

pub fn validate(map: &Map<String, Value>, now: DateTime<Utc>) -> Result<NeedDraft, Problems> {
    let mut f = Fields::new(map);
    let title = f.required_text("title", 80);
    let category = f.required_text("category", 40).and_then(|c| {
        let code = category_code(&c);
        if code.is_none() {
            f.problems.push(Problem::about("category", "不在可选类别中", "is not a known category"));
        }
        code.map(str::to_string)
    });
    let description = f.text("description", 2000);
    let region_id = f.required_int("region_id");
    let place = f.text("place", 100);
    let (lat, lon) = (f.float("lat"), f.float("lon"));
    let mut skills = Vec::new();
    for s in f.text_list("required_skills", 8) {
        match skill_code(&s) {
            Some(c) if !skills.contains(&c.to_string()) => skills.push(c.to_string()),
            Some(_) => {}
            None => f.problems.push(Problem::about(
                "required_skills",
                &format!("“{s}”不是可选技能"),
                &format!("'{s}' is not a known skill"),
            )),
        }
    }
    let needed = f.int("volunteers_needed").unwrap_or(1);
    let due_at = parse_time(&mut f, "due_at");
    let filed_at = parse_time(&mut f, "filed_at");
    let requester_name = f.text("requester_name", 32);
    let phone = f.text("requester_phone", 40);
    let mut problems = f.problems;
    let requester_phone = phone.and_then(|p| match super::phone::Phone::parse(&p) {
        Ok(p) => Some(p),
        Err(mut e) => {
            e.field = "requester_phone".into();
            e.zh = e.zh.replacen("手机号", "联系电话", 1);
            problems.push(e);
            None
        }
    });
    let position = LatLon::parse_pair(lat, lon, &mut problems);
    if !(1..=500).contains(&needed) {
        problems.push(Problem::about("volunteers_needed", "应在1到500之间", "must be between 1 and 500"));
    }
    if let Some(filed) = filed_at {
        if filed > now + chrono::Duration::minutes(5) {
            problems.push(Problem::about("filed_at", "不能晚于现在", "cannot be in the future"));
        }
    }
    if let (Some(due), Some(filed)) = (due_at, filed_at.or(Some(now))) {
        if due < filed {
            problems.push(Problem::about("due_at", "不能早于提出时间", "cannot be before the need was filed"));
        }
    }
    match (title, category, region_id) {
        (Some(title), Some(category), Some(region_id)) if problems.is_empty() => Ok(NeedDraft {
            title,
            category,
            description,
            region_id,
            place,
            position,
            required_skills: skills,
            volunteers_needed: needed,
            due_at,
            filed_at,
            requester_name,
            requester_phone,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_allows_only_forward_moves() {
        assert!(allowed("submitted", Move::Dispatch, false));
        assert!(!allowed("submitted", Move::Accept, false));
        assert!(allowed("dispatched", Move::Accept, false));
        assert!(!allowed("accepted", Move::Accept, true), "a full need takes no more");
        assert!(allowed("accepted", Move::Complete, true));
        assert!(!allowed("accepted", Move::Rate, true), "rating a need that is not completed");
        assert!(allowed("completed", Move::Rate, true));
        assert!(!allowed("completed", Move::Cancel, true));
        assert!(!allowed("rated", Move::Rate, true));
        assert!(allowed("dispatched", Move::Reject, false));
        assert!(!allowed("accepted", Move::Reject, false));
    }
}
