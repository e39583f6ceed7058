-- A second factor (TOTP, RFC 6238) with one-time recovery codes, passwords
-- that must be changed at the next sign-in, sessions that may only do that
-- (or enrol the second factor), and failed sign-ins counted per client
-- address in the database so that the limit holds across app servers.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE sessions ADD COLUMN pending TEXT CHECK (pending IN ('password', 'totp'));

CREATE TABLE recovery_codes (
    id        INTEGER PRIMARY KEY,
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT   NOT NULL,
    used_at   TEXT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

CREATE TABLE login_failures (
    id          INTEGER PRIMARY KEY,
    client_hash TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX login_failures_client ON login_failures (client_hash, at);
