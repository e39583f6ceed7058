//! Notices from the station (通知公告): what kind of notice a post is.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum AnnouncementKind {
    Policy,
    Event,
    Job,
    Other,
}

impl AnnouncementKind {
    pub const ALL: [AnnouncementKind; 4] =
        [AnnouncementKind::Policy, AnnouncementKind::Event, AnnouncementKind::Job, AnnouncementKind::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            AnnouncementKind::Policy => "policy",
            AnnouncementKind::Event => "event",
            AnnouncementKind::Job => "job",
            AnnouncementKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            AnnouncementKind::Policy => ("政策", "Policy"),
            AnnouncementKind::Event => ("活动", "Event"),
            AnnouncementKind::Job => ("招聘", "Job"),
            AnnouncementKind::Other => ("其他", "Other"),
        }
    }
}

/// The column as stored (read through `#[sqlx(try_from = "String")]`); a kind
/// written before kinds were checked reads as "other", as pages always showed it.
impl From<String> for AnnouncementKind {
    fn from(s: String) -> Self {
        AnnouncementKind::parse(&s).unwrap_or(AnnouncementKind::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_as_text() {
        for k in AnnouncementKind::ALL {
            assert_eq!(AnnouncementKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).ok(), Some(serde_json::Value::String(k.as_str().into())));
        }
        assert_eq!(AnnouncementKind::parse("news"), None);
    }
}
