//! The summary report's figures for a region's subtree and a period (see
//! `domain::report` for the shape and the contract for what falls in the period).
//!
//! Service and activities are read from running tallies kept with the rows
//! (migrations 0015 and 0016): whole years and months from the month and year
//! tallies, the loose days at either end from the day tallies or the rows
//! themselves. Needs, care and mentoring are small and read directly. Each
//! source is grouped by region, category and month once and the breakdowns are
//! put together here; people who served are counted once in a pass of their own.

use super::regions::{self, Region};
use super::{Pool, Result, StoreError};
use crate::domain::report::{
    coverage, day_bounds, hours, ActivityFigures, CareFigures, Line, MentoringFigures, Month, NeedFigures,
    OutcomeFigures, Period, Piece, ServiceFigures, Summary, TeamFigures, VolunteerFigures,
};
use crate::domain::service::local_date;
use crate::domain::team::TeamKind;
use crate::on_db;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};

/// Who signs the form: 填表人 and 负责人.
pub struct Signatures {
    pub prepared_by: String,
    pub person_in_charge: String,
}

/// `CASE WHEN col < $k THEN 0 WHEN col < $k+1 THEN 1 … END`: the month a row
/// falls in, with the month ends bound from `$first` on. The same text serves
/// SQLite's text timestamps and PostgreSQL's timestamptz.
fn month_case(col: &str, first: usize, months: &[Month]) -> String {
    if months.len() <= 1 {
        return "CAST(0 AS BIGINT)".into();
    }
    let mut s = String::from("CAST(CASE");
    for (i, _) in months.iter().enumerate().take(months.len().saturating_sub(1)) {
        s.push_str(&format!(" WHEN {col} < ${} THEN {i}", first + i));
    }
    s.push_str(&format!(" ELSE {} END AS BIGINT)", months.len().saturating_sub(1)));
    s
}

/// Binds the month ends that `month_case` refers to.
macro_rules! bind_months {
    ($q:expr, $months:expr) => {{
        let mut q = $q;
        for m in $months.iter().take($months.len().saturating_sub(1)) {
            q = q.bind(m.ends);
        }
        q
    }};
}

/// Where a region of the subtree goes in the breakdown: the index of the part
/// (child region) it lies in, or none for the report's own region.
struct Parts {
    parts: Vec<Region>,
    of: HashMap<i64, usize>,
}

impl Parts {
    fn new(root: &Region, subtree: &[Region]) -> Parts {
        let parts: Vec<Region> = subtree.iter().filter(|r| r.parent_id == Some(root.id)).cloned().collect();
        let mut of = HashMap::new();
        for r in subtree {
            if let Some(i) = parts.iter().position(|p| r.path.starts_with(&p.path)) {
                of.insert(r.id, i);
            }
        }
        Parts { parts, of }
    }

    fn index(&self, region_id: i64) -> Option<usize> {
        self.of.get(&region_id).copied()
    }
}

/// Where to read who served in a period: the yearly and monthly tallies for
/// whole years and months, the records for loose days.
struct Served {
    years: Vec<i32>,
    months: Vec<String>,
    days: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// the loose days as local dates, for the day tallies
    loose: Vec<(NaiveDate, NaiveDate)>,
}

impl Served {
    fn new(period: &Period) -> Served {
        let mut s = Served { years: vec![], months: vec![], days: vec![], loose: vec![] };
        for piece in period.pieces() {
            match piece {
                Piece::Year(y) => s.years.push(y),
                Piece::Month(m) => s.months.push(m),
                Piece::Days(a, b) => {
                    s.days.push(day_bounds(a, b));
                    s.loose.push((a, b));
                }
            }
        }
        s
    }

    /// Every whole month of the period, those of whole years included, as a
    /// quoted SQL list (made here from dates, never from input); None if none.
    fn whole_months(&self) -> Option<String> {
        let mut keys: Vec<String> =
            self.years.iter().flat_map(|y| (1..=12).map(move |m| format!("'{y:04}-{m:02}'"))).collect();
        keys.extend(self.months.iter().map(|m| format!("'{m}'")));
        (!keys.is_empty()).then(|| keys.join(", "))
    }

