//! A believable demo town: 回车镇 in 西峡县, one town squad of 16, 21 village
//! teams of 10, with skills and honours spread as a real roster has them.
//! Loading is idempotent: a database that already has the town is left alone.

use crate::domain::account::Role;
use crate::domain::geo::LatLon;
use crate::domain::id_number::{check_char, IdNumber};
use crate::domain::phone::Phone;
use crate::domain::region::RegionKind;
use crate::domain::team::TeamKind;
use crate::domain::volunteer::{Gender, VolunteerDraft, VolunteerStatus};
use crate::store::{accounts, regions, teams, volunteers, Db, Result, StoreError};
use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const DEMO_PASSWORD: &str = "Laobing#2026";

const TOWN: (&str, f64, f64) = ("回车镇", 33.3612, 111.6305);
const VILLAGES: [&str; 21] = [
    "回车村",
    "东坪村",
    "西坪村",
    "黄沙村",
    "桑坪村",
    "万沟村",
    "庙岗村",
    "马边村",
    "张家庄村",
    "李营村",
    "白庄村",
    "杨岗村",
    "寨根村",
    "花园村",
    "石门村",
    "金堂村",
    "河口村",
    "竹园村",
    "松树村",
    "鹿鸣村",
    "新庄社区",
];
const SURNAMES: &str =
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任卢";
const GIVEN: &str = "建国军民强伟刚勇海涛明华志国庆红兵卫东新春振宇宏伟德全永福金山长青立平文武保家双喜广林俊杰";
const BRANCHES: [(&str, u32); 6] =
    [("陆军", 55), ("武警部队", 15), ("空军", 10), ("海军", 8), ("火箭军", 7), ("战略支援部队", 5)];
const SKILL_WEIGHTS: [(&str, u32); 16] = [
    ("driving", 30),
    ("farming", 22),
    ("machinery", 12),
    ("electrician", 9),
    ("medical", 7),
    ("swimming", 10),
    ("mediation", 10),
    ("lecturing", 8),
    ("rescue", 7),
    ("firefighting", 4),
    ("construction", 8),
    ("cooking", 6),
    ("computer", 6),
    ("psychology", 2),
    ("legal", 2),
    ("photography", 3),
];

fn pick_weighted<'a>(rng: &mut StdRng, items: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0..total);
    for (s, w) in items {
        if x < *w {
            return s;
        }
        x -= w;
    }
    items[0].0
}

fn nth_char(s: &str, i: usize) -> char {
    s.chars().nth(i % s.chars().count()).unwrap_or('王')
}

fn person(rng: &mut StdRng, region_id: i64, centre: LatLon, today: NaiveDate, seq: u32) -> VolunteerDraft {
    let male = rng.gen_bool(0.92);
    let name = {
        let mut n = String::new();
        n.push(nth_char(SURNAMES, rng.gen_range(0..64)));
        n.push(nth_char(GIVEN, rng.gen_range(0..64)));
        if rng.gen_bool(0.6) {
            n.push(nth_char(GIVEN, rng.gen_range(0..64)));
        }
        n
    };
    // Most village veterans served in the 1970s–2010s; a few are recent.
    let born_year = if rng.gen_bool(0.15) { rng.gen_range(1997..=2004) } else { rng.gen_range(1950..=1996) };
    let birth = NaiveDate::from_ymd_opt(born_year, rng.gen_range(1..=12), rng.gen_range(1..=28)).unwrap_or(today);
    let seq_digit = {
        let base = (seq % 50) * 2 + if male { 1 } else { 0 };
        base % 100
    };
    let mut id = format!("411323{}{:02}{}", birth.format("%Y%m%d"), rng.gen_range(0..100), seq_digit % 10);
    // the 17th digit carries gender: odd for men
    let mut bytes = id.clone().into_bytes();
    let d = bytes[16] - b'0';
    let want_odd = male;
    if (d % 2 == 1) != want_odd {
        bytes[16] = b'0' + (d + 1) % 10;
    }
    id = String::from_utf8(bytes).unwrap_or(id);
    id.push(check_char(id.as_bytes()));
    let id_number = IdNumber::parse(&id).expect("demo ID numbers are built valid");
    let prefix = ["138", "139", "137", "150", "151", "158", "186", "187", "135", "159"][rng.gen_range(0..10)];
    let phone =
        Phone::parse(&format!("{prefix}{:08}", rng.gen_range(0..100_000_000u32))).expect("demo phones are valid");
    let enlist_age = rng.gen_range(17..=20);
    let enlisted =
        NaiveDate::from_ymd_opt(born_year + enlist_age, if rng.gen_bool(0.5) { 3 } else { 9 }, 1).unwrap_or(birth);
    let years = if rng.gen_bool(0.8) { rng.gen_range(2..=5) } else { rng.gen_range(8..=16) };
    let mut discharged = NaiveDate::from_ymd_opt(enlisted.year() + years, 12, 1).unwrap_or(enlisted);
    if discharged > today {
        discharged = NaiveDate::from_ymd_opt(today.year() - 1, 9, 1).unwrap_or(today);
    }
    let category = if years >= 8 && rng.gen_bool(0.5) {
        "demobilized_cadre"
    } else if rng.gen_bool(0.03) {
        "disabled_veteran"
    } else {
        "discharged_soldier"
    };
    let mut skills: Vec<String> = Vec::new();
    for _ in 0..rng.gen_range(1..=3) {
        let s = pick_weighted(rng, &SKILL_WEIGHTS).to_string();
        if !skills.contains(&s) {
            skills.push(s);
        }
    }
    let mut honors = Vec::new();
    if rng.gen_bool(0.05) {
        honors.push("最美退役军人".to_string());
    }
    if rng.gen_bool(0.10) {
        honors.push("优秀志愿者".to_string());
    }
    if rng.gen_bool(0.04) {
        honors.push("三等功".to_string());
    }
    let cadre_role = rng
        .gen_bool(0.08)
        .then(|| ["村党支部书记", "村委会主任", "村委委员", "村民小组长"][rng.gen_range(0..4)].to_string());
    VolunteerDraft {
        name,
        gender: if male { Gender::Male } else { Gender::Female },
        birth_date: id_number.birth_date(),
        id_number,
        phone,
        region_id,
        address: None,
        position: Some(LatLon {
            lat: centre.lat + rng.gen_range(-0.006..0.006),
            lon: centre.lon + rng.gen_range(-0.006..0.006),
        }),
        branch: Some(pick_weighted(rng, &BRANCHES).to_string()),
        enlisted_on: Some(enlisted),
        discharged_on: Some(discharged),
        veteran_category: Some(category.to_string()),
        party_member: rng.gen_bool(0.45),
        cadre_role,
        honors,
        skills,
        availability: Some(["周末", "农闲时", "随时", "工作日晚上"][rng.gen_range(0..4)].to_string()),
        status: VolunteerStatus::Active,
    }
}

