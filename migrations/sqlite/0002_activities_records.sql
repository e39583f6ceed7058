-- Activities, sign-ups, attendance, service records, certificates, training,
-- awards and the points ledger. Kept column for column equal to the PostgreSQL file.

CREATE TABLE activities (
    id                   INTEGER PRIMARY KEY,
    title                TEXT    NOT NULL,
    category             TEXT    NOT NULL,
    team_id              BIGINT  REFERENCES teams (id),
    region_id            BIGINT  NOT NULL REFERENCES regions (id),
    starts_at            TEXT    NOT NULL,
    ends_at              TEXT    NOT NULL,
    place                TEXT,
    lat                  DOUBLE PRECISION,
    lon                  DOUBLE PRECISION,
    capacity             BIGINT  NOT NULL,
    description          TEXT,
    organiser            TEXT    NOT NULL,
    person_in_charge     TEXT,
    status               TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'cancelled')),
    beneficiaries        BIGINT  NOT NULL DEFAULT 0,
    audience             BIGINT  NOT NULL DEFAULT 0,
    households_relocated BIGINT  NOT NULL DEFAULT 0,
    persons_relocated    BIGINT  NOT NULL DEFAULT 0,
    outcome_notes        TEXT,
    created_at           TEXT    NOT NULL
);
CREATE INDEX activities_region ON activities (region_id, starts_at);

CREATE TABLE activity_signups (
    activity_id  BIGINT NOT NULL REFERENCES activities (id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteers (id),
    status       TEXT   NOT NULL CHECK (status IN ('signed_up', 'waiting', 'cancelled')),
    seq          BIGINT NOT NULL,
    created_at   TEXT   NOT NULL,
    updated_at   TEXT   NOT NULL,
    PRIMARY KEY (activity_id, volunteer_id)
);
CREATE INDEX activity_signups_volunteer ON activity_signups (volunteer_id);

CREATE TABLE attendance (
    activity_id  BIGINT  NOT NULL REFERENCES activities (id),
    volunteer_id BIGINT  NOT NULL REFERENCES volunteers (id),
    check_in     TEXT    NOT NULL,
    check_out    TEXT,
    method       TEXT    NOT NULL CHECK (method IN ('leader', 'qr')),
    auto_closed  BOOLEAN NOT NULL DEFAULT FALSE,
    recorded_by  BIGINT,
    updated_at   TEXT    NOT NULL,
    PRIMARY KEY (activity_id, volunteer_id)
);

-- One record per volunteer per service; a correction is a new row that names
-- the one it corrects, and the original is kept with corrected_by set.
CREATE TABLE service_records (
    id               INTEGER PRIMARY KEY,
    volunteer_id     BIGINT  NOT NULL REFERENCES volunteers (id),
    source           TEXT    NOT NULL CHECK (source IN ('activity', 'need')),
    source_id        BIGINT  NOT NULL,
    category         TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    place            TEXT,
    content          TEXT,
    organiser        TEXT    NOT NULL,
    person_in_charge TEXT,
    started_at       TEXT    NOT NULL,
    ended_at         TEXT    NOT NULL,
    minutes          BIGINT  NOT NULL,
    travel_minutes   BIGINT  NOT NULL DEFAULT 0,
    late             BOOLEAN NOT NULL,
    corrects         BIGINT  REFERENCES service_records (id),
    corrected_by     BIGINT  REFERENCES service_records (id),
    reason           TEXT,
    recorded_by      BIGINT,
    created_at       TEXT    NOT NULL
);
CREATE UNIQUE INDEX service_records_once ON service_records (source, source_id, volunteer_id) WHERE corrects IS NULL;
CREATE INDEX service_records_volunteer ON service_records (volunteer_id, started_at);

CREATE TABLE trainings (
    id           INTEGER PRIMARY KEY,
    volunteer_id BIGINT  NOT NULL REFERENCES volunteers (id),
    title        TEXT    NOT NULL,
    organiser    TEXT,
    held_on      TEXT    NOT NULL,
    hours        DOUBLE PRECISION,
    created_at   TEXT    NOT NULL
);
CREATE INDEX trainings_volunteer ON trainings (volunteer_id);

CREATE TABLE awards (
    id           INTEGER PRIMARY KEY,
    volunteer_id BIGINT  NOT NULL REFERENCES volunteers (id),
    title        TEXT    NOT NULL,
    awarded_by   TEXT    NOT NULL,
    awarded_on   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX awards_volunteer ON awards (volunteer_id);

CREATE TABLE certificates (
    id           INTEGER PRIMARY KEY,
    code         TEXT    NOT NULL,
    volunteer_id BIGINT  NOT NULL REFERENCES volunteers (id),
    minutes      BIGINT  NOT NULL,
    period_from  TEXT    NOT NULL,
    period_to    TEXT    NOT NULL,
    records      BIGINT  NOT NULL,
    content      TEXT    NOT NULL,
    issued_by    TEXT    NOT NULL,
    issued_by_user BIGINT,
    issued_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX certificates_code ON certificates (code);

-- Points are not hours: an append-only ledger; the balance is the sum and the
-- unique key makes every earning idempotent.
CREATE TABLE points_ledger (
    id           INTEGER PRIMARY KEY,
    volunteer_id BIGINT  NOT NULL REFERENCES volunteers (id),
    points       BIGINT  NOT NULL,
    source       TEXT    NOT NULL,
    source_id    TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    unique_key   TEXT    NOT NULL,
    created_by   BIGINT,
    created_at   TEXT    NOT NULL
);
CREATE UNIQUE INDEX points_ledger_key ON points_ledger (unique_key);
CREATE INDEX points_ledger_volunteer ON points_ledger (volunteer_id);
