-- Care (走访慰问): martyrs' families, families of those who died on duty or of
-- illness, disabled veterans and veterans in difficulty, and the visits to them.
-- Kept column for column equal to the PostgreSQL file.

CREATE TABLE care_recipients (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    category      TEXT    NOT NULL CHECK (category IN ('martyr_family', 'veteran_in_difficulty', 'disabled_veteran', 'other')),
    categories    TEXT    NOT NULL DEFAULT '',
    region_id     BIGINT  NOT NULL REFERENCES regions (id),
    address       TEXT,
    phone_sealed  TEXT,
    phone_masked  TEXT,
    hardship      BOOLEAN NOT NULL DEFAULT FALSE,
    living_alone  BOOLEAN NOT NULL DEFAULT FALSE,
    low_income    BOOLEAN NOT NULL DEFAULT FALSE,
    honour_plaque BOOLEAN NOT NULL DEFAULT FALSE,
    notes         TEXT,
    created_at    TEXT    NOT NULL
);
CREATE INDEX care_recipients_region ON care_recipients (region_id);

CREATE TABLE care_visits (
    id           INTEGER PRIMARY KEY,
    recipient_id BIGINT  NOT NULL REFERENCES care_recipients (id),
    visited_on   TEXT    NOT NULL,
    volunteer_ids TEXT   NOT NULL DEFAULT '',
    notes        TEXT,
    help_given   TEXT,
    recorded_by  BIGINT,
    created_at   TEXT    NOT NULL
);
CREATE INDEX care_visits_recipient ON care_visits (recipient_id, visited_on);
