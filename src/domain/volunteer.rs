//! A veteran volunteer's profile and the rules it must satisfy.

use super::geo::LatLon;
use super::id_number::IdNumber;
use super::input::Fields;
use super::phone::Phone;
use super::validation::{Problem, Problems};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
    pub fn parse(s: &str) -> Option<Gender> {
        match s {
            "male" | "男" | "m" | "M" => Some(Gender::Male),
            "female" | "女" | "f" | "F" => Some(Gender::Female),
            _ => None,
        }
    }
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Gender::Male => ("男", "Male"),
            Gender::Female => ("女", "Female"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VolunteerStatus {
    Applicant,
    Active,
    Inactive,
}

impl VolunteerStatus {
    pub const ALL: [VolunteerStatus; 3] =
        [VolunteerStatus::Applicant, VolunteerStatus::Active, VolunteerStatus::Inactive];
    pub fn as_str(self) -> &'static str {
        match self {
            VolunteerStatus::Applicant => "applicant",
            VolunteerStatus::Active => "active",
            VolunteerStatus::Inactive => "inactive",
        }
    }
    pub fn parse(s: &str) -> Option<VolunteerStatus> {
        VolunteerStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            VolunteerStatus::Applicant => ("申请中", "Applicant"),
            VolunteerStatus::Active => ("在册", "Active"),
            VolunteerStatus::Inactive => ("停用", "Inactive"),
        }
    }
}

/// Veteran categories as the veterans' affairs offices count them.
pub const VETERAN_CATEGORIES: &[(&str, &str, &str)] = &[
    ("discharged_soldier", "退役士兵", "Discharged soldier"),
    ("demobilized_cadre", "复员干部/转业干部", "Demobilised cadre"),
    ("disabled_veteran", "伤残军人", "Disabled veteran"),
    ("martyr_family", "烈士遗属", "Martyr's family"),
    ("died_on_duty_family", "因公牺牲军人遗属", "Family of one who died on duty"),
    ("died_of_illness_family", "病故军人遗属", "Family of one who died of illness"),
    ("serving_family", "现役军人家属", "Family of a serving soldier"),
];

/// Skills the dispatch engine matches on. Codes are stable; labels are for people.
pub const SKILLS: &[(&str, &str, &str)] = &[
    ("medical", "医疗救护", "Medical"),
    ("driving", "驾驶", "Driving"),
    ("swimming", "游泳", "Swimming"),
    ("machinery", "机械操作", "Machinery"),
    ("electrician", "电工", "Electrician"),
    ("mediation", "矛盾调解", "Mediation"),
    ("lecturing", "宣讲", "Lecturing"),
    ("farming", "农业技术", "Farming"),
    ("rescue", "抢险救援", "Rescue"),
    ("firefighting", "消防", "Firefighting"),
    ("construction", "建筑维修", "Construction"),
    ("cooking", "烹饪", "Cooking"),
    ("computer", "电脑操作", "Computer"),
    ("psychology", "心理疏导", "Counselling"),
    ("legal", "法律咨询", "Legal advice"),
    ("photography", "摄影宣传", "Photography"),
];

/// Accepts a code or its Chinese or English label.
pub fn skill_code(s: &str) -> Option<&'static str> {
    SKILLS.iter().find(|(c, zh, en)| *c == s || *zh == s || en.eq_ignore_ascii_case(s)).map(|(c, _, _)| *c)
}

pub fn skill_label(code: &str) -> (&str, &str) {
    SKILLS.iter().find(|(c, _, _)| *c == code).map(|(_, zh, en)| (*zh, *en)).unwrap_or((code, code))
}

pub fn veteran_category_code(s: &str) -> Option<&'static str> {
    VETERAN_CATEGORIES.iter().find(|(c, zh, en)| *c == s || *zh == s || en.eq_ignore_ascii_case(s)).map(|(c, _, _)| *c)
}

pub fn veteran_category_label(code: &str) -> (&str, &str) {
    VETERAN_CATEGORIES.iter().find(|(c, _, _)| *c == code).map(|(_, zh, en)| (*zh, *en)).unwrap_or((code, code))
}

