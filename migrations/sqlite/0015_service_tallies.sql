-- Running tallies of the service records that count, kept in the same
-- transaction as the records, so a county's summary reads thousands of rows
-- instead of millions:
--   service_tallies        person-times and minutes per region, local day and category
--   service_people_months  who served where, per local month (for distinct counts)
--   service_people_years   the same per local year
-- A correction moves its original's tally to the correction's. Local time is UTC+8.

CREATE TABLE service_tallies (
    region_id    BIGINT NOT NULL,
    day          TEXT   NOT NULL,
    category     TEXT   NOT NULL,
    person_times BIGINT NOT NULL,
    minutes      BIGINT NOT NULL,
    PRIMARY KEY (region_id, day, category)
);
CREATE INDEX service_tallies_day ON service_tallies (day, region_id, category, person_times, minutes);

CREATE TABLE service_people_months (
    volunteer_id BIGINT NOT NULL,
    region_id    BIGINT NOT NULL,
    month        TEXT   NOT NULL,
    records      BIGINT NOT NULL,
    PRIMARY KEY (volunteer_id, region_id, month)
);
CREATE INDEX service_people_months_month ON service_people_months (month, region_id, volunteer_id, records);

CREATE TABLE service_people_years (
    volunteer_id BIGINT NOT NULL,
    region_id    BIGINT NOT NULL,
    year         BIGINT NOT NULL,
    records      BIGINT NOT NULL,
    PRIMARY KEY (volunteer_id, region_id, year)
);
CREATE INDEX service_people_years_year ON service_people_years (year, region_id, volunteer_id, records);

INSERT INTO service_tallies (region_id, day, category, person_times, minutes)
SELECT region_id, date(started_at, '+8 hours'), category, COUNT(*), SUM(minutes)
  FROM service_records WHERE corrected_by IS NULL AND region_id IS NOT NULL GROUP BY 1, 2, 3;
INSERT INTO service_people_months (volunteer_id, region_id, month, records)
SELECT volunteer_id, region_id, strftime('%Y-%m', started_at, '+8 hours'), COUNT(*)
  FROM service_records WHERE corrected_by IS NULL AND region_id IS NOT NULL GROUP BY 1, 2, 3;
INSERT INTO service_people_years (volunteer_id, region_id, year, records)
SELECT volunteer_id, region_id, CAST(strftime('%Y', started_at, '+8 hours') AS INTEGER), COUNT(*)
  FROM service_records WHERE corrected_by IS NULL AND region_id IS NOT NULL GROUP BY 1, 2, 3;
