-- PostgreSQL's migration 0039 adds a version row that every writing
-- transaction moves on at commit, so that app servers can keep hot pages in
-- memory until the database changes (src/store/keeper.rs). SQLite has that
-- number built in (`PRAGMA data_version`, src/store/reader.rs), so nothing is
-- needed here; this file keeps the two folders numbered alike.
SELECT 1;