/// The system's public identifier for a volunteer; never the ID number.
pub fn volunteer_no(id: i64) -> String {
    format!("LB{id:07}")
}

/// A profile that has passed every rule and can be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct VolunteerDraft {
    pub name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub id_number: IdNumber,
    pub phone: Phone,
    pub region_id: i64,
    pub address: Option<String>,
    pub position: Option<LatLon>,
    pub branch: Option<String>,
    pub enlisted_on: Option<NaiveDate>,
    pub discharged_on: Option<NaiveDate>,
    pub veteran_category: Option<String>,
    pub party_member: bool,
    pub cadre_role: Option<String>,
    pub honors: Vec<String>,
    pub skills: Vec<String>,
    pub availability: Option<String>,
    pub status: VolunteerStatus,
}

/// Checks a whole profile given as a JSON object; `today` bounds dates.
pub fn validate(map: &Map<String, Value>, today: NaiveDate) -> Result<VolunteerDraft, Problems> {
    let mut f = Fields::new(map);
    let name = f.required_text("name", 32);
    let id_text = f.required_text("id_number", 40);
    let id_number = id_text.and_then(|s| match IdNumber::parse(&s) {
        Ok(id) => Some(id),
        Err(e) => {
            f.problems.push(e.problem("id_number"));
            None
        }
    });
    let phone_text = f.required_text("phone", 40);
    let phone = phone_text.and_then(|s| f.problems.take(Phone::parse(&s)));
    let gender_text = f.text("gender", 10);
    let gender = gender_text.as_deref().and_then(|g| {
        let parsed = Gender::parse(g);
        if parsed.is_none() {
            f.problems.push(Problem::about("gender", "应为 male 或 female", "must be male or female"));
        }
        parsed
    });
    let birth_date = f.date("birth_date");
    let region_id = f.required_int("region_id");
    let address = f.text("address", 200);
    let (lat, lon) = (f.float("lat"), f.float("lon"));
    let position = LatLon::parse_pair(lat, lon, &mut f.problems);
    let branch = f.text("branch", 20);
    let enlisted_on = f.date("enlisted_on");
    let discharged_on = f.date("discharged_on");
    let veteran_category = f.text("veteran_category", 40).and_then(|c| {
        let code = veteran_category_code(&c);
        if code.is_none() {
            f.problems.push(Problem::about("veteran_category", "不在可选类别中", "is not a known category"));
        }
        code.map(str::to_string)
    });
    let party_member = f.boolean("party_member").unwrap_or(false);
    let cadre_role = f.text("cadre_role", 40);
    let honors = f.text_list("honors", 20);
    if honors.iter().any(|h| h.chars().count() > 40) {
        f.problems.push(Problem::about("honors", "每项不能超过40个字", "items must be at most 40 characters"));
    }
    let skill_texts = f.text_list("skills", 16);
    let mut skills = Vec::new();
    for s in &skill_texts {
        match skill_code(s) {
            Some(c) if !skills.contains(&c.to_string()) => skills.push(c.to_string()),
            Some(_) => {}
            None => f.problems.push(Problem::about(
                "skills",
                &format!("“{s}”不是可选技能"),
                &format!("'{s}' is not a known skill"),
            )),
        }
    }
    let availability = f.text("availability", 100);
    let status = match f.text("status", 20) {
        None => Some(VolunteerStatus::Active),
        Some(s) => {
            let st = VolunteerStatus::parse(&s);
            if st.is_none() {
                f.problems.push(Problem::about(
                    "status",
                    "应为 applicant、active 或 inactive",
                    "must be applicant, active or inactive",
                ));
            }
            st
        }
    };
    let mut problems = f.problems;

    // The ID number carries gender and birth date; what is typed beside it must agree.
    if let Some(id) = &id_number {
        if let Some(g) = gender {
            if g != id.gender() {
                problems.push(Problem::about("gender", "与身份证号不一致", "does not match the ID number"));
            }
        }
        if let Some(b) = birth_date {
            if b != id.birth_date() {
                problems.push(Problem::about("birth_date", "与身份证号不一致", "does not match the ID number"));
            }
        }
        if id.birth_date() > today {
            problems.push(Problem::about("id_number", "中的出生日期晚于今天", "holds a birth date after today"));
        }
    }
    let born = id_number.as_ref().map(IdNumber::birth_date);
    if let (Some(e), Some(b)) = (enlisted_on, born) {
        if e <= b {
            problems.push(Problem::about("enlisted_on", "应晚于出生日期", "must be after the birth date"));
        }
    }
    if let Some(d) = discharged_on {
        if d > today {
            problems.push(Problem::about("discharged_on", "不能晚于今天", "must not be after today"));
        }
        if let Some(e) = enlisted_on {
            if d < e {
                problems.push(Problem::about(
                    "discharged_on",
                    "不能早于入伍日期",
                    "must not be before the enlistment date",
                ));
            }
        }
    }
    if let Some(e) = enlisted_on {
        if e > today {
            problems.push(Problem::about("enlisted_on", "不能晚于今天", "must not be after today"));
        }
    }

    match (name, id_number, phone, region_id, status) {
        (Some(name), Some(id), Some(phone), Some(region_id), Some(status)) if problems.is_empty() => {
            Ok(VolunteerDraft {
                name,
                gender: id.gender(),
                birth_date: id.birth_date(),
                id_number: id,
                phone,
                region_id,
                address,
                position,
                branch,
                enlisted_on,
                discharged_on,
                veteran_category,
                party_member,
                cadre_role,
                honors,
                skills,
                availability,
                status,
            })
        }
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).expect("date")
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    fn good() -> Value {
        json!({
            "name": " 张 建国 ", "id_number": "11010519491231002X", "phone": "138 0012 5678",
            "region_id": 3, "skills": ["driving", "医疗救护"], "honors": "最美退役军人、优秀志愿者",
            "enlisted_on": "1968-03-01", "discharged_on": "1972-12-01", "lat": 33.36, "lon": 111.63
        })
    }

    #[test]
    fn a_good_profile_is_tidied_and_derived() {
        let d = validate(&obj(good()), today()).expect("valid");
        assert_eq!(d.name, "张 建国");
        assert_eq!(d.gender, Gender::Female);
        assert_eq!(d.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).expect("date"));
        assert_eq!(d.skills, vec!["driving", "medical"]);
        assert_eq!(d.honors, vec!["最美退役军人", "优秀志愿者"]);
        assert_eq!(d.phone.as_str(), "13800125678");
        assert_eq!(d.status, VolunteerStatus::Active);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut v = good();
        v["id_number"] = json!("110105194912310021");
        v["phone"] = json!("12345");
        v["skills"] = json!(["juggling"]);
        v["name"] = json!("   ");
        let p = validate(&obj(v), today()).expect_err("invalid");
        for field in ["id_number", "phone", "skills", "name"] {
            assert!(p.get(field).is_some(), "{field} missing from {p:?}");
        }
        assert!(p.get("id_number").expect("id").zh.contains("校验位"));
        assert!(p.get("id_number").expect("id").en.contains("check digit"));
    }

    #[test]
    fn typed_gender_and_birth_date_must_agree_with_the_id() {
        let mut v = good();
        v["gender"] = json!("male");
        v["birth_date"] = json!("1950-01-01");
        let p = validate(&obj(v), today()).expect_err("mismatch");
        assert!(p.get("gender").is_some());
        assert!(p.get("birth_date").is_some());
    }

    #[test]
    fn service_dates_must_be_in_order() {
        let mut v = good();
        v["discharged_on"] = json!("1960-01-01");
        let p = validate(&obj(v), today()).expect_err("order");
        assert!(p.get("discharged_on").is_some());
        let mut v = good();
        v["discharged_on"] = json!("2030-01-01");
        assert!(validate(&obj(v), today()).is_err());
    }

    #[test]
    fn wrong_types_name_the_field() {
        let mut v = good();
        v["lat"] = json!("north");
        v["region_id"] = json!([1]);
        let p = validate(&obj(v), today()).expect_err("types");
        assert!(p.get("lat").is_some());
        assert!(p.get("region_id").is_some());
    }

    #[test]
    fn volunteer_numbers_are_fixed_width() {
        assert_eq!(volunteer_no(42), "LB0000042");
    }
}
