-- Foundation: regions, teams, volunteers, accounts, sessions, audit.
-- Kept column-for-column equal to migrations/postgres/0001_foundation.sql.

CREATE TABLE regions (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('county', 'town', 'village', 'grid')),
    parent_id   BIGINT  REFERENCES regions (id),
    path        TEXT    NOT NULL DEFAULT '',
    lat         DOUBLE PRECISION,
    lon         DOUBLE PRECISION,
    created_at  TEXT    NOT NULL
);
CREATE INDEX regions_parent ON regions (parent_id);
CREATE INDEX regions_path ON regions (path);
CREATE UNIQUE INDEX regions_sibling_name ON regions (COALESCE(parent_id, 0), name);

CREATE TABLE volunteers (
    id               INTEGER PRIMARY KEY,
    volunteer_no     TEXT    NOT NULL DEFAULT '',
    name             TEXT    NOT NULL,
    gender           TEXT    NOT NULL CHECK (gender IN ('male', 'female')),
    birth_date       TEXT    NOT NULL,
    id_sealed        TEXT    NOT NULL,
    id_hash          TEXT    NOT NULL,
    id_masked        TEXT    NOT NULL,
    phone_sealed     TEXT    NOT NULL,
    phone_hash       TEXT    NOT NULL,
    phone_masked     TEXT    NOT NULL,
    region_id        BIGINT  NOT NULL REFERENCES regions (id),
    address          TEXT,
    lat              DOUBLE PRECISION,
    lon              DOUBLE PRECISION,
    branch           TEXT,
    enlisted_on      TEXT,
    discharged_on    TEXT,
    veteran_category TEXT,
    party_member     BOOLEAN NOT NULL DEFAULT FALSE,
    cadre_role       TEXT,
    availability     TEXT,
    status           TEXT    NOT NULL CHECK (status IN ('applicant', 'active', 'inactive')),
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
CREATE UNIQUE INDEX volunteers_id_hash ON volunteers (id_hash);
CREATE INDEX volunteers_phone_hash ON volunteers (phone_hash);
CREATE INDEX volunteers_region ON volunteers (region_id, id);
CREATE INDEX volunteers_status ON volunteers (status, id);
CREATE INDEX volunteers_no ON volunteers (volunteer_no);

CREATE TABLE volunteer_skills (
    volunteer_id BIGINT NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    skill        TEXT   NOT NULL,
    PRIMARY KEY (volunteer_id, skill)
);
CREATE INDEX volunteer_skills_skill ON volunteer_skills (skill, volunteer_id);

CREATE TABLE volunteer_honors (
    volunteer_id BIGINT NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    position     BIGINT NOT NULL,
    title        TEXT   NOT NULL,
    PRIMARY KEY (volunteer_id, position)
);

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('town_squad', 'village_team', 'lecture', 'emergency', 'mentoring', 'other')),
    region_id   BIGINT  NOT NULL REFERENCES regions (id),
    leader_id   BIGINT  REFERENCES volunteers (id),
    created_at  TEXT    NOT NULL
);
CREATE INDEX teams_region ON teams (region_id);
CREATE UNIQUE INDEX teams_region_name ON teams (region_id, name);

CREATE TABLE team_members (
    team_id      BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    volunteer_id BIGINT NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    joined_at    TEXT   NOT NULL,
    PRIMARY KEY (team_id, volunteer_id)
);
CREATE INDEX team_members_volunteer ON team_members (volunteer_id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'town_staff', 'team_leader', 'grid_worker', 'volunteer')),
    region_id     BIGINT  REFERENCES regions (id),
    volunteer_id  BIGINT  REFERENCES volunteers (id),
    failed_logins BIGINT  NOT NULL DEFAULT 0,
    locked_until  TEXT,
    created_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (username);

CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('api', 'web')),
    csrf         TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Tamper-evident: every entry carries the hash of the one before it.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    user_id     BIGINT,
    username    TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target_type TEXT    NOT NULL,
    target_id   TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);

-- Settings of the installation and of each town, as JSON text.
CREATE TABLE settings (
    scope  TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