/// Loads the demo town unless it is there already; returns the logins to print.
pub async fn load(db: &Db) -> Result<Vec<(String, String, String)>> {
    let logins = [
        ("admin", Role::Admin),
        ("zhanxin", Role::TownStaff),
        ("huiche_dz", Role::TeamLeader),
        ("wanggeyuan", Role::GridWorker),
        ("laobing01", Role::Volunteer),
    ];
    let table =
        logins.iter().map(|(u, r)| (u.to_string(), r.as_str().to_string(), DEMO_PASSWORD.to_string())).collect();
    if accounts::find_by_name(&db.pool, "admin").await?.is_some() {
        return Ok(table);
    }
    let mut rng = StdRng::seed_from_u64(20261129);
    let today = crate::today_local();
    let county = regions::create(
        &db.pool,
        &regions::NewRegion {
            name: "西峡县".into(),
            kind: RegionKind::County,
            parent_id: None,
            position: Some(LatLon { lat: 33.3070, lon: 111.4730 }),
        },
    )
    .await?;
    let town_pos = LatLon { lat: TOWN.1, lon: TOWN.2 };
    let town = regions::create(
        &db.pool,
        &regions::NewRegion {
            name: TOWN.0.into(),
            kind: RegionKind::Town,
            parent_id: Some(county.id),
            position: Some(town_pos),
        },
    )
    .await?;
    let mut villages = Vec::new();
    for (i, name) in VILLAGES.iter().enumerate() {
        // villages spread along the valleys within about 10 km of the town
        let angle = i as f64 * 2.4;
        let r = 0.02 + 0.004 * i as f64;
        let pos = LatLon { lat: TOWN.1 + r * angle.sin(), lon: TOWN.2 + r * 1.2 * angle.cos() };
        let v = regions::create(
            &db.pool,
            &regions::NewRegion {
                name: (*name).into(),
                kind: RegionKind::Village,
                parent_id: Some(town.id),
                position: Some(pos),
            },
        )
        .await?;
        regions::create(
            &db.pool,
            &regions::NewRegion {
                name: "第一网格".into(),
                kind: RegionKind::Grid,
                parent_id: Some(v.id),
                position: Some(pos),
            },
        )
        .await?;
        villages.push((v.id, pos));
    }
    let mut seq = 0u32;
    // The town squad: 16 of the most experienced, from villages across the town.
    let mut squad = Vec::new();
    for i in 0..16 {
        let (vid, pos) = villages[(i * 5) % villages.len()];
        seq += 1;
        let mut d = person(&mut rng, vid, pos, today, seq);
        if !d.skills.iter().any(|s| s == "rescue") && i % 3 == 0 {
            d.skills.push("rescue".into());
        }
        squad.push(volunteers::create(&db.pool, &db.vault, &d).await?);
    }
    teams::create(
        &db.pool,
        &teams::TeamDraft {
            name: "回车镇退役军人志愿服务中队".into(),
            kind: TeamKind::TownSquad,
            region_id: town.id,
            leader_id: squad.first().copied(),
        },
        &town.path,
    )
    .await?;
    let squad_team = teams::list(&db.pool, &town.path, Some(TeamKind::TownSquad)).await?;
    let squad_id = squad_team.first().map(|t| t.id).ok_or(StoreError::NotFound)?;
    for v in &squad[1..] {
        teams::add_member(&db.pool, squad_id, *v).await?;
    }
    let mut first_leader = None;
    let mut first_member = None;
    for (i, (vid, pos)) in villages.iter().enumerate() {
        let mut members = Vec::new();
        for _ in 0..10 {
            seq += 1;
            let d = person(&mut rng, *vid, *pos, today, seq);
            members.push(volunteers::create(&db.pool, &db.vault, &d).await?);
        }
        let region = regions::get(&db.pool, *vid).await?.ok_or(StoreError::NotFound)?;
        let team = teams::create(
            &db.pool,
            &teams::TeamDraft {
                name: format!("{}退役军人服务小队", VILLAGES[i]),
                kind: TeamKind::VillageTeam,
                region_id: *vid,
                leader_id: Some(members[0]),
            },
            &region.path,
        )
        .await?;
        for m in &members[1..] {
            teams::add_member(&db.pool, team.id, *m).await?;
        }
        if i == 0 {
            first_leader = Some(members[0]);
            first_member = Some(members[1]);
        }
    }
    // The emergency and lecture teams draw on the squad, as towns do.
    let emergency = teams::create(
        &db.pool,
        &teams::TeamDraft {
            name: "回车镇退役军人应急分队".into(),
            kind: TeamKind::Emergency,
            region_id: town.id,
            leader_id: squad.get(1).copied(),
        },
        &town.path,
    )
    .await?;
    for v in squad.iter().skip(2).take(8) {
        teams::add_member(&db.pool, emergency.id, *v).await?;
    }
    teams::create(
        &db.pool,
        &teams::TeamDraft {
            name: "老兵宣讲团".into(),
            kind: TeamKind::Lecture,
            region_id: town.id,
            leader_id: squad.get(10).copied(),
        },
        &town.path,
    )
    .await?;
    // One village is still without a team, so the coverage view has something to say.
    let newest = regions::create(
        &db.pool,
        &regions::NewRegion {
            name: "九龙村".into(),
            kind: RegionKind::Village,
            parent_id: Some(town.id),
            position: Some(LatLon { lat: TOWN.1 + 0.11, lon: TOWN.2 - 0.05 }),
        },
    )
    .await?;
    let _ = newest;

    let hash = crate::app::accounts::hash_password(DEMO_PASSWORD.into()).await.map_err(|e| StoreError::Other(e.en))?;
    let huiche = villages[0].0;
    let grid = regions::list(&db.pool, Some(&format!("{}{}/", town.path, huiche)), Some(RegionKind::Grid)).await?;
    // staff are named on notices and reports; volunteers' accounts show their own names
    type DemoAccount<'a> = (&'a str, Role, Option<i64>, Option<i64>, Option<&'a str>);
    let accounts_to_make: [DemoAccount; 5] = [
        ("admin", Role::Admin, None, None, Some("系统管理员")),
        ("zhanxin", Role::TownStaff, Some(town.id), None, Some("张欣")),
        ("huiche_dz", Role::TeamLeader, Some(huiche), first_leader, None),
        ("wanggeyuan", Role::GridWorker, grid.first().map(|g| g.id).or(Some(huiche)), None, Some("王格")),
        ("laobing01", Role::Volunteer, Some(huiche), first_member, None),
    ];
    for (username, role, region_id, volunteer_id, name) in accounts_to_make {
        let id = accounts::create(
            &db.pool,
            &accounts::NewUser { username, password_hash: &hash, role, region_id, volunteer_id },
        )
        .await?;
        if name.is_some() {
            accounts::set_display_name(&db.pool, id, name).await?;
        }
    }
    year_history(db, &town, &villages).await?;
    activities_history(db, &town, &villages).await?;
    shop_and_evaluations(db, &town).await?;
    needs_history(db, &town).await?;
    mobilization_history(db, &town).await?;
    care_campaigns_history(db, &town).await?;
    grid_history(db, &town).await?;
    announcements_history(db, &town).await?;
    mentoring_and_recruitment(db, &town, &villages).await?;
    Ok(table)
}

