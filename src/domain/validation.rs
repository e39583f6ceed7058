//! Field problems named in Chinese and English.

use std::fmt;

/// One thing wrong with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The API's field name (snake_case), also used to place the message on a form.
    pub field: String,
    pub zh: String,
    pub en: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Problem { field: field.into(), zh: zh.into(), en: en.into() }
    }

    /// A problem whose text starts with the field's own label in each language.
    pub fn about(field: &str, zh: &str, en: &str) -> Self {
        let (lz, le) = label(field);
        Problem::new(field, format!("{lz}{zh}"), format!("{le} {en}"))
    }

    pub fn required(field: &str) -> Self {
        Problem::about(field, "不能为空", "is required")
    }

    /// Both languages in one line, for API clients that show it as it is.
    pub fn bilingual(&self) -> String {
        format!("{}（{}）", self.zh, self.en)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.bilingual())
    }
}

/// Every problem found in one request; validation reports them all at once so a
/// form can be corrected in one go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn new() -> Self {
        Problems(Vec::new())
    }
    pub fn push(&mut self, p: Problem) {
        if !self.0.iter().any(|q| q.field == p.field) {
            self.0.push(p);
        }
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, field: &str) -> Option<&Problem> {
        self.0.iter().find(|p| p.field == field)
    }
    /// Ok when nothing was found, so callers can end with `problems.finish(value)`.
    pub fn finish<T>(self, value: T) -> Result<T, Problems> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
    /// Keeps the value of a parse, or records its problem.
    pub fn take<T>(&mut self, r: Result<T, Problem>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(p) => {
                self.push(p);
                None
            }
        }
    }
}

impl From<Problem> for Problems {
    fn from(p: Problem) -> Self {
        Problems(vec![p])
    }
}

/// The label of every field users can get wrong, in Chinese and English.
pub fn label(field: &str) -> (&'static str, &'static str) {
    match field {
        "id" => ("编号", "Id"),
        "volunteer_no" => ("志愿者编号", "Volunteer number"),
        "name" => ("姓名", "Name"),
        "gender" => ("性别", "Gender"),
        "birth_date" => ("出生日期", "Birth date"),
        "id_number" => ("身份证号", "ID number"),
        "phone" => ("手机号", "Phone"),
        "region_id" => ("所属区域", "Region"),
        "parent_id" => ("上级区域", "Parent region"),
        "kind" => ("类型", "Kind"),
        "lat" => ("纬度", "Latitude"),
        "lon" => ("经度", "Longitude"),
        "address" => ("住址", "Address"),
        "branch" => ("服役军种", "Service branch"),
        "enlisted_on" => ("入伍日期", "Enlistment date"),
        "discharged_on" => ("退役日期", "Discharge date"),
        "veteran_category" => ("人员类别", "Veteran category"),
        "party_member" => ("党员", "Party member"),
        "honors" => ("荣誉", "Honours"),
        "skills" => ("技能特长", "Skills"),
        "status" => ("状态", "Status"),
        "availability" => ("可服务时间", "Availability"),
        "cadre_role" => ("村(社区)干部职务", "Cadre role"),
        "team_id" => ("队伍", "Team"),
        "leader_id" => ("队长", "Leader"),
        "volunteer_id" => ("志愿者", "Volunteer"),
        "username" => ("用户名", "User name"),
        "password" => ("密码", "Password"),
        "role" => ("角色", "Role"),
        "limit" => ("每页条数", "Page size"),
        "offset" => ("起始位置", "Offset"),
        "disability_grade" => ("残疾等级", "Disability grade"),
        "title" => ("标题", "Title"),
        "category" => ("类别", "Category"),
        "starts_at" => ("开始时间", "Start"),
        "ends_at" => ("结束时间", "End"),
        "place" => ("地点", "Place"),
        "capacity" => ("人数上限", "Capacity"),
        "description" => ("活动内容", "Description"),
        "check_in" => ("签到时间", "Check-in"),
        "check_out" => ("签退时间", "Check-out"),
        "started_at" => ("开始时间", "Start"),
        "ended_at" => ("结束时间", "End"),
        "reason" => ("原因", "Reason"),
        "beneficiaries" => ("受益人数", "Beneficiaries"),
        "audience" => ("受众人数", "Audience"),
        "households_relocated" => ("转移户数", "Households relocated"),
        "persons_relocated" => ("转移人数", "Persons relocated"),
        "notes" => ("备注", "Notes"),
        "from" => ("起始日期", "From"),
        "to" => ("截止日期", "To"),
        "held_on" => ("培训日期", "Date"),
        "awarded_on" => ("获奖日期", "Date"),
        "awarded_by" => ("授予单位", "Awarded by"),
        "organiser" => ("组织单位", "Organiser"),
        "hours" => ("时长", "Hours"),
        "required_skills" => ("所需技能", "Required skills"),
        "volunteers_needed" => ("所需人数", "Volunteers needed"),
        "due_at" => ("截止时间", "Due"),
        "filed_at" => ("提出时间", "Filed at"),
        "requester_name" => ("联系人", "Requester"),
        "requester_phone" => ("联系电话", "Requester phone"),
        "volunteer_ids" => ("派单志愿者", "Volunteers"),
        "insurance" => ("意外保险", "Accident insurance"),
        "stars" => ("评分", "Stars"),
        "radius_km" => ("召集半径", "Radius"),
        "headcount" => ("所需人数", "Headcount"),
        "completed_at" => ("完成时间", "Completed at"),
        "service" => ("服务明细", "Service"),
        _ => ("字段", "Field"),
    }
}
