//! Regions: county > town > village/community > grid. Every permission is
//! scoped to a subtree of this tree.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum RegionKind {
    County,
    Town,
    Village,
    Grid,
}

impl RegionKind {
    pub const ALL: [RegionKind; 4] = [RegionKind::County, RegionKind::Town, RegionKind::Village, RegionKind::Grid];

    pub fn as_str(self) -> &'static str {
        match self {
            RegionKind::County => "county",
            RegionKind::Town => "town",
            RegionKind::Village => "village",
            RegionKind::Grid => "grid",
        }
    }

    pub fn parse<S: AsRef<str> + ?Sized>(s: &S) -> Option<RegionKind> {
        let s = s.as_ref();
        RegionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            RegionKind::County => ("县(区)", "County"),
            RegionKind::Town => ("乡镇(街道)", "Town"),
            RegionKind::Village => ("村(社区)", "Village/community"),
            RegionKind::Grid => ("网格", "Grid"),
        }
    }

    /// Which kind may sit directly under which. A county is always a root.
    pub fn may_be_child_of(self, parent: Option<RegionKind>) -> bool {
        matches!(
            (parent, self),
            (None, RegionKind::County)
                | (None, RegionKind::Town)
                | (Some(RegionKind::County), RegionKind::Town)
                | (Some(RegionKind::Town), RegionKind::Village)
                | (Some(RegionKind::Village), RegionKind::Grid)
        )
    }
}

impl std::fmt::Display for RegionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The unit that records service and issues certificates for a town.
pub fn station_name(town: &str) -> String {
    format!("{town}退役军人服务站")
}

/// Materialised path of a region: `/1/4/17/`. A region is inside another when
/// its path starts with the other's path.
pub fn child_path(parent_path: Option<&str>, id: i64) -> String {
    format!("{}{id}/", parent_path.unwrap_or("/"))
}

pub fn path_within(path: &str, scope_path: &str) -> bool {
    path.starts_with(scope_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_order_is_enforced() {
        assert!(RegionKind::Town.may_be_child_of(Some(RegionKind::County)));
        assert!(RegionKind::Village.may_be_child_of(Some(RegionKind::Town)));
        assert!(!RegionKind::Village.may_be_child_of(Some(RegionKind::County)));
        assert!(!RegionKind::Grid.may_be_child_of(None));
    }

    #[test]
    fn paths_nest() {
        let town = child_path(Some("/1/"), 4);
        assert_eq!(town, "/1/4/");
        assert!(path_within(&child_path(Some(&town), 17), &town));
        assert!(!path_within("/1/41/", &town));
    }
}
