-- Needs filed by the public: a link to follow and rate them, and a record of
-- submissions for rate limiting across stateless app servers.
ALTER TABLE needs ADD COLUMN follow_token TEXT;
CREATE UNIQUE INDEX needs_follow_token ON needs (follow_token);

CREATE TABLE public_submissions (
    id          INTEGER PRIMARY KEY,
    client_hash TEXT NOT NULL,
    phone_hash  TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX public_submissions_client ON public_submissions (client_hash, at);
CREATE INDEX public_submissions_phone ON public_submissions (phone_hash, at);
