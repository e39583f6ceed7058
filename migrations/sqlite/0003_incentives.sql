-- Evaluation and incentives: versioned town rules, rewards shop with stock
-- moves, redemptions, evaluations. Kept column for column equal to the PostgreSQL file.

-- A town's rules as they stood from a date on; points already booked are never rewritten.
CREATE TABLE rule_versions (
    id             INTEGER PRIMARY KEY,
    scope          TEXT    NOT NULL,
    effective_from TEXT    NOT NULL,
    rules          TEXT    NOT NULL,
    created_by     BIGINT,
    created_at     TEXT    NOT NULL
);
CREATE INDEX rule_versions_scope ON rule_versions (scope, effective_from);
-- rules set before versions existed apply from the beginning
INSERT INTO rule_versions (scope, effective_from, rules, created_at)
SELECT scope, '1970-01-01', value, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') FROM settings WHERE key = 'rules';

CREATE TABLE rewards (
    id         INTEGER PRIMARY KEY,
    region_id  BIGINT  NOT NULL REFERENCES regions (id),
    name       TEXT    NOT NULL,
    points     BIGINT  NOT NULL CHECK (points > 0),
    stock      BIGINT  NOT NULL CHECK (stock >= 0),
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT    NOT NULL
);
CREATE INDEX rewards_region ON rewards (region_id);

CREATE TABLE redemptions (
    id           INTEGER PRIMARY KEY,
    volunteer_id BIGINT  NOT NULL REFERENCES volunteers (id),
    reward_id    BIGINT  NOT NULL REFERENCES rewards (id),
    quantity     BIGINT  NOT NULL CHECK (quantity > 0),
    points       BIGINT  NOT NULL,
    created_by   BIGINT,
    created_at   TEXT    NOT NULL
);
CREATE INDEX redemptions_volunteer ON redemptions (volunteer_id);
CREATE INDEX redemptions_reward ON redemptions (reward_id);

-- Every change of stock, so the shop's stock reconciles: sum of moves = stock.
CREATE TABLE reward_stock_moves (
    id            INTEGER PRIMARY KEY,
    reward_id     BIGINT  NOT NULL REFERENCES rewards (id),
    change        BIGINT  NOT NULL,
    reason        TEXT    NOT NULL,
    redemption_id BIGINT  REFERENCES redemptions (id),
    created_by    BIGINT,
    created_at    TEXT    NOT NULL
);
CREATE INDEX reward_stock_moves_reward ON reward_stock_moves (reward_id);

CREATE TABLE evaluations (
    id           INTEGER PRIMARY KEY,
    volunteer_id BIGINT  NOT NULL REFERENCES volunteers (id),
    period       TEXT    NOT NULL,
    score        BIGINT  NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment      TEXT,
    evaluator_id BIGINT  NOT NULL,
    evaluator    TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX evaluations_volunteer ON evaluations (volunteer_id, period);
