//! Accounts, roles, what each role may do, and the password and lockout rules
//! of a level-2 protected system (等保二级).

use super::validation::Problem;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum Role {
    Admin,
    TownStaff,
    TeamLeader,
    GridWorker,
    Volunteer,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::TownStaff, Role::TeamLeader, Role::GridWorker, Role::Volunteer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::TownStaff => "town_staff",
            Role::TeamLeader => "team_leader",
            Role::GridWorker => "grid_worker",
            Role::Volunteer => "volunteer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Role::Admin => ("系统管理员", "Administrator"),
            Role::TownStaff => ("服务站工作人员", "Town staff"),
            Role::TeamLeader => ("队长", "Team leader"),
            Role::GridWorker => ("网格员", "Grid worker"),
            Role::Volunteer => ("志愿者", "Volunteer"),
        }
    }

    /// Staff run the station: rosters, teams, regions below their own.
    pub fn manages_roster(self) -> bool {
        matches!(self, Role::Admin | Role::TownStaff)
    }

    /// Who runs service on the ground and answers for it: staff, admins and
    /// team leaders (log care visits, read a region's figures).
    pub fn runs_service(self) -> bool {
        matches!(self, Role::Admin | Role::TownStaff | Role::TeamLeader)
    }

    /// Who reads other people's profiles at all (masked unless `sees_personal_data`).
    pub fn reads_roster(self) -> bool {
        !matches!(self, Role::Volunteer)
    }

    /// Full ID numbers and phones: only those who hold the roster, and every
    /// look is audited.
    pub fn sees_personal_data(self) -> bool {
        matches!(self, Role::Admin | Role::TownStaff)
    }
}

/// Everything that decides whether a caller may act on a region: who they are
/// and which subtree they were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub role: Role,
    /// `None` only for administrators of the whole installation.
    pub region_path: Option<String>,
}

impl Scope {
    pub fn covers(&self, path: &str) -> bool {
        match &self.region_path {
            None => self.role == Role::Admin,
            Some(scope) => path.starts_with(scope.as_str()),
        }
    }
}

pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;
/// Bearer tokens live for a working day.
pub const TOKEN_HOURS: i64 = 12;
/// A browser left alone for half an hour is signed out.
pub const SESSION_IDLE_MINUTES: i64 = 30;

/// When a failed login locks the account, and until when.
pub fn lock_after_failure(failed_so_far: i64, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (failed_so_far + 1 >= MAX_FAILED_LOGINS).then(|| now + Duration::minutes(LOCKOUT_MINUTES))
}

/// At least 8 characters mixing three of: lower case, upper case, digits,
/// symbols; and not containing the user name.
pub fn check_password(password: &str, username: &str) -> Result<(), Problem> {
    let len = password.chars().count();
    if len < 8 {
        return Err(Problem::about("password", "至少8位", "must have at least 8 characters"));
    }
    if len > 128 {
        return Err(Problem::about("password", "最多128位", "must have at most 128 characters"));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|x| **x).count() < 3 {
        return Err(Problem::about(
            "password",
            "须包含大写字母、小写字母、数字、符号中的至少三类",
            "must mix at least three of: upper case, lower case, digits, symbols",
        ));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(Problem::about("password", "不能包含用户名", "must not contain the user name"));
    }
    Ok(())
}

pub fn check_username(username: &str) -> Result<(), Problem> {
    let ok = (3..=32).contains(&username.len())
        && username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Problem::about("username", "应为3到32位字母、数字或 _ - .", "must be 3 to 32 letters, digits or _ - ."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rule() {
        assert!(check_password("Laobing#2026", "zhang").is_ok());
        assert!(check_password("short1A", "x").is_err());
        assert!(check_password("alllowercase1", "x").is_err());
        assert!(check_password("Zhangsan#2026", "zhangsan").is_err());
    }

    #[test]
    fn fifth_failure_locks_for_fifteen_minutes() {
        let now = Utc::now();
        assert_eq!(lock_after_failure(3, now), None);
        assert_eq!(lock_after_failure(4, now), Some(now + Duration::minutes(15)));
    }

    #[test]
    fn scope_is_a_subtree() {
        let s = Scope { role: Role::TeamLeader, region_path: Some("/1/4/17/".into()) };
        assert!(s.covers("/1/4/17/"));
        assert!(s.covers("/1/4/17/230/"));
        assert!(!s.covers("/1/4/18/"));
        assert!(!s.covers("/1/4/"));
        let admin = Scope { role: Role::Admin, region_path: None };
        assert!(admin.covers("/9/"));
    }
}
