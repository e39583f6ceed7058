-- Check-in in the field: how far from the activity the phone said it was
-- (the distance only, never the position), whether the leader must confirm
-- a check-in made without a position, and the actions a phone queued while
-- it had no signal, each accepted once by its key.
-- Kept column for column equal to the SQLite file.

ALTER TABLE attendance ADD COLUMN distance_m BIGINT;
ALTER TABLE attendance ADD COLUMN to_confirm BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE field_actions (
    idem_key     TEXT    NOT NULL PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users (id),
    activity_id  BIGINT  NOT NULL REFERENCES activities (id),
    kind         TEXT    NOT NULL,
    happened_at  TIMESTAMPTZ NOT NULL,
    outcome      TEXT    NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX field_actions_activity ON field_actions (activity_id);
