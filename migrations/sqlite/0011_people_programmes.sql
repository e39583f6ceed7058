-- Issue 6: care campaigns, veterans mentoring veterans (老兵带新兵) with a board of
-- job and business leads, recruitment applications, volunteers attached to grids,
-- and announcements with read receipts. Kept column for column equal to the PostgreSQL file.

-- A visit campaign (Spring Festival, Army Day 1 August, or custom) over a region:
-- its coverage is the share of the targeted recipients with a visit in its dates.
CREATE TABLE care_campaigns (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('spring_festival', 'army_day', 'custom')),
    region_id   BIGINT  NOT NULL REFERENCES regions (id),
    starts_on   TEXT    NOT NULL,
    ends_on     TEXT    NOT NULL,
    categories  TEXT    NOT NULL DEFAULT '',
    created_by  BIGINT,
    created_at  TEXT    NOT NULL
);
CREATE INDEX care_campaigns_region ON care_campaigns (region_id, starts_on);

CREATE TABLE mentorships (
    id          INTEGER PRIMARY KEY,
    mentor_id   BIGINT  NOT NULL REFERENCES volunteers (id),
    mentee_id   BIGINT  NOT NULL REFERENCES volunteers (id),
    -- the mentee's region when the pair was made: reports count a pair where the new veteran lives
    region_id   BIGINT  NOT NULL REFERENCES regions (id),
    goal        TEXT    NOT NULL CHECK (goal IN ('employment', 'entrepreneurship')),
    started_on  TEXT    NOT NULL,
    outcome     TEXT    NOT NULL DEFAULT 'none' CHECK (outcome IN ('none', 'employed', 'business_started')),
    outcome_on  TEXT,
    notes       TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    CHECK (mentor_id <> mentee_id)
);
CREATE INDEX mentorships_region ON mentorships (region_id, started_on);
CREATE INDEX mentorships_mentor ON mentorships (mentor_id);
CREATE INDEX mentorships_mentee ON mentorships (mentee_id);

-- The board of job and business leads that mentors and staff share.
CREATE TABLE leads (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('job', 'business')),
    title       TEXT    NOT NULL,
    description TEXT,
    employer    TEXT,
    contact     TEXT,
    region_id   BIGINT  NOT NULL REFERENCES regions (id),
    expires_on  TEXT,
    status      TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    posted_by   BIGINT,
    created_at  TEXT    NOT NULL
);
CREATE INDEX leads_region ON leads (region_id, status);

CREATE TABLE applications (
    id               INTEGER PRIMARY KEY,
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
    honors           TEXT    NOT NULL DEFAULT '',
    skills           TEXT    NOT NULL DEFAULT '',
    source           TEXT    NOT NULL CHECK (source IN ('staff', 'public')),
    status           TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    -- the reviewers' checklist: NULL until a reviewer has answered
    political_record BOOLEAN,
    conduct          BOOLEAN,
    public_spirit    BOOLEAN,
    priority_score   BIGINT  NOT NULL DEFAULT 0,
    reasons          TEXT    NOT NULL DEFAULT '[]',
    reject_reason    TEXT,
    volunteer_id     BIGINT  REFERENCES volunteers (id),
    team_id          BIGINT  REFERENCES teams (id),
    reviewed_by      BIGINT,
    reviewed_at      TEXT,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
CREATE INDEX applications_region ON applications (region_id, status);
CREATE INDEX applications_id_hash ON applications (id_hash);

-- A volunteer may belong to a grid (网格) under the village.
ALTER TABLE volunteers ADD COLUMN grid_id BIGINT REFERENCES regions (id);
CREATE INDEX volunteers_grid ON volunteers (grid_id);

CREATE TABLE announcements (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('policy', 'event', 'job', 'other')),
    region_id   BIGINT  NOT NULL REFERENCES regions (id),
    posted_by   BIGINT,
    posted_at   TEXT    NOT NULL
);
CREATE INDEX announcements_region ON announcements (region_id, posted_at);

CREATE TABLE announcement_reads (
    announcement_id BIGINT NOT NULL REFERENCES announcements (id),
    user_id         BIGINT NOT NULL REFERENCES users (id),
    read_at         TEXT   NOT NULL,
    PRIMARY KEY (announcement_id, user_id)
);
