-- Notifications: an in-app inbox, and an outbox that senders (log, webhook;
-- SMS gateways later) work through, claimed row by row so several app servers
-- can share it. Kept column for column equal to the PostgreSQL file.

CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT,
    volunteer_id BIGINT,
    kind         TEXT    NOT NULL CHECK (kind IN ('offer', 'reminder', 'escalation', 'mobilization')),
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    link         TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    read_at      TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_volunteer ON notifications (volunteer_id, id);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    notification_id BIGINT  NOT NULL REFERENCES notifications (id),
    channel         TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        BIGINT  NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_pending ON outbox (status, id);

ALTER TABLE needs ADD COLUMN escalated_at TEXT;