    /// `volunteer_id, region_id` rows of everyone who served, one branch per
    /// source; the loose days bind their bounds from `$first` on. Years and
    /// months are written in (they are made here from dates, never from input).
    fn union(&self, first: usize) -> String {
        let mut branches = Vec::new();
        if !self.years.is_empty() {
            let years: Vec<String> = self.years.iter().map(|y| y.to_string()).collect();
            branches.push(format!(
                "SELECT volunteer_id, region_id FROM service_people_years WHERE year IN ({}) AND records > 0",
                years.join(", ")
            ));
        }
        if !self.months.is_empty() {
            let months: Vec<String> = self.months.iter().map(|m| format!("'{m}'")).collect();
            branches.push(format!(
                "SELECT volunteer_id, region_id FROM service_people_months WHERE month IN ({}) AND records > 0",
                months.join(", ")
            ));
        }
        for i in 0..self.days.len() {
            branches.push(format!(
                "SELECT volunteer_id, region_id FROM service_records
                  WHERE corrected_by IS NULL AND started_at >= ${} AND started_at < ${}",
                first + 2 * i,
                first + 2 * i + 1
            ));
        }
        branches.join(" UNION ALL ")
    }
}

pub async fn summary(pool: &Pool, root: &Region, period: Period, sign: Signatures) -> Result<Summary> {
    let within = format!("{}%", root.path);
    let (from, to) = period.bounds();
    let months = period.months();
    let subtree = regions::list(pool, Some(&root.path), None).await?;
    let parts = Parts::new(root, &subtree);
    let mut by_region: Vec<Line> =
        parts.parts.iter().map(|r| Line { label: r.name.clone(), id: Some(r.id), ..Line::default() }).collect();
    let mut by_month: Vec<Line> = months.iter().map(|m| Line { label: m.key.clone(), ..Line::default() }).collect();

    // teams and members, as they stand today
    let team_counts: Vec<(String, i64)> = on_db!(pool, |p| {
        sqlx::query_as(
        "SELECT t.kind, COUNT(*) FROM teams t JOIN regions r ON r.id = t.region_id WHERE r.path LIKE $1 GROUP BY t.kind"
    )
    .bind(&within)
    .fetch_all(p)
    .await?
    });
    let team_members: Vec<(String, i64)> = on_db!(pool, |p| sqlx::query_as(
        "SELECT t.kind, COUNT(DISTINCT m.volunteer_id) FROM teams t JOIN regions r ON r.id = t.region_id
           JOIN team_members m ON m.team_id = t.id JOIN volunteers v ON v.id = m.volunteer_id
          WHERE r.path LIKE $1 AND v.status = 'active' GROUP BY t.kind"
    )
    .bind(&within)
    .fetch_all(p)
    .await?);
    let mut teams: BTreeMap<String, TeamFigures> =
        TeamKind::ALL.iter().map(|k| (k.as_str().to_string(), TeamFigures::default())).collect();
    for (kind, n) in team_counts {
        teams.entry(kind).or_default().count = n;
    }
    for (kind, n) in team_members {
        teams.entry(kind).or_default().members = n;
    }

    let active: Vec<(i64, i64)> = on_db!(pool, |p| sqlx::query_as(
        "SELECT v.region_id, COUNT(*) FROM volunteers v JOIN regions r ON r.id = v.region_id
          WHERE r.path LIKE $1 AND v.status = 'active' GROUP BY v.region_id"
    )
    .bind(&within)
    .fetch_all(p)
    .await?);
    let volunteers = VolunteerFigures { active: active.iter().map(|r| r.1).sum() };
    for l in &mut by_region {
        l.members = Some(0);
    }
    for (region_id, n) in &active {
        if let Some(i) = parts.index(*region_id) {
            *by_region[i].members.get_or_insert(0) += n;
        }
    }

    // activities whose start falls in the period; a cancelled one did not happen
    let sql = format!(
        "SELECT a.region_id, a.category, a.team_id, {}, COUNT(*), CAST(SUM(a.beneficiaries) AS BIGINT),
                CAST(SUM(a.audience) AS BIGINT), CAST(SUM(a.households_relocated) AS BIGINT), CAST(SUM(a.persons_relocated) AS BIGINT)
           FROM activities a JOIN regions r ON r.id = a.region_id
          WHERE r.path LIKE $1 AND a.starts_at >= $2 AND a.starts_at < $3 AND a.status <> 'cancelled'
          GROUP BY 1, 2, 3, 4",
        month_case("a.starts_at", 4, &months)
    );
    type ActRow = (i64, String, Option<i64>, i64, i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>);
    let act_sql = sql;
    let served = Served::new(&period);
    let month_index = |key: &str| months.iter().position(|m| m.key == key).map(|i| i as i64);
    // whole months from the month tallies, loose days from the activities themselves
    let act_fetch = async {
        let mut rows: Vec<ActRow> = Vec::new();
        if let Some(whole) = served.whole_months() {
            let sql = format!(
                "SELECT t.region_id, t.category, t.team_id, t.month, t.activities, t.beneficiaries, t.audience,
                        t.households_relocated, t.persons_relocated
                   FROM activity_tallies_months t
                  WHERE t.month IN ({whole}) AND t.activities <> 0 AND t.region_id IN (SELECT id FROM regions WHERE path LIKE $1)"
            );
            type Tally = (i64, String, i64, String, i64, i64, i64, i64, i64);
            let got: Vec<Tally> = on_db!(pool, |p| sqlx::query_as(&sql).bind(&within).fetch_all(p).await?);
            for (region, category, team, month, n, ben, aud, hh, pp) in got {
                if let Some(i) = month_index(&month) {
                    rows.push((
                        region,
                        category,
                        (team != 0).then_some(team),
                        i,
                        n,
                        Some(ben),
                        Some(aud),
                        Some(hh),
                        Some(pp),
                    ));
                }
            }
        }
        for (a, b) in &served.loose {
            let (from, to) = day_bounds(*a, *b);
            let got: Vec<ActRow> = on_db!(pool, |p| {
                let q = sqlx::query_as(&act_sql).bind(&within).bind(from).bind(to);
                bind_months!(q, months).fetch_all(p).await?
            });
            rows.extend(got);
        }
        Ok::<_, StoreError>(rows)
    };
    // the four heaviest reads go out at once, each on a connection of its own
    let (act_rows, service_rows, volunteers_served, per_part) = tokio::try_join!(
        act_fetch,
        service_tally_rows(pool, &within, &served, &months),
        people_served(pool, &within, &served),
        people_served_by_part(pool, &parts, &served)
    )?;
    let mut activities = ActivityFigures::default();
    let mut outcomes = OutcomeFigures::default();
    let mut team_activities: HashMap<i64, i64> = HashMap::new();
    for (region_id, category, team_id, month, n, ben, aud, hh, pp) in act_rows {
        activities.total += n;
        *activities.by_category.entry(category).or_default() += n;
        outcomes.beneficiaries += ben.unwrap_or(0);
        outcomes.audience += aud.unwrap_or(0);
        outcomes.households_relocated += hh.unwrap_or(0);
        outcomes.persons_relocated += pp.unwrap_or(0);
        if let Some(t) = team_id {
            *team_activities.entry(t).or_default() += n;
        }
        if let Some(l) = by_month.get_mut(month as usize) {
            l.activities += n;
            l.beneficiaries += ben.unwrap_or(0);
        }
        if let Some(i) = parts.index(region_id) {
            by_region[i].activities += n;
            by_region[i].beneficiaries += ben.unwrap_or(0);
        }
    }

    // needs filed, and needs completed, in the period
    let sql = format!(
        "SELECT n.region_id, {}, COUNT(*) FROM needs n JOIN regions r ON r.id = n.region_id
          WHERE r.path LIKE $1 AND n.filed_at >= $2 AND n.filed_at < $3 GROUP BY 1, 2",
        month_case("n.filed_at", 4, &months)
    );
    let filed_rows: Vec<(i64, i64, i64)> = on_db!(pool, |p| {
        let q = sqlx::query_as(&sql).bind(&within).bind(from).bind(to);
        bind_months!(q, months).fetch_all(p).await?
    });
    let mut needs = NeedFigures::default();
    for (region_id, month, n) in filed_rows {
        needs.filed += n;
        if let Some(l) = by_month.get_mut(month as usize) {
            l.needs_filed += n;
        }
        if let Some(i) = parts.index(region_id) {
            by_region[i].needs_filed += n;
        }
    }
    let sql = format!(
        "SELECT n.region_id, n.category, {}, COUNT(*), CAST(SUM(n.rating) AS BIGINT), COUNT(n.rating),
                CAST(SUM(n.beneficiaries) AS BIGINT), CAST(SUM(n.households_relocated) AS BIGINT), CAST(SUM(n.persons_relocated) AS BIGINT)
           FROM needs n JOIN regions r ON r.id = n.region_id
          WHERE r.path LIKE $1 AND n.completed_at >= $2 AND n.completed_at < $3 AND n.status IN ('completed', 'rated')
          GROUP BY 1, 2, 3",
        month_case("n.completed_at", 4, &months)
    );
    type DoneRow = (i64, String, i64, i64, Option<i64>, i64, Option<i64>, Option<i64>, Option<i64>);
    let done_rows: Vec<DoneRow> = on_db!(pool, |p| {
        let q = sqlx::query_as(&sql).bind(&within).bind(from).bind(to);
        bind_months!(q, months).fetch_all(p).await?
    });
    let (mut stars, mut rated) = (0i64, 0i64);
    for (region_id, category, month, n, star_sum, rated_n, ben, hh, pp) in done_rows {
        needs.completed += n;
        *needs.completed_by_category.entry(category).or_default() += n;
        stars += star_sum.unwrap_or(0);
        rated += rated_n;
        outcomes.beneficiaries += ben.unwrap_or(0);
        outcomes.households_relocated += hh.unwrap_or(0);
        outcomes.persons_relocated += pp.unwrap_or(0);
        if let Some(l) = by_month.get_mut(month as usize) {
            l.needs_completed += n;
            l.beneficiaries += ben.unwrap_or(0);
        }
        if let Some(i) = parts.index(region_id) {
            by_region[i].needs_completed += n;
            by_region[i].beneficiaries += ben.unwrap_or(0);
        }
    }
    needs.average_rating = (rated > 0).then(|| stars as f64 / rated as f64);

    // service records that count (a corrected record counts through its
    // correction), summed from the running tallies per region, day and category
    let mut service = ServiceFigures::default();
    let mut minutes = 0i64;
    let mut part_minutes = vec![0i64; by_region.len()];
    let mut month_minutes = vec![0i64; by_month.len()];
    for (region_id, category, month, n, mins) in service_rows {
        let (n, mins) = (n.unwrap_or(0), mins.unwrap_or(0));
        service.person_times += n;
        minutes += mins;
        *service.person_times_by_category.entry(category).or_default() += n;
        if let Some(l) = by_month.get_mut(month as usize) {
            l.person_times += n;
            month_minutes[month as usize] += mins;
        }
        if let Some(i) = parts.index(region_id) {
            by_region[i].person_times += n;
            part_minutes[i] += mins;
        }
    }
    service.hours = hours(minutes);
    for (l, m) in by_month.iter_mut().zip(month_minutes) {
        l.hours = hours(m);
    }
    for (l, m) in by_region.iter_mut().zip(part_minutes) {
        l.hours = hours(m);
    }
    service.volunteers = volunteers_served;
    if !by_region.is_empty() {
        for l in &mut by_region {
            l.volunteers = Some(0);
        }
        for (i, n) in per_part {
            if let Some(l) = by_region.get_mut(i as usize) {
                l.volunteers = Some(n);
            }
        }
    }

    // care: everyone on the registry today, and who had a visit in the period
    let care_rows: Vec<(i64, i64, i64)> = on_db!(pool, |p| {
        sqlx::query_as(
        "SELECT c.region_id, COUNT(*),
                CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM care_visits v WHERE v.recipient_id = c.id
                                             AND v.visited_on >= $2 AND v.visited_on <= $3) THEN 1 ELSE 0 END) AS BIGINT)
           FROM care_recipients c JOIN regions r ON r.id = c.region_id WHERE r.path LIKE $1 GROUP BY c.region_id"
    )
    .bind(&within)
    .bind(period.from)
    .bind(period.to)
    .fetch_all(p)
    .await?
    });
    let mut care = CareFigures::default();
    for (_, recipients, visited) in care_rows {
        care.recipients += recipients;
        care.visited += visited;
    }
    care.coverage = coverage(care.visited, care.recipients);

    let (m_active, m_employed, m_business): (Option<i64>, Option<i64>, Option<i64>) = on_db!(pool, |p| {
        sqlx::query_as(
        "SELECT CAST(SUM(CASE WHEN m.started_on <= $3 AND (m.outcome = 'none' OR m.outcome_on IS NULL OR m.outcome_on > $3)
                              THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN m.outcome = 'employed' AND m.outcome_on >= $2 AND m.outcome_on <= $3 THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN m.outcome = 'business_started' AND m.outcome_on >= $2 AND m.outcome_on <= $3 THEN 1 ELSE 0 END) AS BIGINT)
           FROM mentorships m JOIN regions r ON r.id = m.region_id WHERE r.path LIKE $1"
    )
    .bind(&within)
    .bind(period.from)
    .bind(period.to)
    .fetch_one(p)
    .await?
    });
    let mentoring = MentoringFigures {
        active: m_active.unwrap_or(0),
        employed: m_employed.unwrap_or(0),
        business_started: m_business.unwrap_or(0),
    };

    // a county reads its towns; a town or village also reads its teams
    let by_team =
        if root.kind == "county" { Vec::new() } else { team_lines(pool, &within, &period, team_activities).await? };

    Ok(Summary {
        region_id: root.id,
        region_name: root.name.clone(),
        from: period.from,
        to: period.to,
        teams,
        volunteers,
        activities,
        needs,
        service,
        outcomes,
        care,
        mentoring,
        by_month,
        by_region,
        by_team,
        prepared_by: sign.prepared_by,
        person_in_charge: sign.person_in_charge,
        generated_at: Utc::now(),
    })
}

