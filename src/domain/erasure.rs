//! Erasing a person who left (个人信息保护法 第四十七条, the right to
//! deletion): what stands in for their name afterwards, and the open work
//! that must be finished or handed over before they may be erased.

use super::validation::Problem;

/// The name an erased person's row carries from then on: stable, so that
/// their service records still read as one person's, and naming nobody.
pub fn placeholder_name(volunteer_id: i64) -> String {
    format!("已注销人员#{volunteer_id}")
}

/// The keyed-hash columns (ID number, phone) of an erased row: unlike any
/// real hash, and unique per row, so that the same ID number may be
/// registered again.
pub fn erased_hash(volunteer_id: i64) -> String {
    format!("erased:{volunteer_id}")
}

/// A kind of work still open that keeps a person from being erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OpenWork {
    /// Signed up (or waiting) for an activity that is still open.
    ActivitySignup,
    /// Offered or accepted a need that is not yet completed.
    NeedOffer,
    /// A mentoring pair (as mentor or mentee) without an outcome.
    Mentorship,
    /// Called out by an open mobilisation and not answered no.
    Mobilization,
    /// The leader of a team.
    TeamLeader,
}

impl OpenWork {
    pub const ALL: [OpenWork; 5] = [
        OpenWork::ActivitySignup,
        OpenWork::NeedOffer,
        OpenWork::Mentorship,
        OpenWork::Mobilization,
        OpenWork::TeamLeader,
    ];

    /// The field the error names it under.
    pub fn code(self) -> &'static str {
        match self {
            OpenWork::ActivitySignup => "activity_signups",
            OpenWork::NeedOffer => "need_offers",
            OpenWork::Mentorship => "mentorships",
            OpenWork::Mobilization => "mobilizations",
            OpenWork::TeamLeader => "teams_led",
        }
    }

    /// What it is, and what staff do about it.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            OpenWork::ActivitySignup => (
                "报名了尚未结束的活动（请先取消报名或结束活动）",
                "signed up for activities not yet closed (cancel the sign-up or close the activity first)",
            ),
            OpenWork::NeedOffer => (
                "有已派给或已接的需求未完成（请先撤回派单或完成需求）",
                "has needs offered or accepted and not completed (withdraw the offer or complete the need first)",
            ),
            OpenWork::Mentorship => (
                "有尚未结束的老兵带新兵结对（请先登记结对结果）",
                "is in a mentoring pair still open (record its outcome first)",
            ),
            OpenWork::Mobilization => (
                "被尚未结束的应急动员召集（请先结束动员）",
                "was called out by an emergency mobilisation still open (close it first)",
            ),
            OpenWork::TeamLeader => {
                ("是队伍的队长（请先为队伍另选队长）", "leads a team (choose another leader first)")
            }
        }
    }
}

/// One piece of open work: its kind, and the thing (id and title) it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    pub kind: OpenWork,
    pub id: i64,
    pub title: String,
}

/// The blockers as the error's fields: one line per kind, naming each thing.
pub fn problems(blockers: &[Blocker]) -> Vec<Problem> {
    let mut out = Vec::new();
    for kind in OpenWork::ALL {
        let things: Vec<&Blocker> = blockers.iter().filter(|b| b.kind == kind).collect();
        if things.is_empty() {
            continue;
        }
        let (zh, en) = kind.label();
        let names: Vec<String> = things.iter().map(|b| format!("「{}」(#{})", b.title, b.id)).collect();
        out.push(Problem::new(
            kind.code(),
            format!("{zh}：{}", names.join("、")),
            format!("{en}: {}", names.join(", ")),
        ));
    }
    out
}

/// The refusal's message: every kind of open work, in Chinese and English.
pub fn message(blockers: &[Blocker]) -> (String, String) {
    let ps = problems(blockers);
    let zh: Vec<&str> = ps.iter().map(|p| p.zh.as_str()).collect();
    let en: Vec<&str> = ps.iter().map(|p| p.en.as_str()).collect();
    (
        format!("此人还有未完成的工作，暂不能注销：{}。", zh.join("；")),
        format!("This person still has open work and cannot be erased yet: {}.", en.join("; ")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_names_every_kind_and_thing() {
        let b = vec![
            Blocker { kind: OpenWork::TeamLeader, id: 3, title: "一队".into() },
            Blocker { kind: OpenWork::ActivitySignup, id: 7, title: "清扫".into() },
            Blocker { kind: OpenWork::ActivitySignup, id: 8, title: "义诊".into() },
        ];
        let (zh, en) = message(&b);
        assert!(zh.contains("「清扫」(#7)、「义诊」(#8)") && zh.contains("「一队」(#3)"), "{zh}");
        assert!(zh.find("活动") < zh.find("队长"), "in a fixed order: {zh}");
        assert!(en.contains("signed up for activities") && en.contains("leads a team"), "{en}");
        let ps = problems(&b);
        assert_eq!(ps.iter().map(|p| p.field.as_str()).collect::<Vec<_>>(), ["activity_signups", "teams_led"]);
    }

    #[test]
    fn placeholders_name_nobody_and_never_clash() {
        assert_eq!(placeholder_name(42), "已注销人员#42");
        assert_ne!(erased_hash(1), erased_hash(2));
        assert!(!erased_hash(1).chars().all(|c| c.is_ascii_hexdigit()), "never a real keyed hash");
    }
}
