-- The audit log is kept for a set time (at least 180 days). Pruning removes
-- the oldest entries and keeps, here, the hash of the last one removed: the
-- first entry left names it as its predecessor, so the chain still verifies
-- from this anchor on, and the pruning itself is an entry in the chain.
CREATE TABLE audit_anchor (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    pruned_through BIGINT NOT NULL,
    last_hash      TEXT   NOT NULL,
    pruned_at      TEXT NOT NULL
);
