//! The summary report's figures for a region's subtree and a period (see
//! `domain::report` for the shape and the contract for what falls in the period).
//!
//! Service and activities are read from running tallies kept with the rows
//! (migrations 0015–0017): whole years and months from the month tallies, the
//! loose days at either end from the day tallies or the activities
//! themselves, each summed by the database into (line of the breakdown,
//! category, month) through the list of the subtree's regions
//! (`Parts::values`). People who served are counted once in a pass of their
//! own, over the yearly rows of who served with their days as bits. Needs,
//! care and mentoring are small and read directly. The breakdowns are put
//! together here.

use super::regions::{self, Region};
use super::{Pool, Result, StoreError};
use crate::domain::report::{
    coverage, day_bounds, hours, ActivityFigures, CareFigures, Line, MentoringFigures, Month, NeedFigures,
    OutcomeFigures, Period, Piece, ServiceFigures, Summary, TeamFigures, VolunteerFigures, YearDays,
};
use crate::domain::service::local_date;
use crate::domain::team::TeamKind;
use crate::on_db;
use chrono::{NaiveDate, Utc};
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

    /// `(region, part), …` for every region of the subtree, the report's own
    /// region as part -1, for a VALUES list that sums straight into parts (ids
    /// come from the database, never from input). Each read joins it as
    /// `(VALUES …) AS m CROSS JOIN table t WHERE t.region_id = m.column1`:
    /// CROSS JOIN makes SQLite go through the list and look each region's rows
    /// up by key (left to itself it scanned the whole list for every row, 0.9 s
    /// for a county's year); PostgreSQL plans it as any inner join.
    fn values(&self, root: i64) -> String {
        let mut pairs: Vec<String> = self.of.iter().map(|(region, i)| format!("({region}, {i})")).collect();
        pairs.push(format!("({root}, -1)"));
        pairs.join(", ")
    }
}

/// The line of a part read back from SQL (-1, the report's own region, has none).
fn part_line(part: i64) -> Option<usize> {
    usize::try_from(part).ok()
}

/// Where to read the sums of a period: the month tallies for whole months
/// (those of whole years included), the day tallies or the rows themselves
/// for the loose days at either end.
struct Served {
    years: Vec<i32>,
    months: Vec<String>,
    /// the loose days as local dates, for the day tallies
    loose: Vec<(NaiveDate, NaiveDate)>,
}

