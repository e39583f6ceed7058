//! Teams: the town squad, a team in every village, teams with a purpose, and
//! who is on them.

use super::volunteers::present;
use super::{list_scope, App, Caller, Error, Result};
use crate::domain::error_code::ErrorCode;
use crate::domain::team::TeamKind;
use crate::domain::validation::{Problem, Problems};
use crate::domain::volunteer::{read, VolunteerStatus};
use crate::store::teams::{self as store, TeamDraft};
use crate::store::{regions as region_store, volunteers as volunteer_store};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub use crate::store::teams::Team;

#[derive(Deserialize, IntoParams)]
pub struct TeamQuery {
    pub region_id: Option<String>,
    /// town_squad, village_team, lecture, emergency, mentoring or other.
    pub kind: Option<String>,
}

fn kind_problem() -> Problem {
    Problem::about(
        "kind",
        "应为 town_squad、village_team、lecture、emergency、mentoring 或 other",
        "must be town_squad, village_team, lecture, emergency, mentoring or other",
    )
}

/// The teams of a region subtree inside the caller's scope, optionally of one kind.
pub async fn list(app: &App, caller: &Caller, q: &TeamQuery) -> Result<Vec<Team>> {
    let within = list_scope(app, caller, q.region_id.as_deref()).await?;
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(TeamKind::parse(k).ok_or_else(|| Error::field(kind_problem()))?),
    };
    Ok(store::list(&app.db.pool, &within, kind).await?)
}

/// Every team of the caller's scope, in tree order.
pub async fn in_scope(app: &App, caller: &Caller, kind: Option<TeamKind>) -> Result<Vec<Team>> {
    Ok(store::list(&app.db.pool, caller.scope_path(), kind).await?)
}

/// A team the caller may see: 404 unknown, 403 outside scope, unless the
/// caller is one of its members (a village's leader in the town squad sees
/// the squad he serves in).
pub async fn visible(app: &App, caller: &Caller, id: i64) -> Result<Team> {
    let t = store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    if caller.covers(&t.region_path) {
        return Ok(t);
    }
    let member = match caller.volunteer_id {
        Some(v) => store::of_volunteer(&app.db.pool, v).await?.iter().any(|(team, _, _)| *team == id),
        None => false,
    };
    caller.ensure(member)?;
    Ok(t)
}

/// A team the caller may change: inside their scope (membership alone shows a
/// team, it does not hand over its roster).
async fn within_scope(app: &App, caller: &Caller, id: i64) -> Result<Team> {
    let t = store::get(&app.db.pool, id).await?.ok_or_else(Error::not_found)?;
    caller.ensure_covers(&t.region_path)?;
    Ok(t)
}

#[derive(Serialize, ToSchema)]
pub struct Member {
    pub volunteer_id: i64,
    pub volunteer_no: String,
    pub name: String,
    pub region_id: i64,
    pub status: VolunteerStatus,
}

#[derive(Serialize, ToSchema)]
pub struct TeamDetail {
    #[serde(flatten)]
    pub team: Team,
    pub members: Vec<Member>,
}

pub async fn members_of(app: &App, team: &Team) -> Result<Vec<Member>> {
    let f = volunteer_store::Filter { within: "/".into(), team_id: Some(team.id), limit: 10_000, ..Default::default() };
    let rows = volunteer_store::list(&app.db.pool, &app.db.vault, &f).await?;
    Ok(rows
        .into_iter()
        .map(|v| Member {
            volunteer_id: v.id,
            volunteer_no: v.volunteer_no,
            name: v.name,
            region_id: v.region_id,
            status: v.status,
        })
        .collect())
}

/// A team with its members.
pub async fn detail(app: &App, caller: &Caller, id: i64) -> Result<TeamDetail> {
    let team = visible(app, caller, id).await?;
    let members = members_of(app, &team).await?;
    Ok(TeamDetail { team, members })
}

/// A new team.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TeamInput {
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub name: Option<String>,
    /// town_squad, village_team, lecture, emergency, mentoring or other.
    #[serde(default, deserialize_with = "crate::domain::input::de::text")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub region_id: Option<i64>,
    /// A volunteer of the team's region; they become a member.
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub leader_id: Option<i64>,
}

/// A change to a team: the fields sent override what is stored; a null
/// `leader_id` leaves the team without a leader.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TeamPatch {
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present::text")]
    #[schema(value_type = Option<String>)]
    pub kind: Option<Option<String>>,
    #[serde(default, deserialize_with = "present::int")]
    #[schema(value_type = Option<i64>)]
    pub region_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present::int")]
    #[schema(value_type = Option<i64>)]
    pub leader_id: Option<Option<i64>>,
}

impl TeamPatch {
    fn over(self, t: &Team) -> TeamInput {
        TeamInput {
            name: self.name.unwrap_or_else(|| Some(t.name.clone())),
            kind: self.kind.unwrap_or_else(|| Some(t.kind.as_str().to_string())),
            region_id: self.region_id.unwrap_or(Some(t.region_id)),
            leader_id: self.leader_id.unwrap_or(t.leader_id),
        }
    }
}

