-- Month tallies for the summary's sums: a whole month (or year) is read from
-- at most one row per region, category (and team), however many activities
-- and records it holds. Kept in the same transactions as the rows they count;
-- local time is UTC+8. Kept column for column equal to the SQLite file.

CREATE TABLE service_tallies_months (
    region_id    BIGINT NOT NULL,
    month        TEXT   NOT NULL,
    category     TEXT   NOT NULL,
    person_times BIGINT NOT NULL,
    minutes      BIGINT NOT NULL,
    PRIMARY KEY (region_id, month, category)
);
CREATE INDEX service_tallies_months_month ON service_tallies_months (month, region_id, category, person_times, minutes);

-- activities that were not cancelled, by the month they start in; team 0 is "no team"
CREATE TABLE activity_tallies_months (
    region_id            BIGINT NOT NULL,
    month                TEXT   NOT NULL,
    category             TEXT   NOT NULL,
    team_id              BIGINT NOT NULL,
    activities           BIGINT NOT NULL,
    beneficiaries        BIGINT NOT NULL,
    audience             BIGINT NOT NULL,
    households_relocated BIGINT NOT NULL,
    persons_relocated    BIGINT NOT NULL,
    PRIMARY KEY (region_id, month, category, team_id)
);
CREATE INDEX activity_tallies_months_month ON activity_tallies_months (month, region_id);

INSERT INTO service_tallies_months (region_id, month, category, person_times, minutes)
SELECT region_id, to_char(started_at AT TIME ZONE 'UTC' + INTERVAL '8 hours', 'YYYY-MM'), category, COUNT(*), SUM(minutes)
  FROM service_records WHERE corrected_by IS NULL AND region_id IS NOT NULL GROUP BY 1, 2, 3;
INSERT INTO activity_tallies_months (region_id, month, category, team_id, activities, beneficiaries, audience,
                                     households_relocated, persons_relocated)
SELECT region_id, to_char(starts_at AT TIME ZONE 'UTC' + INTERVAL '8 hours', 'YYYY-MM'), category, COALESCE(team_id, 0), COUNT(*), SUM(beneficiaries),
       SUM(audience), SUM(households_relocated), SUM(persons_relocated)
  FROM activities WHERE status <> 'cancelled' GROUP BY 1, 2, 3, 4;
