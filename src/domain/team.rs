//! Teams: the town squad, one team in every village, and teams with a purpose.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum TeamKind {
    TownSquad,
    VillageTeam,
    Lecture,
    Emergency,
    Mentoring,
    Other,
}

impl TeamKind {
    pub const ALL: [TeamKind; 6] = [
        TeamKind::TownSquad,
        TeamKind::VillageTeam,
        TeamKind::Lecture,
        TeamKind::Emergency,
        TeamKind::Mentoring,
        TeamKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TeamKind::TownSquad => "town_squad",
            TeamKind::VillageTeam => "village_team",
            TeamKind::Lecture => "lecture",
            TeamKind::Emergency => "emergency",
            TeamKind::Mentoring => "mentoring",
            TeamKind::Other => "other",
        }
    }

    pub fn parse<S: AsRef<str> + ?Sized>(s: &S) -> Option<TeamKind> {
        let s = s.as_ref();
        TeamKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            TeamKind::TownSquad => ("镇级志愿服务中队", "Town squad"),
            TeamKind::VillageTeam => ("村(社区)服务小队", "Village team"),
            TeamKind::Lecture => ("宣讲队", "Lecture team"),
            TeamKind::Emergency => ("应急分队", "Emergency team"),
            TeamKind::Mentoring => ("帮带小组", "Mentoring group"),
            TeamKind::Other => ("其他队伍", "Other team"),
        }
    }
}

impl std::fmt::Display for TeamKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
