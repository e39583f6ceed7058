//! A veteran volunteer's profile and the rules it must satisfy.

use super::geo::LatLon;
use super::id_number::IdNumber;
use super::input::de;
use super::phone::Phone;
use super::validation::{Problem, Problems};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

pub use super::gender::Gender;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
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
    pub fn parse<S: AsRef<str> + ?Sized>(s: &S) -> Option<VolunteerStatus> {
        let s = s.as_ref();
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

impl std::fmt::Display for VolunteerStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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

/// A profile as a client sends it (the API's JSON or a page's form): every
/// field optional and leniently typed, so the rules below can name each one
/// that is missing or wrong.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct VolunteerInput {
    #[serde(default, deserialize_with = "de::text")]
    pub name: Option<String>,
    /// 18 characters; gender and birth date are read from it.
    #[serde(default, deserialize_with = "de::text")]
    pub id_number: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub phone: Option<String>,
    /// male or female; must agree with the ID number when given.
    #[serde(default, deserialize_with = "de::text")]
    pub gender: Option<String>,
    /// YYYY-MM-DD; must agree with the ID number when given.
    #[serde(default, deserialize_with = "de::text")]
    pub birth_date: Option<String>,
    #[serde(default, deserialize_with = "de::int")]
    pub region_id: Option<i64>,
    #[serde(default, deserialize_with = "de::text")]
    pub address: Option<String>,
    #[serde(default, deserialize_with = "de::float")]
    pub lat: Option<f64>,
    #[serde(default, deserialize_with = "de::float")]
    pub lon: Option<f64>,
    #[serde(default, deserialize_with = "de::text")]
    pub branch: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub enlisted_on: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub discharged_on: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub veteran_category: Option<String>,
    #[serde(default, deserialize_with = "de::flag")]
    pub party_member: Option<bool>,
    #[serde(default, deserialize_with = "de::text")]
    pub cadre_role: Option<String>,
    #[serde(default, deserialize_with = "de::list")]
    pub honors: Vec<String>,
    /// Skill codes (`driving`) or their Chinese names.
    #[serde(default, deserialize_with = "de::list")]
    pub skills: Vec<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub availability: Option<String>,
    /// applicant, active (the default) or inactive.
    #[serde(default, deserialize_with = "de::text")]
    pub status: Option<String>,
    /// A grid under the volunteer's village; empty detaches.
    #[serde(default, deserialize_with = "de::int")]
    pub grid_id: Option<i64>,
}

impl VolunteerInput {
    /// Reads a JSON object field by field, so that every field of a wrong type
    /// is named at once (a spreadsheet row, an application's profile); the
    /// fields that do not fit are left out of the input.
    pub fn from_map(map: &Map<String, Value>) -> (VolunteerInput, Problems) {
        let mut problems = Problems::new();
        let mut good = Map::new();
        for (k, v) in map {
            let one = Value::Object(Map::from_iter([(k.clone(), v.clone())]));
            match serde_json::from_value::<VolunteerInput>(one) {
                Ok(_) => {
                    good.insert(k.clone(), v.clone());
                }
                Err(e) => {
                    let msg = e.to_string();
                    let (zh, en) = msg.split_once('|').unwrap_or(("格式不正确", "has the wrong type"));
                    problems.push(Problem::about(k, zh, en.split(" at line ").next().unwrap_or(en)));
                }
            }
        }
        (serde_json::from_value(Value::Object(good)).unwrap_or_default(), problems)
    }
}

/// Reading a typed input's fields by the rules every form shares: text is
/// tidied and bounded, required fields are named when missing.
pub mod read {
    use super::super::text::non_empty;
    use super::super::validation::{Problem, Problems};
    use chrono::NaiveDate;

    /// Tidied text; blank is absent; longer than `max_chars` is a problem.
    pub fn text(p: &mut Problems, field: &str, v: Option<&str>, max_chars: usize) -> Option<String> {
        let t = super::super::text::typed(field, v)?;
        if t.chars().count() > max_chars {
            p.push(Problem::about(
                field,
                &format!("不能超过{max_chars}个字"),
                &format!("must be at most {max_chars} characters"),
            ));
            return None;
        }
        Some(t)
    }

    pub fn required_text(p: &mut Problems, field: &str, v: Option<&str>, max_chars: usize) -> Option<String> {
        let t = text(p, field, v, max_chars);
        if t.is_none() && p.get(field).is_none() {
            p.push(Problem::required(field));
        }
        t
    }

    pub fn required<T: Copy>(p: &mut Problems, field: &str, v: Option<T>) -> Option<T> {
        if v.is_none() && p.get(field).is_none() {
            p.push(Problem::required(field));
        }
        v
    }

