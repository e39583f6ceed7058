//! The summary report against a replay: a town's half year entered through the
//! API, with the figures worked out here from what was entered, by the
//! contract's rules, for several periods.

use crate::both;
use crate::common::{id_number, phone, TestApp};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

fn bj() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("offset")
}

/// A local (UTC+8) time as RFC 3339.
fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<FixedOffset> {
    bj().from_local_datetime(&day.and_hms_opt(hour, minute, 0).expect("time")).single().expect("local")
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// A small deterministic generator so the history is varied but the same every run.
struct Dice(u64);
impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

const CATS: [&str; 5] = ["lecture", "safety_patrol", "spring_farming", "veteran_assistance", "flood_relief"];

/// (filed date, completed date, category, rating, beneficiaries, households, persons)
type NeedDone = (NaiveDate, Option<NaiveDate>, String, Option<i64>, i64, i64, i64);

/// What the replay entered, kept the way the contract counts it.
#[derive(Default)]
struct Model {
    /// (local start date, category, volunteer id, minutes); only records that count
    records: Vec<(NaiveDate, String, i64, i64)>,
    /// (start date, category, beneficiaries, audience, households, persons)
    activities: Vec<(NaiveDate, String, i64, i64, i64, i64)>,
    needs: Vec<NeedDone>,
    /// recipient id → visit dates
    visits: BTreeMap<i64, Vec<NaiveDate>>,
    /// (started_on, outcome, outcome_on)
    mentorships: Vec<(NaiveDate, String, Option<NaiveDate>)>,
}

fn within(day: NaiveDate, from: NaiveDate, to: NaiveDate) -> bool {
    from <= day && day <= to
}

impl Model {
    fn expected(&self, from: NaiveDate, to: NaiveDate) -> Value {
        let mut act_by: BTreeMap<String, i64> = BTreeMap::new();
        let (mut ben, mut aud, mut hh, mut pp) = (0, 0, 0, 0);
        for (day, cat, b, a, h, p) in &self.activities {
            if within(*day, from, to) {
                *act_by.entry(cat.clone()).or_default() += 1;
                (ben, aud, hh, pp) = (ben + b, aud + a, hh + h, pp + p);
            }
        }
        let filed = self.needs.iter().filter(|n| within(n.0, from, to)).count();
        let done: Vec<_> = self.needs.iter().filter(|n| n.1.is_some_and(|c| within(c, from, to))).collect();
        let mut done_by: BTreeMap<String, i64> = BTreeMap::new();
        for n in &done {
            *done_by.entry(n.2.clone()).or_default() += 1;
            (ben, hh, pp) = (ben + n.4, hh + n.5, pp + n.6);
        }
        let ratings: Vec<i64> = done.iter().filter_map(|n| n.3).collect();
        let average = if ratings.is_empty() {
            Value::Null
        } else {
            json!(ratings.iter().sum::<i64>() as f64 / ratings.len() as f64)
        };
        let recs: Vec<_> = self.records.iter().filter(|r| within(r.0, from, to)).collect();
        let mut by_cat: BTreeMap<String, i64> = BTreeMap::new();
        for r in &recs {
            *by_cat.entry(r.1.clone()).or_default() += 1;
        }
        let people: BTreeSet<i64> = recs.iter().map(|r| r.2).collect();
        let minutes: i64 = recs.iter().map(|r| r.3).sum();
        let visited = self.visits.values().filter(|v| v.iter().any(|day| within(*day, from, to))).count();
        let recipients = self.visits.len();
        let m = &self.mentorships;
        json!({
            "activities": {"total": act_by.values().sum::<i64>(), "by_category": act_by},
            "needs": {"filed": filed, "completed": done.len(), "completed_by_category": done_by, "average_rating": average},
            "service": {"person_times": recs.len(), "volunteers": people.len(), "hours": minutes as f64 / 60.0,
                        "person_times_by_category": by_cat},
            "outcomes": {"beneficiaries": ben, "audience": aud, "households_relocated": hh, "persons_relocated": pp},
            "care": {"recipients": recipients, "visited": visited,
                     "coverage": if recipients == 0 { 0.0 } else { visited as f64 / recipients as f64 }},
            "mentoring": {
                "active": m.iter().filter(|x| x.0 <= to && x.2.is_none_or(|o| o > to)).count(),
                "employed": m.iter().filter(|x| x.1 == "employed" && x.2.is_some_and(|o| within(o, from, to))).count(),
                "business_started": m.iter().filter(|x| x.1 == "business_started" && x.2.is_some_and(|o| within(o, from, to))).count(),
            },
        })
    }
}

fn assert_same(section: &str, got: &Value, want: &Value, period: &str) {
    match (got, want) {
        (Value::Number(g), Value::Number(w)) if w.is_f64() || g.is_f64() => {
            let (g, w) = (g.as_f64().unwrap_or(f64::NAN), w.as_f64().unwrap_or(f64::NAN));
            assert!((g - w).abs() < 1e-9, "{period} {section}: got {g}, want {w}");
        }
        (Value::Object(g), Value::Object(w)) => {
            let keys: BTreeSet<&String> = g.keys().chain(w.keys()).collect();
            for k in keys {
                assert_same(&format!("{section}.{k}"), &g[k.as_str()], &w[k.as_str()], period);
            }
        }
        _ => assert_eq!(got, want, "{period} {section}"),
    }
}

both!(the_summary_matches_a_replayed_half_year, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let admin = app.token("admin").await;
    let t = &app.town;
    let mut dice = Dice(0x5eed_2026);
    let mut model = Model::default();

    // twelve volunteers in two villages; two join the town squad, one later leaves
    let mut people = Vec::new();
    for i in 0..12u32 {
        let village = if i % 2 == 0 { t.village_a } else { t.village_b };
        let (s, v) = app
            .post(
                &staff,
                "/api/v1/volunteers",
                json!({"name": format!("队员{i}"), "id_number": id_number("19750101", 300 + i),
                                                     "phone": phone(300 + i), "region_id": village}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let id = v["id"].as_i64().expect("id");
        let team = if i < 2 {
            t.squad
        } else if i % 2 == 0 {
            t.team_a
        } else {
            t.team_b
        };
        let (s, _) = app.post(&staff, &format!("/api/v1/teams/{team}/members"), json!({"volunteer_id": id})).await;
        assert!(s.is_success(), "member");
        people.push(id);
    }
    let (s, _) = app.patch(&staff, &format!("/api/v1/volunteers/{}", people[11]), json!({"status": "inactive"})).await;
    assert_eq!(s, StatusCode::OK);
    // a volunteer of another town, serving there: never in this town's figures
    let (_, stranger) = app
        .post(
            &admin,
            "/api/v1/volunteers",
            json!({"name": "外镇队员", "id_number": id_number("19760101", 399),
                                                 "phone": phone(399), "region_id": t.other_village}),
        )
        .await;
    let (s, far) = app
        .post(&admin, "/api/v1/activities", json!({"title": "外镇巡逻", "category": "safety_patrol", "region_id": t.other_village,
              "starts_at": at(d("2026-03-03"), 9, 0).to_rfc3339(), "ends_at": at(d("2026-03-03"), 12, 0).to_rfc3339(), "capacity": 5}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{far}");
    let (s, r) = app
        .post(
            &admin,
            &format!("/api/v1/activities/{}/attendance", far["id"]),
            json!({"volunteer_id": stranger["id"], "check_in": at(d("2026-03-03"), 9, 0).to_rfc3339(),
                     "check_out": at(d("2026-03-03"), 12, 0).to_rfc3339()}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");

    // activities through the half year, in both villages and at the town; one
    // starts at 23:00 on the last day of March, which is still March locally
    let mut first_record = None;
    for k in 0..10 {
        let day = d("2026-01-05") + Duration::days(17 * k + dice.roll(9) as i64);
        let (day, hour) = if k == 4 { (d("2026-03-31"), 23) } else { (day, 8 + dice.roll(6) as u32) };
        let cat = CATS[dice.roll(CATS.len() as u64) as usize];
        let (region, team) = match k % 3 {
            0 => (t.village_a, Some(t.team_a)),
            1 => (t.village_b, Some(t.team_b)),
            _ => (t.town, Some(t.squad)),
        };
        let starts = at(day, hour, 0);
        let ends = starts + Duration::hours(4);
        let (s, a) = app
            .post(
                &staff,
                "/api/v1/activities",
                json!({"title": format!("活动{k}"), "category": cat, "region_id": region, "team_id": team,
                  "starts_at": starts.to_rfc3339(), "ends_at": ends.to_rfc3339(), "capacity": 20}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        let aid = a["id"].as_i64().expect("id");
        let mut seen = BTreeSet::new();
        for _ in 0..(1 + dice.roll(4)) {
            let who = people[dice.roll(11) as usize];
            if !seen.insert(who) {
                continue;
            }
            let minutes = 30 + 15 * dice.roll(12) as i64;
            let (s, r) = app
                .post(
                    &staff,
                    &format!("/api/v1/activities/{aid}/attendance"),
                    json!({"volunteer_id": who, "check_in": starts.to_rfc3339(),
                             "check_out": (starts + Duration::minutes(minutes)).to_rfc3339()}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{r}");
            model.records.push((day, cat.to_string(), who, minutes));
            first_record.get_or_insert(who);
        }
        let (b, a_, h, p) = (dice.roll(30) as i64, dice.roll(100) as i64, dice.roll(3) as i64, dice.roll(9) as i64);
        let (s, o) = app
            .call(
                &staff,
                reqwest::Method::PUT,
                &format!("/api/v1/activities/{aid}/outcomes"),
                Some(json!({"beneficiaries": b, "audience": a_, "households_relocated": h, "persons_relocated": p})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{o}");
        model.activities.push((day, cat.to_string(), b, a_, h, p));
    }

    // an activity planned for May, then moved to late February and made a lecture
    let (s, moved) = app
        .post(&staff, "/api/v1/activities", json!({"title": "改期活动", "category": "safety_patrol", "region_id": t.village_b,
              "starts_at": at(d("2026-05-12"), 9, 0).to_rfc3339(), "ends_at": at(d("2026-05-12"), 11, 0).to_rfc3339(), "capacity": 10}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{moved}");
    let (s, e) = app
        .patch(&staff, &format!("/api/v1/activities/{}", moved["id"]),
               json!({"category": "lecture", "starts_at": at(d("2026-02-27"), 9, 0).to_rfc3339(), "ends_at": at(d("2026-02-27"), 11, 0).to_rfc3339()}))
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    model.activities.push((d("2026-02-27"), "lecture".into(), 0, 0, 0, 0));

    // a correction: the original stops counting, the correction counts in its place
    let who = first_record.expect("someone served");
    let (_, recs) = app.get(&staff, &format!("/api/v1/volunteers/{who}/service-records")).await;
    let original = recs.as_array().expect("records").last().expect("a record").clone();
    let started = DateTime::parse_from_rfc3339(original["started_at"].as_str().expect("start")).expect("time");
    let (s, c) = app
        .post(&staff, &format!("/api/v1/service-records/{}/corrections", original["id"]),
              json!({"started_at": started.to_rfc3339(), "ended_at": (started + Duration::minutes(200)).to_rfc3339(), "reason": "签退时间记错"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let local_day = started.with_timezone(&bj()).date_naive();
    let pos = model.records.iter().position(|r| r.2 == who && r.0 == local_day).expect("modelled");
    model.records[pos].3 = 200;

    // a correction to another day: someone's only record of a day moves to June,
    // so that day no longer has them among the people who served
    let alone = model
        .records
        .iter()
        .position(|r| model.records.iter().filter(|o| o.2 == r.2 && o.0 == r.0).count() == 1)
        .expect("someone served alone on a day");
    let (old_day, moved_who) = (model.records[alone].0, model.records[alone].2);
    let (_, recs) = app.get(&staff, &format!("/api/v1/volunteers/{moved_who}/service-records")).await;
    let original = recs
        .as_array()
        .expect("records")
        .iter()
        .find(|r| {
            let start = DateTime::parse_from_rfc3339(r["started_at"].as_str().unwrap_or("")).expect("time");
            start.with_timezone(&bj()).date_naive() == old_day && r["corrected_by"].is_null()
        })
        .expect("the record")
        .clone();
    let new_day = d("2026-06-24");
    let start = at(new_day, 9, 0);
    let (s, c) = app
        .post(&staff, &format!("/api/v1/service-records/{}/corrections", original["id"]),
              json!({"started_at": start.to_rfc3339(), "ended_at": (start + Duration::minutes(90)).to_rfc3339(), "reason": "日期记错"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    model.records[alone].0 = new_day;
    model.records[alone].3 = 90;

    // needs: filed, some completed (a month later, rated or not), one rejected, one cancelled
    for k in 0..8 {
        let filed = d("2026-01-10") + Duration::days(20 * k + dice.roll(5) as i64);
        let cat = CATS[dice.roll(4) as usize];
        let region = if k % 2 == 0 { t.village_a } else { t.village_b };
        let (s, n) = app
            .post(
                &staff,
                "/api/v1/needs",
                json!({"title": format!("需求{k}"), "category": cat, "region_id": region,
                  "volunteers_needed": 1, "requester_name": "群众", "requester_phone": "13700000001",
                  "filed_at": at(filed, 10, 0).to_rfc3339()}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{n}");
        let nid = n["id"].as_i64().expect("id");
        match k {
            5 => {
                let (s, _) =
                    app.post(&staff, &format!("/api/v1/needs/{nid}/reject"), json!({"reason": "不属于服务范围"})).await;
                assert_eq!(s, StatusCode::OK);
                model.needs.push((filed, None, cat.into(), None, 0, 0, 0));
            }
            6 => {
                let (s, _) =
                    app.post(&staff, &format!("/api/v1/needs/{nid}/cancel"), json!({"reason": "群众已自行解决"})).await;
                assert_eq!(s, StatusCode::OK);
                model.needs.push((filed, None, cat.into(), None, 0, 0, 0));
            }
            _ => {
                let who = people[dice.roll(11) as usize];
                let (s, e) = app
                    .post(
                        &staff,
                        &format!("/api/v1/needs/{nid}/dispatch"),
                        json!({"volunteer_ids": [who], "insurance": true}),
                    )
                    .await;
                assert_eq!(s, StatusCode::OK, "{e}");
                let (s, e) =
                    app.post(&staff, &format!("/api/v1/needs/{nid}/accept"), json!({"volunteer_id": who})).await;
                assert_eq!(s, StatusCode::OK, "{e}");
                let served = filed + Duration::days(3 + dice.roll(25) as i64);
                let minutes = 60 + 30 * dice.roll(4) as i64;
                let (b, h, p) = (1 + dice.roll(5) as i64, dice.roll(2) as i64, dice.roll(4) as i64);
                let start = at(served, 14, 0);
                let (s, e) = app
                    .post(
                        &staff,
                        &format!("/api/v1/needs/{nid}/complete"),
                        json!({"completed_at": (start + Duration::minutes(minutes + 30)).to_rfc3339(),
                                 "service": [{"volunteer_id": who, "started_at": start.to_rfc3339(),
                                              "ended_at": (start + Duration::minutes(minutes)).to_rfc3339()}],
                                 "outcomes": {"beneficiaries": b, "households_relocated": h, "persons_relocated": p}}),
                    )
                    .await;
                assert_eq!(s, StatusCode::OK, "{e}");
                model.records.push((served, cat.into(), who, minutes));
                let rating = (k % 3 != 0).then(|| 3 + dice.roll(3) as i64);
                if let Some(stars) = rating {
                    let (s, e) =
                        app.post(&staff, &format!("/api/v1/needs/{nid}/rating"), json!({"stars": stars})).await;
                    assert_eq!(s, StatusCode::OK, "{e}");
                }
                model.needs.push((filed, Some(served), cat.into(), rating, b, h, p));
            }
        }
    }

    // care: four recipients, visits spread over the half year; one in another town
    for k in 0..4 {
        let region = if k % 2 == 0 { t.village_a } else { t.village_b };
        let (s, r) = app
            .post(
                &staff,
                "/api/v1/care-recipients",
                json!({"name": format!("关爱对象{k}"), "category": "martyr_family", "region_id": region}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let rid = r["id"].as_i64().expect("id");
        let mut days = Vec::new();
        for _ in 0..k {
            let day = d("2026-01-15") + Duration::days(dice.roll(170) as i64);
            let (s, e) = app
                .post(
                    &staff,
                    &format!("/api/v1/care-recipients/{rid}/visits"),
                    json!({"visited_on": day.to_string(), "volunteer_ids": [people[0]], "notes": "慰问"}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{e}");
            days.push(day);
        }
        model.visits.insert(rid, days);
    }
    let (s, _) = app
        .post(
            &admin,
            "/api/v1/care-recipients",
            json!({"name": "外镇烈属", "category": "martyr_family", "region_id": t.other_village}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);

    // mentoring: pairs started through the half year, two with outcomes
    for (k, (start, outcome, on)) in [
        ("2026-01-20", "employed", Some("2026-03-10")),
        ("2026-02-01", "business_started", Some("2026-05-20")),
        ("2026-04-01", "none", None),
    ]
    .into_iter()
    .enumerate()
    {
        let (s, m) = app
            .post(
                &staff,
                "/api/v1/mentorships",
                json!({"mentor_id": people[k], "mentee_id": people[k + 5], "goal": "employment", "started_on": start}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{m}");
        if let Some(on) = on {
            let (s, e) = app
                .patch(
                    &staff,
                    &format!("/api/v1/mentorships/{}", m["id"]),
                    json!({"outcome": outcome, "outcome_on": on}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{e}");
        }
        model.mentorships.push((d(start), outcome.into(), on.map(d)));
    }

    // the figures, for several periods, from the town and (for the whole half year) the county;
    // the two days of the moved record each alone, and a stretch of loose days holding both
    let (old_day, new_day) = (old_day.to_string(), new_day.to_string());
    for (from, to) in [
        (old_day.as_str(), old_day.as_str()),
        (new_day.as_str(), new_day.as_str()),
        ("2026-01-03", "2026-06-28"),
        ("2026-01-01", "2026-06-30"),
        ("2026-03-01", "2026-03-31"),
        ("2026-02-10", "2026-05-20"),
        ("2026-04-01", "2026-04-01"),
        // whole years, whole months and loose days are read from different tallies
        ("2026-01-01", "2026-12-31"),
        ("2025-12-20", "2027-01-05"),
    ] {
        let (s, got) =
            app.get(&staff, &format!("/api/v1/reports/summary?region_id={}&from={from}&to={to}", t.town)).await;
        assert_eq!(s, StatusCode::OK, "{got}");
        let want = model.expected(d(from), d(to));
        for section in ["activities", "needs", "service", "outcomes", "care", "mentoring"] {
            assert_same(section, &got[section], &want[section], &format!("{from}..{to}"));
        }
        assert_eq!(got["volunteers"]["active"], 11, "one of twelve left");
        assert_eq!(got["teams"]["town_squad"], json!({"count": 1, "members": 2}));
        assert_eq!(got["teams"]["village_team"], json!({"count": 2, "members": 9}), "the one who left is not counted");
        assert_eq!(got["teams"]["lecture"], json!({"count": 0, "members": 0}));
        // the breakdown by village adds up to the town's figures (the town's own activities aside)
        let months: i64 =
            got["by_month"].as_array().expect("months").iter().map(|m| m["person_times"].as_i64().unwrap_or(0)).sum();
        assert_eq!(months, got["service"]["person_times"].as_i64().expect("n"), "months add up");
    }
    let (_, county) =
        app.get(&admin, &format!("/api/v1/reports/summary?region_id={}&from=2026-01-01&to=2026-06-30", t.county)).await;
    let (_, town) =
        app.get(&staff, &format!("/api/v1/reports/summary?region_id={}&from=2026-01-01&to=2026-06-30", t.town)).await;
    assert_eq!(
        county["service"]["person_times"],
        town["service"]["person_times"].as_i64().expect("n") + 1,
        "the county adds the other town's patrol"
    );
    assert_eq!(county["care"]["recipients"], town["care"]["recipients"].as_i64().expect("n") + 1);
    let towns: Vec<&str> =
        county["by_region"].as_array().expect("towns").iter().map(|l| l["label"].as_str().unwrap_or("")).collect();
    assert_eq!(towns, ["回车镇", "丁河镇"]);
    assert_eq!(county["by_region"][0]["person_times"], town["service"]["person_times"]);

    // the same report as a workbook, and the rules for asking
    let r = app
        .client
        .get(app.url(&format!(
            "/api/v1/reports/summary?region_id={}&from=2026-01-01&to=2026-06-30&format=xlsx&person_in_charge=张站长",
            t.town
        )))
        .bearer_auth(&staff)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap_or("").contains("spreadsheetml"));
    let bytes = r.bytes().await.expect("bytes");
    assert_eq!(&bytes[..2], b"PK", "an xlsx is a zip");
    let (s, e) = app.get(&staff, &format!("/api/v1/reports/summary?region_id={}&from=2026-02-01", t.town)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["fields"]["to"].as_str().is_some_and(|m| m.contains("必填") && m.contains("required")), "{e}");
    let (s, _) =
        app.get(&staff, &format!("/api/v1/reports/summary?region_id={}&from=2026-02-01&to=2026-01-01", t.town)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let other = app.token("other_staff").await;
    let (s, _) =
        app.get(&other, &format!("/api/v1/reports/summary?region_id={}&from=2026-01-01&to=2026-06-30", t.town)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "another town's staff");
    let grid = app.token("grid_a").await;
    let (s, _) =
        app.get(&grid, &format!("/api/v1/reports/summary?region_id={}&from=2026-01-01&to=2026-06-30", t.grid_a)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "grid workers do not read reports");
});

both!(the_dashboard_draws_the_report_as_charts_on_the_server, |app: TestApp| async move {
    let staff = app.token("staff").await;
    let a = app
        .activity(&staff, "防汛演练", "2026-07-02T08:00:00+08:00", "2026-07-02T12:00:00+08:00", 5, "flood_relief")
        .await;
    let v = app.volunteer(&staff, "演练队员", app.town.village_a, 77, &["swimming"]).await;
    let (s, r) = app
        .post(&staff, &format!("/api/v1/activities/{}/attendance", a["id"]),
              json!({"volunteer_id": v["id"], "check_in": "2026-07-02T08:00:00+08:00", "check_out": "2026-07-02T11:30:00+08:00"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    crate::pages::sign_in(&app, "staff").await;
    let url = format!("/reports?region_id={}&from=2026-06-01&to=2026-08-31&person_in_charge=张站长", app.town.town);
    let r = app.client.get(app.url(&url)).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("html");
    assert!(html.len() < 100_000, "light enough for a rural phone: {} bytes", html.len());
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 3, "by month, by category, by village");
    assert_eq!(html.matches("<svg class=\"gauge\"").count(), 2, "care and team coverage");
    assert!(html.contains(">3.5<"), "the village's 3.5 hours are drawn");
    assert!(html.contains("防汛救灾") && html.contains("回车村"), "categories and villages by name");
    assert!(
        html.contains("formaction=\"/api/v1/reports/summary\"") && html.contains("value=\"张站长\""),
        "the workbook is the form's own answer, with what the form says now (period and signature)"
    );
    assert!(html.contains("id=\"preset-last-year\""), "period presets");
    let book = app
        .client
        .get(app.url(&format!(
            "/api/v1/reports/summary?region_id={}&from=2026-07-01&to=2026-07-31&person_in_charge=张站长&format=xlsx",
            app.town.town
        )))
        .send()
        .await
        .expect("send");
    assert_eq!(book.status(), StatusCode::OK, "what the form's download button sends is answered with the workbook");
    let r = app.client.get(app.url(&url)).header("accept-language", "en").send().await.expect("send");
    assert!(r.text().await.expect("html").contains("Person-times by month"));
    // a volunteer has no dashboard of the town
    let (_, mine) = app.post(&staff, "/api/v1/volunteers", json!({"name": "普通队员", "id_number": crate::common::id_number("19800101", 78), "phone": crate::common::phone(78), "region_id": app.town.village_a})).await;
    app.account_for(
        "vol78",
        laobing::domain::account::Role::Volunteer,
        app.town.village_a,
        mine["id"].as_i64().expect("id"),
    )
    .await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let other = TestApp { client, ..app };
    crate::pages::sign_in(&other, "vol78").await;
    let r = other.client.get(other.url(&url)).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
});
