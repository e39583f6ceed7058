-- Photos of activities, care visits and needs (a grid case is a need), kept in
-- the database so that a backup carries them. What is stored was decoded and
-- encoded anew on the server: no EXIF (GPS position, the phone's serial) left.
-- Kept column for column equal to the PostgreSQL file.

CREATE TABLE photos (
    id          INTEGER PRIMARY KEY,
    subject     TEXT    NOT NULL CHECK (subject IN ('activity', 'care_visit', 'need')),
    subject_id  BIGINT  NOT NULL,
    width       BIGINT  NOT NULL,
    height      BIGINT  NOT NULL,
    size_bytes  BIGINT  NOT NULL,
    jpeg        BLOB    NOT NULL,
    thumb       BLOB    NOT NULL,
    caption     TEXT,
    uploaded_by BIGINT  REFERENCES users (id),
    created_at  TEXT    NOT NULL
);
CREATE INDEX photos_subject ON photos (subject, subject_id, id);