/// Adds `count` more made-up volunteers spread over the demo town's villages,
/// for load tests; loads the demo town first if it is not there.
pub async fn synthetic(db: &Db, count: u32) -> Result<u32> {
    load(db).await?;
    let villages = regions::list(&db.pool, None, Some(RegionKind::Village)).await?;
    if villages.is_empty() {
        return Err(StoreError::NotFound);
    }
    let mut rng = StdRng::seed_from_u64(u64::from(count) ^ 0x1a0b);
    let today = crate::today_local();
    let mut made = 0;
    let mut seq = 10_000u32;
    while made < count {
        let v = &villages[made as usize % villages.len()];
        let centre = LatLon { lat: v.lat.unwrap_or(TOWN.1), lon: v.lon.unwrap_or(TOWN.2) };
        seq += 1;
        let d = person(&mut rng, v.id, centre, today, seq);
        match volunteers::create(&db.pool, &db.vault, &d).await {
            Ok(_) => made += 1,
            // a made-up ID number can repeat; draw another person
            Err(StoreError::Invalid(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(made)
}

/// A few weeks of activities: some held, with attendance and service records,
/// and some still open for sign-up.
async fn activities_history(db: &Db, town: &regions::Region, villages: &[(i64, LatLon)]) -> Result<()> {
    use crate::domain::activity::ActivityDraft;
    use crate::store::{activities, settings};
    use chrono::{Duration, Utc};
    let rules = settings::rules_for(&db.pool, &town.path).await?;
    let now = Utc::now();
    let village_teams = teams::list(&db.pool, &town.path, Some(TeamKind::VillageTeam)).await?;
    let plans: [(&str, &str, i64, i64, usize); 5] = [
        ("春耕助农·帮孤寡老人播种", "spring_farming", -60, 4, 0),
        ("汛前河道安全巡查", "safety_patrol", -20, 3, 1),
        ("老兵讲党史进校园", "lecture", -7, 2, 2),
        ("防汛应急演练", "flood_relief", 3, 3, 1),
        ("征兵政策宣传进村", "conscription_publicity", 6, 2, 3),
    ];
    for (title, category, day, hours, team_index) in plans {
        let team = &village_teams[team_index % village_teams.len()];
        let (region_id, pos) = villages.iter().find(|(id, _)| *id == team.region_id).copied().unwrap_or(villages[0]);
        let starts = (now + Duration::days(day)).date_naive().and_hms_opt(1, 0, 0).unwrap_or_default().and_utc();
        let d = ActivityDraft {
            title: title.into(),
            category: category.into(),
            team_id: Some(team.id),
            region_id,
            starts_at: starts,
            ends_at: starts + Duration::hours(hours),
            place: Some("村委会广场".into()),
            position: Some(pos),
            capacity: 12,
            description: Some(format!("{title}，请着志愿服务马甲，提前十分钟到达。")),
        };
        let id = activities::create(&db.pool, &d, &team.name, None).await?;
        let members = volunteers::list(
            &db.pool,
            &db.vault,
            &volunteers::Filter { within: "/".into(), team_id: Some(team.id), limit: 20, ..Default::default() },
        )
        .await?;
        if day < 0 {
            // held: sign-ups were taken before it started
            let a = activities::get(&db.pool, id).await?.ok_or(StoreError::NotFound)?;
            for (i, m) in members.iter().take(9).enumerate() {
                let cin = a.starts_at + Duration::minutes(5 * (i as i64 % 3));
                let cout = a.ends_at - Duration::minutes(10 * (i as i64 % 2));
                activities::attend(
                    &db.pool,
                    &a,
                    m.id,
                    cin,
                    Some(cout),
                    crate::domain::activity::AttendanceMethod::Leader,
                    None,
                    &rules,
                    crate::today_local(),
                )
                .await?;
            }
            activities::close(&db.pool, &a, None, &rules, crate::today_local()).await?;
            let o = activities::Outcomes {
                beneficiaries: 30 + day.abs(),
                audience: if category == "lecture" { 120 } else { 0 },
                households_relocated: 0,
                persons_relocated: 0,
                notes: None,
            };
            activities::set_outcomes(&db.pool, id, &o).await?;
        } else {
            for m in members.iter().take(4) {
                activities::sign_up(&db.pool, id, m.id).await?;
            }
        }
    }
    Ok(())
}

/// The town's 爱心超市 with everyday goods, and leaders' evaluations of last year.
async fn shop_and_evaluations(db: &Db, town: &regions::Region) -> Result<()> {
    use crate::store::{evaluations, rewards};
    for (name, points, stock) in [
        ("食用油(5L)", 120, 20),
        ("大米(10斤)", 80, 30),
        ("洗衣粉", 30, 50),
        ("毛巾两条", 20, 60),
        ("志愿服务马甲", 50, 25),
    ] {
        rewards::create(&db.pool, town.id, name, points, stock, 0, None).await?;
    }
    let year = (crate::today_local() - chrono::Duration::days(365)).format("%Y").to_string();
    let squad = volunteers::list(
        &db.pool,
        &db.vault,
        &volunteers::Filter { within: town.path.clone(), limit: 16, ..Default::default() },
    )
    .await?;
    for (i, v) in squad.iter().enumerate() {
        let score = [5, 4, 5, 3, 4][i % 5];
        evaluations::add(&db.pool, v.id, &year, score, Some("服务积极，群众认可"), 0, "zhanxin", None).await?;
    }
    Ok(())
}

/// A few needs at every stage, so the needs board looks like a working week.
async fn needs_history(db: &Db, town: &regions::Region) -> Result<()> {
    use crate::domain::needs::{NeedDraft, NeedSource};
    use crate::store::{needs, settings};
    use chrono::{Duration, Utc};
    let rules = settings::rules_for(&db.pool, &town.path).await?;
    let villages = regions::list(&db.pool, Some(&town.path), Some(RegionKind::Village)).await?;
    let plans: [(&str, &str, &[&str], usize, &str); 6] = [
        ("帮独居老兵收玉米", "spring_farming", &["farming"], 0, "completed"),
        ("接送烈属老人去县医院复查", "veteran_assistance", &["driving"], 1, "accepted"),
        ("村口路灯损坏需报修", "social_governance", &["electrician"], 2, "dispatched"),
        ("调解邻里宅基地纠纷", "social_governance", &["mediation"], 3, "submitted"),
        ("困难老兵家屋顶漏雨", "veteran_assistance", &["construction"], 4, "submitted"),
        ("送药上门", "veteran_assistance", &[], 5, "rated"),
    ];
    for (i, (title, category, skills, v, stage)) in plans.into_iter().enumerate() {
        let village = &villages[v % villages.len()];
        let filed = Utc::now() - Duration::days(6 - i as i64);
        let d = NeedDraft {
            title: title.into(),
            category: category.into(),
            description: None,
            region_id: village.id,
            place: Some(format!("{}村委会附近", village.name.trim_end_matches('村'))),
            position: village.lat.zip(village.lon).map(|(lat, lon)| LatLon { lat: lat + 0.002, lon: lon - 0.002 }),
            required_skills: skills.iter().map(|s| s.to_string()).collect(),
            volunteers_needed: 1,
            due_at: Some(rules.due_for(category, filed)),
            filed_at: Some(filed),
            requester_name: Some("村民".into()),
            requester_phone: None,
        };
        let id = needs::create(&db.pool, &db.vault, &d, NeedSource::Staff, None, None).await?;
        if stage == "submitted" {
            continue;
        }
        let helper = volunteers::list(
            &db.pool,
            &db.vault,
            &volunteers::Filter { within: village.path.clone(), limit: 1, ..Default::default() },
        )
        .await?;
        let Some(h) = helper.first() else { continue };
        needs::dispatch(&db.pool, id, &[h.id], false, None).await?;
        if stage == "dispatched" {
            continue;
        }
        needs::accept(&db.pool, id, h.id, None).await?;
        if stage == "accepted" {
            continue;
        }
        let n = needs::get(&db.pool, id).await?.ok_or(StoreError::NotFound)?;
        let served = [needs::Served {
            volunteer_id: h.id,
            started_at: filed + Duration::hours(20),
            ended_at: filed + Duration::hours(23),
        }];
        let o = needs::NeedOutcomes { beneficiaries: 1, households_relocated: 0, persons_relocated: 0, notes: None };
        needs::complete(
            &db.pool,
            &n,
            filed + Duration::hours(23),
            &served,
            &o,
            &format!("{}退役军人服务站", town.name),
            None,
            &rules,
            crate::today_local(),
            None,
        )
        .await?;
        if stage == "rated" {
            needs::rate(&db.pool, id, 5, Some("老兵办事靠得住"), None).await?;
        }
    }
    Ok(())
}

/// Last summer's flood call-out: who was called, who came, who was moved to safety.
async fn mobilization_history(db: &Db, town: &regions::Region) -> Result<()> {
    use crate::domain::needs::{Answer, MobilizationStatus};
    use crate::store::{mobilizations, needs};
    let centre = LatLon { lat: TOWN.1 + 0.01, lon: TOWN.2 + 0.01 };
    let called: Vec<(i64, f64)> = needs::candidates(&db.pool, &town.path, 0)
        .await?
        .into_iter()
        .filter(|c| c.active && c.skills.iter().any(|s| s == "swimming" || s == "rescue"))
        .filter_map(|c| c.pos.map(|p| (c.id, (p.distance_km(centre) * 100.0).round() / 100.0)))
        .filter(|(_, d)| *d <= 15.0)
        .collect();
    let skills: Vec<String> = vec![];
    let id = mobilizations::create(
        &db.pool,
        &mobilizations::NewMobilization {
            title: "淇河上游强降雨，转移低洼地带群众",
            category: "flood_relief",
            region_id: town.id,
            lat: centre.lat,
            lon: centre.lon,
            radius_km: 15.0,
            required_skills: &skills,
            headcount: 20,
            insurance: true,
            created_by: 0,
        },
        &called,
        None,
    )
    .await?;
    for (i, (v, _)) in called.iter().enumerate() {
        if i % 5 != 4 {
            mobilizations::answer(&db.pool, id, *v, if i % 7 != 3 { Answer::Yes } else { Answer::No }, None).await?;
        }
    }
    mobilizations::update(&db.pool, id, 14, 41, MobilizationStatus::Closed, None).await
}

/// Care recipients in the first villages, this year's Spring Festival and
/// Army Day campaigns over the town, and visits that leave a few people still
/// to see, so the coverage view has names to show.
async fn care_campaigns_history(db: &Db, town: &regions::Region) -> Result<()> {
    use crate::domain::care::default_campaign;
    use crate::store::care;
    let today = crate::today_local();
    let villages = regions::list(&db.pool, Some(&town.path), Some(RegionKind::Village)).await?;
    let people: [(&str, &str, &[&str], bool); 4] = [
        ("烈属", "martyr_family", &[], false),
        ("困难老兵", "veteran_in_difficulty", &["disabled_veteran"], true),
        ("伤残老兵", "disabled_veteran", &[], false),
        ("老党员老兵", "other", &[], false),
    ];
    let mut recipients = Vec::new();
    for (vi, village) in villages.iter().take(6).enumerate() {
        for (pi, (label, category, more, hardship)) in people.iter().enumerate() {
            let surname = nth_char(SURNAMES, vi * 4 + pi);
            let name = format!("{label}{surname}{}", ["大爷", "大娘", "叔", "伯"][(vi + pi) % 4]);
            let categories: Vec<String> =
                std::iter::once(*category).chain(more.iter().copied()).map(str::to_string).collect();
            let id = care::create(
                &db.pool,
                &db.vault,
                &care::NewRecipient {
                    name: &name,
                    category,
                    categories: &categories,
                    region_id: village.id,
                    address: Some(&format!("{}{}组", village.name, pi + 1)),
                    phone: None,
                    hardship: *hardship,
                    living_alone: pi == 0 && vi % 2 == 0,
                    low_income: *hardship,
                    honour_plaque: *category == "martyr_family",
                    notes: None,
                },
                None,
            )
            .await?;
            recipients.push(id);
        }
    }
    // the latest campaign of each kind that has already ended
    let ended = |kind: &str| {
        [today.year(), today.year() - 1]
            .into_iter()
            .filter_map(|y| default_campaign(kind, y))
            .find(|(_, _, to)| *to <= today)
    };
    let targets: Vec<String> = crate::domain::care::DEFAULT_TARGETS.iter().map(|s| s.to_string()).collect();
    for (kind, skip_every) in [("spring_festival", 7usize), ("army_day", 3usize)] {
        let Some((name, from, to)) = ended(kind) else { continue };
        care::create_campaign(
            &db.pool,
            &care::NewCampaign {
                name: &name,
                kind,
                region_id: town.id,
                starts_on: from,
                ends_on: to,
                categories: &targets,
            },
            0,
            None,
        )
        .await?;
        for (i, id) in recipients.iter().enumerate() {
            if i % skip_every == skip_every - 1 {
                continue; // still to visit
            }
            let on = from + chrono::Duration::days((i % 10) as i64);
            let help = if kind == "spring_festival" { "米、面、油和慰问金" } else { "慰问品" };
            care::add_visit(&db.pool, *id, on.min(to), &[], Some("身体尚好，感谢党和政府"), Some(help), 0, None)
                .await?;
        }
    }
    Ok(())
}

/// Volunteers attached to the grids of two villages, and the cases the grid
/// worker filed there this week: mediations (done by a grid veteran), hazards,
/// a clean-up.
async fn grid_history(db: &Db, town: &regions::Region) -> Result<()> {
    use crate::domain::needs::{NeedDraft, NeedSource};
    use crate::store::{grids, needs, settings};
    use chrono::{Duration, Utc};
    let villages = regions::list(&db.pool, Some(&town.path), Some(RegionKind::Village)).await?;
    let worker = accounts::find_by_name(&db.pool, "wanggeyuan").await?.map(|u| u.id);
    let rules = settings::rules_for(&db.pool, &town.path).await?;
    let today = crate::today_local();
    for village in villages.iter().take(2) {
        let Some(grid) = regions::list(&db.pool, Some(&village.path), Some(RegionKind::Grid)).await?.into_iter().next()
        else {
            continue;
        };
        let people = volunteers::list(
            &db.pool,
            &db.vault,
            &volunteers::Filter { within: village.path.clone(), limit: 4, ..Default::default() },
        )
        .await?;
        for v in &people {
            grids::attach(&db.pool, v.id, Some(grid.id)).await?;
        }
        let cases: [(&str, &str, i64); 3] = [
            ("调解两户邻里排水纠纷", "social_governance", 3),
            ("河边护栏松动隐患", "social_governance", 2),
            ("清理村道积存垃圾", "civilization", 1),
        ];
        for (title, category, days_ago) in cases {
            let d = NeedDraft {
                title: format!("{}：{title}", grid.name),
                category: category.into(),
                description: None,
                region_id: grid.id,
                place: Some(village.name.clone()),
                position: grid.lat.zip(grid.lon).map(|(lat, lon)| LatLon { lat, lon }),
                required_skills: vec![],
                volunteers_needed: 1,
                due_at: None,
                filed_at: Some(Utc::now() - Duration::days(days_ago)),
                requester_name: None,
                requester_phone: None,
            };
            let id = needs::create(&db.pool, &db.vault, &d, NeedSource::Grid, worker, None).await?;
            // the mediation is done: a grid veteran went, and it counts as service
            if days_ago == 3 {
                let Some(h) = people.first() else { continue };
                needs::dispatch(&db.pool, id, &[h.id], false, None).await?;
                needs::accept(&db.pool, id, h.id, None).await?;
                let n = needs::get(&db.pool, id).await?.ok_or(StoreError::NotFound)?;
                let filed = Utc::now() - Duration::days(days_ago);
                let served = [needs::Served {
                    volunteer_id: h.id,
                    started_at: filed + Duration::hours(2),
                    ended_at: filed + Duration::hours(4),
                }];
                let o = needs::NeedOutcomes {
                    beneficiaries: 2,
                    households_relocated: 0,
                    persons_relocated: 0,
                    notes: None,
                };
                needs::complete(
                    &db.pool,
                    &n,
                    filed + Duration::hours(4),
                    &served,
                    &o,
                    &grid.name,
                    worker,
                    &rules,
                    today,
                    None,
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// A few notices from the station, some already read on volunteers' phones.
async fn announcements_history(db: &Db, town: &regions::Region) -> Result<()> {
    use crate::store::announcements::{self as store, NewAnnouncement};
    let staff = accounts::find_by_name(&db.pool, "zhanxin").await?.map(|u| u.id).unwrap_or(0);
    let village = regions::list(&db.pool, Some(&town.path), Some(RegionKind::Village)).await?;
    let first = village.first().map(|v| v.id).unwrap_or(town.id);
    let notices = [
        (
            "关于做好退役军人优待证申领工作的通知",
            "即日起可到镇退役军人服务站或通过手机申领优待证。\n请各村服务小队协助行动不便的老兵办理。",
            "policy",
            town.id,
        ),
        ("“八一”老兵座谈会", "8月1日上午9点在镇政府三楼会议室召开，请各村推荐两名代表参加。", "event", town.id),
        ("县城物流园招聘仓库管理员", "退役军人优先，月薪四千元以上，有意者联系服务站。", "job", town.id),
        ("本村秋收互助安排", "本周六上午在村委会集合，帮助独居老兵收玉米。", "other", first),
    ];
    let mut ids = Vec::new();
    for (title, body, kind, region_id) in notices {
        ids.push(store::create(&db.pool, &NewAnnouncement { title, body, kind, region_id }, staff).await?);
    }
    if let Some(reader) = accounts::find_by_name(&db.pool, "laobing01").await? {
        for id in ids.iter().take(2) {
            store::mark_read(&db.pool, *id, reader.id).await?;
        }
    }
    Ok(())
}

/// Veterans helping veterans: pairs over the past year (some already in work or
/// running a business, some still under way), the leads board, and applications
/// waiting for review, one of them sent through the public form.
async fn mentoring_and_recruitment(db: &Db, town: &regions::Region, villages: &[(i64, LatLon)]) -> Result<()> {
    use crate::domain::mentoring::{Goal, LeadDraft, LeadKind, LeadStatus, MentorshipDraft, Outcome};
    use crate::domain::recruitment::{priority, recently_discharged, Applicant, ApplicationSource};
    use crate::store::{applications, leads, mentoring};
    use chrono::Duration;
    let today = crate::today_local();
    let all = volunteers::list(
        &db.pool,
        &db.vault,
        &volunteers::Filter { within: town.path.clone(), limit: 1000, ..Default::default() },
    )
    .await?;
    // mentors: the squad's old hands; mentees: the most recently discharged
    let mentors: Vec<&volunteers::VolunteerRow> = all.iter().take(16).collect();
    let mut young: Vec<&volunteers::VolunteerRow> = all.iter().skip(16).collect();
    young.sort_by_key(|v| std::cmp::Reverse(v.discharged_on));
    let plan = [
        ("employment", 330, Some(("employed", 200))),
        ("entrepreneurship", 300, Some(("business_started", 90))),
        ("employment", 250, Some(("employed", 40))),
        ("employment", 120, None),
        ("entrepreneurship", 60, None),
        ("employment", 20, None),
    ];
    for (i, (goal, started, outcome)) in plan.iter().enumerate() {
        let (Some(mentor), Some(mentee)) = (mentors.get(i + 2), young.get(i)) else { break };
        let started_on = today - Duration::days(*started);
        let d = MentorshipDraft {
            mentor_id: mentor.id,
            mentee_id: mentee.id,
            goal: Goal::parse(goal).unwrap_or(Goal::Employment),
            started_on,
            outcome: outcome.and_then(|(o, _)| Outcome::parse(o)).unwrap_or(Outcome::None),
            outcome_on: outcome.map(|(_, ago)| today - Duration::days(ago)),
            notes: None,
        };
        mentoring::create(&db.pool, &d, mentee.region_id, None).await?;
    }
    let board = [
        ("job", "物流园叉车司机（退役军人优先）", "西峡县现代物流园", "0377-69660001", town.id, 60),
        ("job", "镇卫生院保安", "回车镇卫生院", "0377-69660002", town.id, 30),
        ("business", "香菇种植大棚承包（有技术指导）", "回车村食用菌合作社", "0377-69660003", villages[0].0, 90),
        ("business", "猕猴桃电商代运营合作", "东坪村电商服务站", "0377-69660004", villages[1].0, 45),
        ("job", "县城护林员", "西峡县林业局", "0377-69660005", town.id, 20),
    ];
    for (kind, title, employer, contact, region_id, days) in board {
        let d = LeadDraft {
            kind: LeadKind::parse(kind).unwrap_or(LeadKind::Job),
            title: title.into(),
            description: None,
            employer: Some(employer.into()),
            contact: Some(contact.into()),
            region_id,
            expires_on: Some(today + Duration::days(days)),
            status: LeadStatus::Open,
        };
        leads::create(&db.pool, &d, 0, None).await?;
    }
    let mut rng = StdRng::seed_from_u64(20260801);
    let mut made = 0;
    let mut seq = 9000;
    while made < 4 && seq < 9100 {
        seq += 1;
        let (vid, pos) = villages[(seq as usize * 7) % villages.len()];
        let d = person(&mut rng, vid, pos, today, seq);
        // the first two are newly discharged, as those who apply mostly are
        if made < 2 && !recently_discharged(d.discharged_on, today) {
            continue;
        }
        let region = regions::get(&db.pool, vid).await?.ok_or(StoreError::NotFound)?;
        let have = applications::skills_within(&db.pool, &region.path).await?;
        let a = Applicant {
            discharged_on: d.discharged_on,
            honors: &d.honors,
            cadre_role: d.cadre_role.as_deref(),
            skills: &d.skills,
        };
        let (score, reasons) = priority(&a, &have, today);
        let reasons = serde_json::to_string(&reasons).unwrap_or_else(|_| "[]".into());
        let review = applications::Review {
            priority_score: score,
            reasons_json: &reasons,
            political_record: (made == 1).then_some(true),
            conduct: (made == 1).then_some(true),
            public_spirit: None,
        };
        let source = if made == 0 { ApplicationSource::Public } else { ApplicationSource::Staff };
        match applications::create(&db.pool, &db.vault, &d, source, &review, None, None).await {
            Ok(_) => made += 1,
            // a made-up ID number that happens to be taken is simply skipped
            Err(StoreError::Invalid(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A year of service before the last few weeks: every village team holds one
/// activity a month, in the season's kind of work, with most of its members
/// signing the sheet, so the dashboard's months, categories and villages look
/// like a real town's.
async fn year_history(db: &Db, town: &regions::Region, villages: &[(i64, LatLon)]) -> Result<()> {
    use crate::domain::activity::ActivityDraft;
    use crate::store::{activities, settings};
    use chrono::{Duration, Months};
    let mut rng = StdRng::seed_from_u64(2026_0801);
    let rules = settings::rules_for(&db.pool, &town.path).await?;
    let today = crate::today_local();
    let mut teams_in_town = teams::list(&db.pool, &town.path, Some(TeamKind::VillageTeam)).await?;
    teams_in_town.extend(teams::list(&db.pool, &town.path, Some(TeamKind::TownSquad)).await?);
    for back in 2..=13u32 {
        let month_start = today.with_day(1).unwrap_or(today) - Months::new(back - 1);
        let (title, category) = match month_start.month() {
            3 | 4 => ("春耕助农·帮扶播种", "spring_farming"),
            5 => ("汛前隐患排查", "safety_patrol"),
            6..=8 => ("防汛值守", "flood_relief"),
            9 => ("征兵政策宣传", "conscription_publicity"),
            10 => ("秋收帮扶困难户", "veteran_assistance"),
            11 => ("平安村庄夜间巡逻", "safety_patrol"),
            12 | 1 => ("冬季走访慰问", "care_visit"),
            _ => ("新时代文明实践·老兵宣讲", "lecture"),
        };
        for team in &teams_in_town {
            // a few teams skip a month, as real ones do
            if rng.gen_bool(0.12) {
                continue;
            }
            let (region_id, pos) = villages
                .iter()
                .find(|(id, _)| *id == team.region_id)
                .copied()
                .unwrap_or((team.region_id, villages[0].1));
            let day = month_start + Duration::days(rng.gen_range(0..27));
            let starts =
                (day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()) + Duration::hours(rng.gen_range(0..3));
            let hours = rng.gen_range(2..=4);
            let d = ActivityDraft {
                title: title.into(),
                category: category.into(),
                team_id: Some(team.id),
                region_id,
                starts_at: starts,
                ends_at: starts + Duration::hours(hours),
                place: Some("村委会".into()),
                position: Some(pos),
                capacity: 15,
                description: None,
            };
            let id = activities::create(&db.pool, &d, &team.name, None).await?;
            let a = activities::get(&db.pool, id).await?.ok_or(StoreError::NotFound)?;
            let members = volunteers::list(
                &db.pool,
                &db.vault,
                &volunteers::Filter { within: "/".into(), team_id: Some(team.id), limit: 20, ..Default::default() },
            )
            .await?;
            let turnout = rng.gen_range(3..=members.len().clamp(3, 8));
            for (i, m) in members.iter().take(turnout).enumerate() {
                let cout = a.ends_at - Duration::minutes(15 * (i as i64 % 3));
                activities::attend(
                    &db.pool,
                    &a,
                    m.id,
                    a.starts_at,
                    Some(cout),
                    crate::domain::activity::AttendanceMethod::Leader,
                    None,
                    &rules,
                    today,
                )
                .await?;
            }
            activities::close(&db.pool, &a, None, &rules, today).await?;
            let o = activities::Outcomes {
                beneficiaries: rng.gen_range(5..60),
                audience: if category == "lecture" { rng.gen_range(40..200) } else { 0 },
                households_relocated: if category == "flood_relief" { rng.gen_range(0..4) } else { 0 },
                persons_relocated: 0,
                notes: None,
            };
            activities::set_outcomes(&db.pool, id, &o).await?;
        }
    }
    Ok(())
}
