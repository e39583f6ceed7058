-- A number that moves on with every committed change, so that app servers can
-- keep hot pages of data in memory and hand them out again only while it has
-- not moved (src/store/keeper.rs). SQLite has the same thing built in
-- (`PRAGMA data_version`); PostgreSQL gets this table, and the number is the
-- sum of its `v`s.
--
-- Each writing transaction adds one to a `v` AT COMMIT, in the same transaction
-- as its data, so the new number and the new data become visible together:
-- a reader that read the number before reading data holds data at least as new
-- as that number. Neither a sequence nor a log table's highest id would do:
-- both hand out numbers in the order transactions asked, not the order they
-- committed, so a reader could see a new number while the data is not yet
-- committed and keep the old data under it.
--
-- The bump is a DEFERRABLE INITIALLY DEFERRED constraint trigger, so that it
-- runs at commit: a plain trigger would take the row's lock at a transaction's
-- first write and hold it until commit, serialising every writer and opening
-- deadlocks between transactions that lock rows in different orders. Here the
-- lock is taken last, after every other, for the length of the commit.
--
-- Sixteen rows rather than one, each connection adding to its own
-- (`pg_backend_pid() % 16`): the lock is held through the commit's flush to
-- disk, so with one row concurrent commits went one at a time (measured with
-- pgbench, eight clients each updating one row per transaction: 6 700
-- transactions/s without the trigger, 3 070 with one row, 5 290 with sixteen).
-- Every commit still adds exactly one to the sum, so the sum still moves on
-- with every commit and never comes back to a number it had.
--
-- Constraint triggers run per row. The trigger's WHEN is checked as each row is
-- written (not at commit) and queues the deferred bump only for the first row
-- of a transaction: it sets a transaction-local flag. A 100 000-row import
-- queues one bump, not 100 000. If that first row was written in a savepoint
-- that is rolled back, its queued bump and the flag are undone together and
-- the next row queues again.
--
-- Not watched (their writes do not move the number): the security bookkeeping
-- written while pages are being read — a session's last use (`sessions`), an
-- audited view or sign-in (`audit_log`, `audit_anchor`), a failed sign-in
-- (`login_failures`). No kept data may be read from these tables.
-- A table added by a later migration is watched by ending that migration with
-- `SELECT data_version_watch_all();` (tests/suite/speed.rs fails otherwise).
CREATE TABLE data_version (s SMALLINT PRIMARY KEY, v BIGINT NOT NULL);
-- Starts from the clock (microseconds) rather than 0: a database dropped and
-- made again under the same name, while a server that kept pages of the old
-- one still runs, does not hand out the numbers of the old one again.
INSERT INTO data_version (s, v)
SELECT s, (extract(epoch FROM clock_timestamp()) * 1000000)::BIGINT FROM generate_series(0, 15) s;

CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET v = v + 1 WHERE s = pg_backend_pid() % 16;
    RETURN NULL;
END $$;

CREATE FUNCTION data_version_watch_all() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t regclass;
BEGIN
    FOR t IN
        SELECT c.oid::regclass
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind = 'r' AND n.nspname = current_schema()
           AND c.relname NOT IN ('_sqlx_migrations', 'data_version',
                                 'sessions', 'audit_log', 'audit_anchor', 'login_failures')
           AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'data_version')
    LOOP
        EXECUTE format(
            'CREATE CONSTRAINT TRIGGER data_version AFTER INSERT OR UPDATE OR DELETE ON %s
                 DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                 WHEN (CASE WHEN current_setting(''laobing.data_version'', true) = ''queued'' THEN false
                            ELSE set_config(''laobing.data_version'', ''queued'', true) = ''queued'' END)
                 EXECUTE FUNCTION data_version_bump()', t);
        -- TRUNCATE fires no row triggers; it is rare (by hand, a restore) and
        -- locks the whole table anyway, so it bumps at once
        EXECUTE format(
            'CREATE TRIGGER data_version_truncate AFTER TRUNCATE ON %s
                 FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump()', t);
    END LOOP;
END $$;

SELECT data_version_watch_all();
