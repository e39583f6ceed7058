-- A town's last roster mapping: the header texts of its own roster that the
-- vocabulary does not know, and the field (or "ignore") staff chose for each,
-- as JSON ({"参军日期":"enlisted_on"}). Offered, and applied to headers
-- nothing else explains, at the town's next import.
-- Kept column for column equal to the PostgreSQL file.

CREATE TABLE import_mappings (
    region_path  TEXT        NOT NULL PRIMARY KEY,
    mapping      TEXT        NOT NULL,
    updated_by   TEXT        NOT NULL,
    updated_at   TEXT        NOT NULL
);
