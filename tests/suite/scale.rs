//! The list pages at a county's scale: 20 000 volunteers and 5 000 activities
//! (a made-up county), with mentoring pairs, people to visit and needs. Every
//! page the town's staff reach from the menu answers within the phone's
//! budget (under 100 KB of HTML), and each list pages, searches and filters.

use crate::both;
use crate::common::TestApp;
use laobing::domain::account::Role;
use laobing::domain::mentoring::{Goal, MentorshipDraft, Outcome};
use laobing::store::{accounts, care, mentoring};
use reqwest::StatusCode;
use serde_json::json;

/// How many entries of a list (`<ul … id="{id}">`) a page shows.
fn items(html: &str, id: &str) -> usize {
    let list = html.split(&format!("id=\"{id}\"")).nth(1).and_then(|l| l.split("</ul>").next()).unwrap_or("");
    list.matches("<li").count() - list.matches("<li class=\"muted\"").count()
}

both!(every_list_pages_searches_and_filters_at_a_countys_scale, |app: TestApp| async move {
    let load = laobing::synthetic::synthetic_county(&app.db, 1, 20_000, 50_000, 365).await.expect("county");
    assert_eq!(load.volunteers, 20_000);
    assert_eq!(load.activities, 5_000);
    let town = app.scalar("SELECT id FROM regions WHERE name = '压测1镇'").await;
    let village = app.scalar("SELECT MIN(id) FROM regions WHERE name = '第7村' AND parent_id IN (SELECT id FROM regions WHERE name = '压测1镇')").await;
    accounts::create(
        &app.db.pool,
        &accounts::NewUser {
            username: "county_staff",
            password_hash: &crate::common::password_hash(),
            role: Role::TownStaff,
            region_id: Some(town),
            volunteer_id: None,
        },
    )
    .await
    .expect("account");
    // pairs, people to visit and needs, as a busy town has them
    let first = app.scalar("SELECT MIN(id) FROM volunteers WHERE volunteer_no LIKE 'SY%'").await;
    for k in 0..60 {
        let (mentor, mentee) = (first + k * 2, first + k * 2 + 1);
        let region = app.scalar(&format!("SELECT region_id FROM volunteers WHERE id = {mentee}")).await;
        let d = MentorshipDraft {
            mentor_id: mentor,
            mentee_id: mentee,
            goal: Goal::Employment,
            started_on: laobing::domain::clock::today(),
            outcome: if k % 3 == 0 { Outcome::Employed } else { Outcome::None },
            outcome_on: (k % 3 == 0).then(laobing::domain::clock::today),
            notes: None,
        };
        mentoring::create(&app.db.pool, &d, region, None).await.expect("pair");
    }
    for k in 0..80 {
        care::create(
            &app.db.pool,
            &app.db.vault,
            &care::NewRecipient {
                name: &format!("走访对象{k}"),
                category: "disabled_veteran",
                categories: &["disabled_veteran".to_string()],
                region_id: village,
                address: Some(&format!("第7村{k}号")),
                phone: None,
                hardship: k % 4 == 0,
                living_alone: false,
                low_income: false,
                honour_plaque: false,
                notes: None,
            },
            None,
        )
        .await
        .expect("recipient");
    }
    let staff = app.token("county_staff").await;
    for k in 0..35 {
        let (s, n) = app
            .post(
                &staff,
                "/api/v1/needs",
                json!({"title": format!("压测需求{k}"), "category": "other", "region_id": village, "place": format!("桥头{k}")}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{n}");
    }
    crate::pages::sign_in(&app, "county_staff").await;
    let app = &app;
    let get = |path: String| async move {
        let r = app.client.get(app.url(&path)).send().await.expect("send");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let html = r.text().await.expect("text");
        assert!(html.len() < 100_000, "{path}: {} bytes, over the phone's budget", html.len());
        html
    };
    // every page of the menu stays light
    let home = get("/".into()).await;
    let menu = home.split("id=\"menu\"").nth(1).and_then(|m| m.split("</nav>").next()).expect("menu");
    let mut menu_pages = 0;
    for link in menu.split("href=\"").skip(1).filter_map(|l| l.split('"').next()) {
        if link.starts_with('/') && !link.starts_with("/lang/") {
            get(link.to_string()).await;
            menu_pages += 1;
        }
    }
    assert!(menu_pages >= 15, "the staff menu has {menu_pages} pages");

    // the roster: pages, by name, by number, by village, by state
    let roster = get("/volunteers".into()).await;
    assert_eq!(items(&roster, "volunteer-list"), 20, "twenty to a page");
    assert!(roster.contains("20000"), "the total is told");
    assert_eq!(items(&get("/volunteers?page=1000".into()).await, "volunteer-list"), 20, "the last page");
    let by_name = get("/volunteers?q=%E5%8E%8B%E6%B5%8B%E9%98%9F%E5%91%9812345".into()).await; // 压测队员12345
    assert_eq!(items(&by_name, "volunteer-list"), 1);
    assert_eq!(items(&get("/volunteers?q=SY0012345".into()).await, "volunteer-list"), 1, "by volunteer number");
    let in_village = get(format!("/volunteers?region_id={village}")).await;
    assert!(in_village.contains("1000"), "a thousand live in one village");
    assert_eq!(items(&get("/volunteers?skill=driving".into()).await, "volunteer-list"), 0, "nobody made up drives");

    // activities: pages, searches, filters
    let acts = get("/activities".into()).await;
    assert_eq!(items(&acts, "activity-list"), 20);
    assert!(acts.contains("rel=\"next\""));
    assert_eq!(items(&get("/activities?page=250".into()).await, "activity-list"), 20, "the last of 5 000");
    assert_eq!(items(&get("/activities?page=251".into()).await, "activity-list"), 0);
    assert_eq!(items(&get("/activities?upcoming=1".into()).await, "activity-list"), 0, "all of them are past");
    assert_eq!(items(&get("/activities?q=%E4%B8%8D%E5%AD%98%E5%9C%A8".into()).await, "activity-list"), 0);

    // needs
    let needs = get("/needs".into()).await;
    assert_eq!(items(&needs, "need-list"), 30);
    assert_eq!(items(&get("/needs?page=2".into()).await, "need-list"), 5);
    assert_eq!(items(&get("/needs?q=%E6%A1%A5%E5%A4%B412".into()).await, "need-list"), 1, "桥头12 by its place");

    // the yearly assessment of 20 000 people
    let assessed = get("/assessments".into()).await;
    assert_eq!(items(&assessed, "assessed"), 30, "thirty to a page");
    assert!(assessed.contains("rel=\"next\""));
    assert_eq!(items(&get("/assessments?q=SY0000042".into()).await, "assessed"), 1, "by number");
    let named = get("/assessments?q=%E5%8E%8B%E6%B5%8B%E9%98%9F%E5%91%981999".into()).await; // 压测队员1999…
    assert_eq!(items(&named, "assessed"), 11, "1999 and 19990–19999");
    let in_village = get(format!("/assessments?region_id={village}&page=34")).await;
    assert_eq!(items(&in_village, "assessed"), 10, "a thousand people of one village, the last page");
    for grade in ["excellent", "pass", "fail"] {
        get(format!("/assessments?grade={grade}")).await;
    }

    // mentoring: the pairs page and search; people are found, not listed
    let pairs = get("/mentoring".into()).await;
    assert_eq!(items(&pairs, "pairs"), 20);
    assert_eq!(items(&get("/mentoring?page=3".into()).await, "pairs"), 20);
    assert_eq!(items(&get("/mentoring?outcome=done".into()).await, "pairs"), 20);
    assert_eq!(items(&get("/mentoring?outcome=done&page=2".into()).await, "pairs"), 0);
    let one = format!("/mentoring?q={}", laobing::web::url::urlencode(&format!("压测队员{}", 3)));
    assert!(items(&get(one).await, "pairs") >= 1);
    let found = get("/mentoring?mentor=SY0000100&mentee=%E5%8E%8B%E6%B5%8B%E9%98%9F%E5%91%98777".into()).await;
    assert_eq!(found.matches("name=\"mentor_id\"").count(), 1, "the mentor by number");
    assert!(found.matches("name=\"mentee_id\"").count() >= 1, "the mentee by name");

    // care: the registry pages and searches
    let registry = get("/care".into()).await;
    assert_eq!(items(&registry, "recipients"), 30);
    assert_eq!(items(&get("/care?page=3".into()).await, "recipients"), 20);
    assert_eq!(items(&get("/care?q=%E7%AC%AC7%E6%9D%9179%E5%8F%B7".into()).await, "recipients"), 1, "by address");
    assert_eq!(items(&get("/care?hardship=1".into()).await, "recipients"), 20);
});