impl Served {
    fn new(period: &Period) -> Served {
        let mut s = Served { years: vec![], months: vec![], loose: vec![] };
        for piece in period.pieces() {
            match piece {
                Piece::Year(y) => s.years.push(y),
                Piece::Month(m) => s.months.push(m),
                Piece::Days(a, b) => s.loose.push((a, b)),
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
}

/// Who served in a period, from the yearly rows of who served where
/// (migration 0017): a whole year by its row, part of a year by the bits of
/// its days. Gives the condition on `service_people_years` and the day masks
/// it binds from `$first` on; years are written in (made here from dates).
fn people_condition(period: &Period, first: usize) -> (String, Vec<i64>) {
    let mut years = Vec::new();
    let mut branches = Vec::new();
    let mut masks = Vec::new();
    for y in period.year_days() {
        match y {
            YearDays::Whole(year) => {
                years.push(year);
                branches.push(format!("(p.year = {year} AND p.records > 0)"));
            }
            YearDays::Days(year, words) => {
                years.push(year);
                let mut tests = Vec::new();
                for (w, mask) in words.iter().enumerate().filter(|(_, m)| **m != 0) {
                    tests.push(format!("(p.days{w} & ${}) <> 0", first + masks.len()));
                    masks.push(*mask);
                }
                branches.push(format!("(p.year = {year} AND ({}))", tests.join(" OR ")));
            }
        }
    }
    let years: Vec<String> = years.iter().map(|y| y.to_string()).collect();
    (format!("p.year IN ({}) AND ({})", years.join(", "), branches.join(" OR ")), masks)
}

pub async fn summary(pool: &Pool, root: &Region, period: Period, sign: Signatures) -> Result<Summary> {
    let within = root.path.clone();
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
        "SELECT t.kind, COUNT(*) FROM teams t JOIN regions r ON r.id = t.region_id WHERE (r.path >= $1 AND r.path < $1 || '~') GROUP BY t.kind"
    )
    .bind(&within)
    .fetch_all(p)
    .await?
    });
    let team_members: Vec<(String, i64)> = on_db!(pool, |p| sqlx::query_as(
        "SELECT t.kind, COUNT(DISTINCT m.volunteer_id) FROM teams t JOIN regions r ON r.id = t.region_id
           JOIN team_members m ON m.team_id = t.id JOIN volunteers v ON v.id = m.volunteer_id
          WHERE (r.path >= $1 AND r.path < $1 || '~') AND v.status = 'active' GROUP BY t.kind"
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
          WHERE (r.path >= $1 AND r.path < $1 || '~') AND v.status = 'active' GROUP BY v.region_id"
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
    let map = parts.values(root.id);
    let sql = format!(
        "SELECT CAST(m.column2 AS BIGINT), a.category, a.team_id, {}, COUNT(*), CAST(SUM(a.beneficiaries) AS BIGINT),
                CAST(SUM(a.audience) AS BIGINT), CAST(SUM(a.households_relocated) AS BIGINT), CAST(SUM(a.persons_relocated) AS BIGINT)
           FROM (VALUES {map}) AS m CROSS JOIN activities a
          WHERE a.region_id = m.column1 AND a.starts_at >= $1 AND a.starts_at < $2 AND a.status <> 'cancelled'
          GROUP BY 1, 2, 3, 4",
        month_case("a.starts_at", 3, &months)
    );
    type ActRow = (i64, String, Option<i64>, i64, i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>);
    let act_sql = sql;
    let served = Served::new(&period);
    let month_index = |key: &str| months.iter().position(|m| m.key == key).map(|i| i as i64);
    // whole months from the month tallies, loose days from the activities
    // themselves; both summed into (part, category, team, month) by the database
    let act_fetch = async {
        let mut rows: Vec<ActRow> = Vec::new();
        if let Some(whole) = served.whole_months() {
            let sql = format!(
                "SELECT CAST(m.column2 AS BIGINT), t.category, t.team_id, t.month, CAST(SUM(t.activities) AS BIGINT),
                        CAST(SUM(t.beneficiaries) AS BIGINT), CAST(SUM(t.audience) AS BIGINT),
                        CAST(SUM(t.households_relocated) AS BIGINT), CAST(SUM(t.persons_relocated) AS BIGINT)
                   FROM (VALUES {map}) AS m CROSS JOIN activity_tallies_months t
                  WHERE t.region_id = m.column1 AND t.month IN ({whole}) AND t.activities <> 0
                  GROUP BY 1, 2, 3, 4"
            );
            type Tally = (i64, String, i64, String, i64, i64, i64, i64, i64);
            let got: Vec<Tally> = on_db!(pool, |p| sqlx::query_as(&sql).fetch_all(p).await?);
            for (part, category, team, month, n, ben, aud, hh, pp) in got {
                if let Some(i) = month_index(&month) {
                    rows.push((
                        part,
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
                let q = sqlx::query_as(&act_sql).bind(from).bind(to);
                bind_months!(q, months).fetch_all(p).await?
            });
            rows.extend(got);
        }
        Ok::<_, StoreError>(rows)
    };
    // the four heaviest reads go out at once, each on a connection of its own
    let (act_rows, service_rows, volunteers_served, per_part) = tokio::try_join!(
        act_fetch,
        service_tally_rows(pool, &map, &served, &months),
        people_served(pool, &within, &period),
        people_served_by_part(pool, &parts, &period)
    )?;
    let mut activities = ActivityFigures::default();
    let mut outcomes = OutcomeFigures::default();
    let mut team_activities: HashMap<i64, i64> = HashMap::new();
    for (part, category, team_id, month, n, ben, aud, hh, pp) in act_rows {
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
        if let Some(i) = part_line(part) {
            by_region[i].activities += n;
            by_region[i].beneficiaries += ben.unwrap_or(0);
        }
    }

    // needs filed, and needs completed, in the period
    let sql = format!(
        "SELECT n.region_id, {}, COUNT(*) FROM needs n JOIN regions r ON r.id = n.region_id
          WHERE (r.path >= $1 AND r.path < $1 || '~') AND n.filed_at >= $2 AND n.filed_at < $3 GROUP BY 1, 2",
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
          WHERE (r.path >= $1 AND r.path < $1 || '~') AND n.completed_at >= $2 AND n.completed_at < $3 AND n.status IN ('completed', 'rated')
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
    for (part, category, month, n, mins) in service_rows {
        let (n, mins) = (n.unwrap_or(0), mins.unwrap_or(0));
        service.person_times += n;
        minutes += mins;
        *service.person_times_by_category.entry(category).or_default() += n;
        if let Some(l) = by_month.get_mut(month as usize) {
            l.person_times += n;
            month_minutes[month as usize] += mins;
        }
        if let Some(i) = part_line(part) {
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
           FROM care_recipients c JOIN regions r ON r.id = c.region_id WHERE (r.path >= $1 AND r.path < $1 || '~') GROUP BY c.region_id"
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
           FROM mentorships m JOIN regions r ON r.id = m.region_id WHERE (r.path >= $1 AND r.path < $1 || '~')"
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
    let by_team = if root.kind() == crate::domain::region::RegionKind::County {
        Vec::new()
    } else {
        team_lines(pool, &within, &period, team_activities).await?
    };

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

/// (part, category, month line, person-times, minutes)
type ServiceRow = (i64, String, i64, Option<i64>, Option<i64>);

/// Person-times and minutes per part, category and month: whole months from
/// the month tallies, loose days from the day tallies. `map` is `Parts::values`.
async fn service_tally_rows(pool: &Pool, map: &str, served: &Served, months: &[Month]) -> Result<Vec<ServiceRow>> {
    let mut rows = Vec::new();
    if let Some(whole) = served.whole_months() {
        let sql = format!(
            "SELECT CAST(m.column2 AS BIGINT), t.category, t.month, CAST(SUM(t.person_times) AS BIGINT),
                    CAST(SUM(t.minutes) AS BIGINT)
               FROM (VALUES {map}) AS m CROSS JOIN service_tallies_months t
              WHERE t.region_id = m.column1 AND t.month IN ({whole}) AND t.person_times <> 0
              GROUP BY 1, 2, 3"
        );
        let got: Vec<(i64, String, String, i64, i64)> = on_db!(pool, |p| sqlx::query_as(&sql).fetch_all(p).await?);
        for (part, category, month, n, minutes) in got {
            if let Some(i) = months.iter().position(|m| m.key == month) {
                rows.push((part, category, i as i64, Some(n), Some(minutes)));
            }
        }
    }
    let sql = format!(
        "SELECT CAST(m.column2 AS BIGINT), t.category, {}, CAST(SUM(t.person_times) AS BIGINT), CAST(SUM(t.minutes) AS BIGINT)
           FROM (VALUES {map}) AS m CROSS JOIN service_tallies t
          WHERE t.region_id = m.column1 AND t.day >= $1 AND t.day <= $2
          GROUP BY 1, 2, 3 HAVING SUM(t.person_times) <> 0",
        month_case("t.day", 3, months)
    );
    for (a, b) in &served.loose {
        let got: Vec<ServiceRow> = on_db!(pool, |p| {
            let mut q = sqlx::query_as(&sql).bind(*a).bind(*b);
            for m in months.iter().take(months.len().saturating_sub(1)) {
                q = q.bind(local_date(m.ends));
            }
            q.fetch_all(p).await?
        });
        rows.extend(got);
    }
    Ok(rows)
}

/// People who served in the subtree, counted once.
async fn people_served(pool: &Pool, within: &str, period: &Period) -> Result<i64> {
    let (condition, masks) = people_condition(period, 2);
    let sql = format!(
        "SELECT COUNT(DISTINCT p.volunteer_id) FROM service_people_years p
          WHERE {condition} AND p.region_id IN (SELECT id FROM regions WHERE (path >= $1 AND path < $1 || '~'))"
    );
    Ok(on_db!(pool, |p| {
        let mut q = sqlx::query_scalar(&sql).bind(within);
        for m in &masks {
            q = q.bind(*m);
        }
        q.fetch_one(p).await?
    }))
}

/// The same, once per part of the region: (line, people).
async fn people_served_by_part(pool: &Pool, parts: &Parts, period: &Period) -> Result<Vec<(i64, i64)>> {
    if parts.parts.is_empty() {
        return Ok(Vec::new());
    }
    // the report's own region (-1) is left out: it has no line of its own
    let map: Vec<String> = parts.of.iter().map(|(region, i)| format!("({region}, {i})")).collect();
    let (condition, masks) = people_condition(period, 1);
    let sql = format!(
        "SELECT CAST(m.column2 AS BIGINT), COUNT(DISTINCT p.volunteer_id)
           FROM (VALUES {}) AS m CROSS JOIN service_people_years p
          WHERE p.region_id = m.column1 AND {condition} GROUP BY m.column2",
        map.join(", ")
    );
    Ok(on_db!(pool, |p| {
        let mut q = sqlx::query_as(&sql);
        for m in &masks {
            q = q.bind(*m);
        }
        q.fetch_all(p).await?
    }))
}

/// Each team of the subtree: its active members, its activities in the period
/// and the service given at them.
async fn team_lines(pool: &Pool, within: &str, period: &Period, activities: HashMap<i64, i64>) -> Result<Vec<Line>> {
    let (from, to) = period.bounds();
    let teams: Vec<(i64, String, i64)> = on_db!(pool, |p| {
        sqlx::query_as(
        "SELECT t.id, t.name,
                (SELECT COUNT(*) FROM team_members m JOIN volunteers v ON v.id = m.volunteer_id
                  WHERE m.team_id = t.id AND v.status = 'active')
           FROM teams t JOIN regions r ON r.id = t.region_id WHERE (r.path >= $1 AND r.path < $1 || '~') ORDER BY r.path, t.id"
    )
    .bind(within)
    .fetch_all(p)
    .await?
    });
    let served: Vec<(i64, i64, Option<i64>, i64)> = on_db!(pool, |p| {
        sqlx::query_as(
        "SELECT a.team_id, COUNT(*), CAST(SUM(sr.minutes) AS BIGINT), COUNT(DISTINCT sr.volunteer_id)
           FROM service_records sr JOIN activities a ON sr.source = 'activity' AND a.id = sr.source_id
           JOIN regions r ON r.id = a.region_id
          WHERE (r.path >= $1 AND r.path < $1 || '~') AND sr.corrected_by IS NULL AND sr.started_at >= $2 AND sr.started_at < $3
            AND a.team_id IS NOT NULL
          GROUP BY a.team_id"
    )
    .bind(within)
    .bind(from)
    .bind(to)
    .fetch_all(p)
    .await?
    });
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