/// Checks a team and that its region is in the caller's scope; answers the
/// draft and the region's path.
async fn draft(app: &App, caller: &Caller, i: &TeamInput) -> Result<(TeamDraft, String)> {
    let mut problems = Problems::new();
    let p = &mut problems;
    let name = read::required_text(p, "name", i.name.as_deref(), 40);
    let kind_text = read::required_text(p, "kind", i.kind.as_deref(), 20);
    let region_id = read::required(p, "region_id", i.region_id);
    let kind = kind_text.as_deref().and_then(|k| {
        let parsed = TeamKind::parse(k);
        if parsed.is_none() {
            p.push(kind_problem());
        }
        parsed
    });
    let region = match region_id {
        Some(id) => {
            let r = region_store::get(&app.db.pool, id).await?;
            if r.is_none() {
                problems.push(Problem::about("region_id", "不存在", "does not exist"));
            }
            r
        }
        None => None,
    };
    match (name, kind, region) {
        (Some(name), Some(kind), Some(region)) if problems.is_empty() => {
            caller.ensure_covers(&region.path)?;
            Ok((TeamDraft { name, kind, region_id: region.id, leader_id: i.leader_id }, region.path))
        }
        _ => Err(Error::invalid(problems)),
    }
}

pub async fn create(app: &App, caller: &Caller, input: TeamInput) -> Result<Team> {
    caller.ensure(caller.role.manages_roster())?;
    let (d, path) = draft(app, caller, &input).await?;
    let record = caller.record("create", "team", "", &d.name);
    Ok(store::create_audited(&app.db.pool, &d, &path, &record).await?)
}

pub async fn update(app: &App, caller: &Caller, id: i64, patch: TeamPatch) -> Result<Team> {
    let current = within_scope(app, caller, id).await?;
    caller.ensure(caller.role.manages_roster())?;
    let (d, path) = draft(app, caller, &patch.over(&current)).await?;
    let record = caller.record("update", "team", id, &d.name);
    Ok(store::update(&app.db.pool, id, &d, &path, &record).await?)
}

/// Staff in scope manage every team; a team leader manages the team they lead.
pub fn may_manage_members(caller: &Caller, team: &Team) -> bool {
    caller.role.manages_roster() || (caller.volunteer_id.is_some() && caller.volunteer_id == team.leader_id)
}

#[derive(Deserialize, ToSchema)]
pub struct MemberRequest {
    #[serde(default, deserialize_with = "crate::domain::input::de::int")]
    pub volunteer_id: Option<i64>,
}

async fn join(app: &App, caller: &Caller, team: &Team, v: &volunteer_store::VolunteerRow) -> Result<()> {
    let record = caller.record("add_member", "team", team.id, &v.volunteer_no);
    if !store::add_member_audited(&app.db.pool, team.id, v.id, &record).await? {
        return Err(Error::conflict(
            ErrorCode::AlreadyMember,
            "该志愿者已在队中",
            "The volunteer is already on this team",
        ));
    }
    Ok(())
}

/// Puts a volunteer of the team's region on the team; answers the team with its members.
pub async fn add_member(app: &App, caller: &Caller, id: i64, input: MemberRequest) -> Result<TeamDetail> {
    let team = within_scope(app, caller, id).await?;
    caller.ensure(may_manage_members(caller, &team))?;
    let Some(volunteer_id) = input.volunteer_id else {
        return Err(Error::field(Problem::required("volunteer_id")));
    };
    let v = volunteer_store::get(&app.db.pool, volunteer_id)
        .await?
        .ok_or_else(|| Error::field(Problem::about("volunteer_id", "不存在", "does not exist")))?;
    if !v.region_path.starts_with(&team.region_path) {
        return Err(Error::field(Problem::about(
            "volunteer_id",
            "不在该队伍所属区域，不能加入",
            "lives outside the team's region and cannot join it",
        )));
    }
    join(app, caller, &team, &v).await?;
    detail(app, caller, id).await
}

/// Puts a volunteer on the team by their volunteer number (what a leader has
/// on paper) or id, looked up inside the team's region.
pub async fn add_member_by_number(app: &App, caller: &Caller, id: i64, wanted: &str) -> Result<()> {
    let wanted = wanted.trim().to_uppercase();
    let team = within_scope(app, caller, id).await?;
    caller.ensure(may_manage_members(caller, &team))?;
    let f = volunteer_store::Filter {
        within: team.region_path.clone(),
        text: Some(wanted.clone()),
        limit: 2,
        ..Default::default()
    };
    let found = volunteer_store::list(&app.db.pool, &app.db.vault, &f).await?;
    let v = found.into_iter().find(|v| v.volunteer_no == wanted || v.id.to_string() == wanted).ok_or_else(|| {
        Error::bad_request("在本队所属区域找不到该志愿者编号", "No volunteer with that number in the team's region")
    })?;
    join(app, caller, &team, &v).await
}

/// Takes a volunteer off the team; false when they were not on it, a
/// conflict for the leader.
pub async fn remove_member(app: &App, caller: &Caller, id: i64, volunteer_id: i64) -> Result<bool> {
    let team = within_scope(app, caller, id).await?;
    caller.ensure(may_manage_members(caller, &team))?;
    let record = caller.record("remove_member", "team", id, &volunteer_id.to_string());
    Ok(store::remove_member(&app.db.pool, id, volunteer_id, &record).await?)
}
