-- Emergency mobilisation: call everyone able within a radius, count the answers.
-- Kept column for column equal to the PostgreSQL file.

CREATE TABLE mobilizations (
    id                   INTEGER PRIMARY KEY,
    title                TEXT    NOT NULL,
    category             TEXT    NOT NULL,
    region_id            BIGINT  NOT NULL REFERENCES regions (id),
    lat                  DOUBLE PRECISION NOT NULL,
    lon                  DOUBLE PRECISION NOT NULL,
    radius_km            DOUBLE PRECISION NOT NULL,
    required_skills      TEXT    NOT NULL DEFAULT '',
    headcount            BIGINT  NOT NULL,
    insurance            BOOLEAN NOT NULL DEFAULT FALSE,
    status               TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    households_relocated BIGINT  NOT NULL DEFAULT 0,
    persons_relocated    BIGINT  NOT NULL DEFAULT 0,
    created_by           BIGINT,
    created_at           TEXT    NOT NULL
);

CREATE TABLE mobilization_calls (
    mobilization_id BIGINT NOT NULL REFERENCES mobilizations (id),
    volunteer_id    BIGINT NOT NULL REFERENCES volunteers (id),
    distance_km     DOUBLE PRECISION,
    answer          TEXT   CHECK (answer IN ('yes', 'no')),
    answered_at     TEXT,
    PRIMARY KEY (mobilization_id, volunteer_id)
);
CREATE INDEX mobilization_calls_volunteer ON mobilization_calls (volunteer_id);
