//! The kinds of service, shared by needs and activities.

pub const CATEGORIES: &[(&str, &str, &str)] = &[
    ("epidemic_prevention", "疫情防控", "Epidemic prevention"),
    ("flood_relief", "防汛救灾", "Flood relief"),
    ("emergency_rescue", "应急救援", "Emergency rescue"),
    ("spring_farming", "春耕助农", "Spring farming"),
    ("conscription_publicity", "征兵宣传", "Conscription publicity"),
    ("safety_patrol", "安全巡逻", "Safety patrol"),
    ("social_governance", "社会治理", "Social governance"),
    ("veteran_assistance", "帮扶老兵", "Veteran assistance"),
    ("civilization", "文明实践", "Civilisation practice"),
    ("employment", "就业创业", "Employment"),
    ("lecture", "宣讲", "Lecture"),
    ("care_visit", "走访慰问", "Care visit"),
    ("other", "其他", "Other"),
];

pub fn category_code(s: &str) -> Option<&'static str> {
    CATEGORIES.iter().find(|(c, zh, en)| *c == s || *zh == s || en.eq_ignore_ascii_case(s)).map(|(c, _, _)| *c)
}

pub fn category_label(code: &str) -> (&str, &str) {
    CATEGORIES.iter().find(|(c, _, _)| *c == code).map(|(_, zh, en)| (*zh, *en)).unwrap_or((code, code))
}

/// Risky work: dispatch records that accident insurance is in place, and
/// points carry the emergency bonus.
pub fn is_emergency(code: &str) -> bool {
    matches!(code, "flood_relief" | "emergency_rescue")
}