    /// A date written YYYY-MM-DD.
    pub fn date(p: &mut Problems, field: &str, v: Option<&str>) -> Option<NaiveDate> {
        let s = text(p, field, v, 40)?;
        match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                p.push(Problem::about(field, "应为 YYYY-MM-DD 格式的日期", "must be a date written YYYY-MM-DD"));
                None
            }
        }
    }

    /// A list of short texts, tidied, without repeats, at most `max_items`.
    pub fn list(p: &mut Problems, field: &str, items: &[String], max_items: usize) -> Vec<String> {
        let mut dedup: Vec<String> = Vec::new();
        for i in items.iter().filter_map(|i| non_empty(Some(i))) {
            if !dedup.contains(&i) {
                dedup.push(i);
            }
        }
        if dedup.len() > max_items {
            p.push(Problem::about(
                field,
                &format!("最多{max_items}项"),
                &format!("may hold at most {max_items} items"),
            ));
            return Vec::new();
        }
        dedup
    }
}

/// Checks a whole profile given as a JSON object; `today` bounds dates.
pub fn validate(map: &Map<String, Value>, today: NaiveDate) -> Result<VolunteerDraft, Problems> {
    let (input, problems) = VolunteerInput::from_map(map);
    check(&input, problems, today)
}

/// Checks a whole profile; `today` bounds dates.
pub fn validate_input(input: &VolunteerInput, today: NaiveDate) -> Result<VolunteerDraft, Problems> {
    check(input, Problems::new(), today)
}

fn check(i: &VolunteerInput, mut problems: Problems, today: NaiveDate) -> Result<VolunteerDraft, Problems> {
    let p = &mut problems;
    let name = read::required_text(p, "name", i.name.as_deref(), 32);
    let id_text = read::required_text(p, "id_number", i.id_number.as_deref(), 40);
    let id_number = id_text.and_then(|s| match IdNumber::parse(&s) {
        Ok(id) => Some(id),
        Err(e) => {
            p.push(e.problem("id_number"));
            None
        }
    });
    let phone_text = read::required_text(p, "phone", i.phone.as_deref(), 40);
    let phone = phone_text.and_then(|s| p.take(Phone::parse(&s)));
    let gender_text = read::text(p, "gender", i.gender.as_deref(), 10);
    let gender = gender_text.as_deref().and_then(|g| {
        let parsed = Gender::parse(g);
        if parsed.is_none() {
            p.push(Problem::about("gender", "应为 male 或 female", "must be male or female"));
        }
        parsed
    });
    let birth_date = read::date(p, "birth_date", i.birth_date.as_deref());
    let region_id = read::required(p, "region_id", i.region_id);
    let address = read::text(p, "address", i.address.as_deref(), 200);
    let position = LatLon::parse_pair(i.lat, i.lon, p);
    let branch = read::text(p, "branch", i.branch.as_deref(), 20);
    let enlisted_on = read::date(p, "enlisted_on", i.enlisted_on.as_deref());
    let discharged_on = read::date(p, "discharged_on", i.discharged_on.as_deref());
    let veteran_category = read::text(p, "veteran_category", i.veteran_category.as_deref(), 40).and_then(|c| {
        let code = veteran_category_code(&c);
        if code.is_none() {
            p.push(Problem::about("veteran_category", "不在可选类别中", "is not a known category"));
        }
        code.map(str::to_string)
    });
    let party_member = i.party_member.unwrap_or(false);
    let cadre_role = read::text(p, "cadre_role", i.cadre_role.as_deref(), 40);
    let honors = read::list(p, "honors", &i.honors, 20);
    if honors.iter().any(|h| h.chars().count() > 40) {
        p.push(Problem::about("honors", "每项不能超过40个字", "items must be at most 40 characters"));
    }
    let skill_texts = read::list(p, "skills", &i.skills, 16);
    let mut skills = Vec::new();
    for s in &skill_texts {
        match skill_code(s) {
            Some(c) if !skills.contains(&c.to_string()) => skills.push(c.to_string()),
            Some(_) => {}
            None => {
                p.push(Problem::about("skills", &format!("“{s}”不是可选技能"), &format!("'{s}' is not a known skill")))
            }
        }
    }
    let availability = read::text(p, "availability", i.availability.as_deref(), 100);
    let status = match read::text(p, "status", i.status.as_deref(), 20) {
        None => Some(VolunteerStatus::Active),
        Some(s) => {
            let st = VolunteerStatus::parse(&s);
            if st.is_none() {
                p.push(Problem::about(
                    "status",
                    "应为 applicant、active 或 inactive",
                    "must be applicant, active or inactive",
                ));
            }
            st
        }
    };

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
