-- How many volunteers each region holds in each status, kept by triggers in
-- the same transaction as every write to the roster. The roster page shows
-- the number of all that match; unfiltered (or by status only) it now adds up
-- the few dozen rows of a town's regions instead of counting every volunteer
-- of the town on each view. The triggers run once per statement, over the
-- rows it wrote (a 1 000-row import batch is one grouped upsert).
CREATE TABLE volunteer_tally (
    region_id BIGINT NOT NULL,
    status    TEXT   NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (region_id, status)
);

INSERT INTO volunteer_tally (region_id, status, n)
SELECT region_id, status, COUNT(*) FROM volunteers GROUP BY region_id, status;

CREATE FUNCTION volunteer_tally_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO volunteer_tally (region_id, status, n)
    SELECT region_id, status, COUNT(*) FROM new_rows GROUP BY region_id, status
    ON CONFLICT (region_id, status) DO UPDATE SET n = volunteer_tally.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE FUNCTION volunteer_tally_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE volunteer_tally t SET n = t.n - o.c
      FROM (SELECT region_id, status, COUNT(*) AS c FROM old_rows GROUP BY region_id, status) o
     WHERE t.region_id = o.region_id AND t.status = o.status;
    RETURN NULL;
END $$;

CREATE FUNCTION volunteer_tally_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- each row leaves its old (region, status) and joins its new one; rows
    -- that moved neither cancel out and write nothing
    INSERT INTO volunteer_tally (region_id, status, n)
    SELECT region_id, status, SUM(d) FROM (
        SELECT region_id, status, 1 AS d FROM new_rows
        UNION ALL
        SELECT region_id, status, -1 AS d FROM old_rows
    ) x GROUP BY region_id, status HAVING SUM(d) <> 0
    ON CONFLICT (region_id, status) DO UPDATE SET n = volunteer_tally.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE TRIGGER volunteer_tally_insert AFTER INSERT ON volunteers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION volunteer_tally_insert();
CREATE TRIGGER volunteer_tally_delete AFTER DELETE ON volunteers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION volunteer_tally_delete();
CREATE TRIGGER volunteer_tally_update AFTER UPDATE ON volunteers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION volunteer_tally_update();
