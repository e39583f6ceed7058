-- How the summary report reads its figures (see store::reports), at county
-- scale: 100 000 volunteers and 5 000 000 records in under half a second.
--
-- Who served where in a local year, with the local days they served on as
-- bits (domain::report::day_bit: day-of-year d is bit d % 63 of word d / 63).
-- People who served in any period are counted from at most one row per
-- person, region and year the period touches, instead of from month rows
-- and, for loose days, the records themselves; the month rows of who served
-- go. Kept in the same transactions as the records
-- (store::service_records::tally). Kept equal to the SQLite file, but
-- for the table layout (SQLite keeps the tallies WITHOUT ROWID).

DROP TABLE service_people_months;
DROP TABLE service_people_years;

CREATE TABLE service_people_years (
    year         BIGINT NOT NULL,
    region_id    BIGINT NOT NULL,
    volunteer_id BIGINT NOT NULL,
    records      BIGINT NOT NULL,
    days0        BIGINT NOT NULL DEFAULT 0,
    days1        BIGINT NOT NULL DEFAULT 0,
    days2        BIGINT NOT NULL DEFAULT 0,
    days3        BIGINT NOT NULL DEFAULT 0,
    days4        BIGINT NOT NULL DEFAULT 0,
    days5        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (year, region_id, volunteer_id)
);

-- the days are distinct within a person's year, so the sum of their bits is their union
INSERT INTO service_people_years (year, region_id, volunteer_id, records, days0, days1, days2, days3, days4, days5)
SELECT y, region_id, volunteer_id, CAST(SUM(n) AS BIGINT),
       CAST(SUM(CASE WHEN doy / 63 = 0 THEN CAST(1 AS BIGINT) << (doy % 63) ELSE 0 END) AS BIGINT),
       CAST(SUM(CASE WHEN doy / 63 = 1 THEN CAST(1 AS BIGINT) << (doy % 63) ELSE 0 END) AS BIGINT),
       CAST(SUM(CASE WHEN doy / 63 = 2 THEN CAST(1 AS BIGINT) << (doy % 63) ELSE 0 END) AS BIGINT),
       CAST(SUM(CASE WHEN doy / 63 = 3 THEN CAST(1 AS BIGINT) << (doy % 63) ELSE 0 END) AS BIGINT),
       CAST(SUM(CASE WHEN doy / 63 = 4 THEN CAST(1 AS BIGINT) << (doy % 63) ELSE 0 END) AS BIGINT),
       CAST(SUM(CASE WHEN doy / 63 = 5 THEN CAST(1 AS BIGINT) << (doy % 63) ELSE 0 END) AS BIGINT)
  FROM (SELECT CAST(EXTRACT(YEAR FROM started_at AT TIME ZONE 'UTC' + INTERVAL '8 hours') AS BIGINT) AS y, region_id, volunteer_id,
               CAST(EXTRACT(DOY FROM started_at AT TIME ZONE 'UTC' + INTERVAL '8 hours') AS INTEGER) - 1 AS doy, COUNT(*) AS n
          FROM service_records WHERE corrected_by IS NULL AND region_id IS NOT NULL
         GROUP BY 1, 2, 3, 4) d
 GROUP BY y, region_id, volunteer_id;

-- active members per region, counted from the index alone (the summary counts a county's 100 000)
CREATE INDEX volunteers_region_status ON volunteers (region_id, status);

-- The summary reads every tally region by region (the subtree's regions as a
-- list joined to the tally; see store::reports::Parts::values), by primary
-- key; the day- and month-first indexes no reader uses go.
DROP INDEX service_tallies_day;
DROP INDEX service_tallies_months_month;
DROP INDEX activity_tallies_months_month;

-- the loose days of a report read activities region by region; this index
-- holds every column that read needs, so no activity row is fetched
DROP INDEX activities_region;
CREATE INDEX activities_region ON activities (region_id, starts_at)
    INCLUDE (status, category, team_id, beneficiaries, audience, households_relocated, persons_relocated);