/// (region, category, month line, person-times, minutes)
type ServiceRow = (i64, String, i64, Option<i64>, Option<i64>);

/// Person-times and minutes per region, category and month: whole months from
/// the month tallies, loose days from the day tallies.
async fn service_tally_rows(pool: &Pool, within: &str, served: &Served, months: &[Month]) -> Result<Vec<ServiceRow>> {
    let mut rows = Vec::new();
    if let Some(whole) = served.whole_months() {
        let sql = format!(
            "SELECT t.region_id, t.category, t.month, t.person_times, t.minutes FROM service_tallies_months t
              WHERE t.month IN ({whole}) AND t.person_times <> 0 AND t.region_id IN (SELECT id FROM regions WHERE path LIKE $1)"
        );
        let got: Vec<(i64, String, String, i64, i64)> =
            on_db!(pool, |p| sqlx::query_as(&sql).bind(within).fetch_all(p).await?);
        for (region, category, month, n, minutes) in got {
            if let Some(i) = months.iter().position(|m| m.key == month) {
                rows.push((region, category, i as i64, Some(n), Some(minutes)));
            }
        }
    }
    let sql = format!(
        "SELECT t.region_id, t.category, {}, CAST(SUM(t.person_times) AS BIGINT), CAST(SUM(t.minutes) AS BIGINT)
           FROM service_tallies t
          WHERE t.day >= $2 AND t.day <= $3 AND t.region_id IN (SELECT id FROM regions WHERE path LIKE $1)
          GROUP BY 1, 2, 3 HAVING SUM(t.person_times) <> 0",
        month_case("t.day", 4, months)
    );
    for (a, b) in &served.loose {
        let got: Vec<ServiceRow> = on_db!(pool, |p| {
            let mut q = sqlx::query_as(&sql).bind(within).bind(*a).bind(*b);
            for m in months.iter().take(months.len().saturating_sub(1)) {
                q = q.bind(local_date(m.ends));
            }
            q.fetch_all(p).await?
        });
        rows.extend(got);
    }
    Ok(rows)
}

