-- A person who left may be erased (个人信息保护法, the right to deletion): their
-- personal data is removed from the row, which stays (status inactive) so that
-- their service records, hours and points still count in every report. This
-- marks when. The ID number's and phone's keyed hashes become `erased:<id>`,
-- so the unique index on the ID number lets the same person register again.
-- Kept column for column equal to the PostgreSQL file.
ALTER TABLE volunteers ADD COLUMN erased_at TEXT;
