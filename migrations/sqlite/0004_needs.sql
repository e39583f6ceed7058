-- The needs list (点单 → 派单 → 接单 → 评单). Kept column for column equal to the PostgreSQL file.

CREATE TABLE needs (
    id                   INTEGER PRIMARY KEY,
    title                TEXT    NOT NULL,
    category             TEXT    NOT NULL,
    description          TEXT,
    region_id            BIGINT  NOT NULL REFERENCES regions (id),
    place                TEXT,
    lat                  DOUBLE PRECISION,
    lon                  DOUBLE PRECISION,
    required_skills      TEXT    NOT NULL DEFAULT '',
    volunteers_needed    BIGINT  NOT NULL,
    due_at               TEXT,
    filed_at             TEXT    NOT NULL,
    requester_name       TEXT,
    requester_phone_sealed TEXT,
    requester_phone_masked TEXT,
    source               TEXT    NOT NULL CHECK (source IN ('staff', 'grid', 'self', 'public')),
    filed_by             BIGINT,
    status               TEXT    NOT NULL CHECK (status IN ('submitted', 'dispatched', 'accepted', 'completed', 'rated', 'rejected', 'cancelled')),
    reason               TEXT,
    insurance            BOOLEAN NOT NULL DEFAULT FALSE,
    completed_at         TEXT,
    rating               BIGINT,
    rating_comment       TEXT,
    beneficiaries        BIGINT  NOT NULL DEFAULT 0,
    households_relocated BIGINT  NOT NULL DEFAULT 0,
    persons_relocated    BIGINT  NOT NULL DEFAULT 0,
    outcome_notes        TEXT,
    updated_at           TEXT    NOT NULL
);
CREATE INDEX needs_region ON needs (region_id, status);
CREATE INDEX needs_filed ON needs (filed_at);

-- A dispatch is an offer: nobody is forced to serve.
CREATE TABLE need_offers (
    need_id      BIGINT NOT NULL REFERENCES needs (id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteers (id),
    status       TEXT   NOT NULL CHECK (status IN ('offered', 'accepted', 'declined', 'withdrawn')),
    reason       TEXT,
    offered_at   TEXT   NOT NULL,
    answered_at  TEXT,
    PRIMARY KEY (need_id, volunteer_id)
);
CREATE INDEX need_offers_volunteer ON need_offers (volunteer_id, status);