/// People who served in the subtree, counted once: whole years and months
/// from the tallies of who served where, loose days from the records.
async fn people_served(pool: &Pool, within: &str, served: &Served) -> Result<i64> {
    let sql = format!(
        "SELECT COUNT(DISTINCT x.volunteer_id) FROM ({}) x WHERE x.region_id IN (SELECT id FROM regions WHERE path LIKE $1)",
        served.union(2)
    );
    Ok(on_db!(pool, |p| {
        let mut q = sqlx::query_scalar(&sql).bind(within);
        for (a, b) in &served.days {
            q = q.bind(*a).bind(*b);
        }
        q.fetch_one(p).await?
    }))
}

/// The same, once per part of the region: (line, people).
async fn people_served_by_part(pool: &Pool, parts: &Parts, served: &Served) -> Result<Vec<(i64, i64)>> {
    if parts.parts.is_empty() {
        return Ok(Vec::new());
    }
    // the parts' region ids are mapped to their line in a VALUES list
    // (ids come from the database, never from input)
    let map: Vec<String> = parts.of.iter().map(|(region, i)| format!("({region}, {i})")).collect();
    let sql = format!(
        "SELECT CAST(m.column2 AS BIGINT), COUNT(DISTINCT x.volunteer_id)
           FROM ({}) x JOIN (VALUES {}) AS m ON m.column1 = x.region_id GROUP BY m.column2",
        served.union(1),
        map.join(", ")
    );
    Ok(on_db!(pool, |p| {
        let mut q = sqlx::query_as(&sql);
        for (a, b) in &served.days {
            q = q.bind(*a).bind(*b);
        }
        q.fetch_all(p).await?
    }))
}

/// Each team of the subtree: its active members, its activities in the period
/// and the service given at them.
async fn team_lines(pool: &Pool, within: &str, period: &Period, activities: HashMap<i64, i64>) -> Result<Vec<Line>> {
    let (from, to) = period.bounds();
    let teams: Vec<(i64, String, i64)> = on_db!(pool, |p| sqlx::query_as(
        "SELECT t.id, t.name,
                (SELECT COUNT(*) FROM team_members m JOIN volunteers v ON v.id = m.volunteer_id
                  WHERE m.team_id = t.id AND v.status = 'active')
           FROM teams t JOIN regions r ON r.id = t.region_id WHERE r.path LIKE $1 ORDER BY r.path, t.id"
    )
    .bind(within)
    .fetch_all(p)
    .await?);
    let served: Vec<(i64, i64, Option<i64>, i64)> = on_db!(pool, |p| sqlx::query_as(
        "SELECT a.team_id, COUNT(*), CAST(SUM(sr.minutes) AS BIGINT), COUNT(DISTINCT sr.volunteer_id)
           FROM service_records sr JOIN activities a ON sr.source = 'activity' AND a.id = sr.source_id
           JOIN regions r ON r.id = a.region_id
          WHERE r.path LIKE $1 AND sr.corrected_by IS NULL AND sr.started_at >= $2 AND sr.started_at < $3
            AND a.team_id IS NOT NULL
          GROUP BY a.team_id"
    )
    .bind(within)
    .bind(from)
    .bind(to)
    .fetch_all(p)
    .await?);
    Ok(teams
        .into_iter()
        .map(|(id, name, members)| {
            let s = served.iter().find(|s| s.0 == id);
            Line {
                label: name,
                id: Some(id),
                members: Some(members),
                activities: activities.get(&id).copied().unwrap_or(0),
                person_times: s.map(|s| s.1).unwrap_or(0),
                volunteers: Some(s.map(|s| s.3).unwrap_or(0)),
                hours: hours(s.and_then(|s| s.2).unwrap_or(0)),
                ..Line::default()
            }
        })
        .collect())
}
