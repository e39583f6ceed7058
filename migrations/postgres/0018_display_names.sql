-- The name a person is known by (姓名), shown wherever an account is named:
-- a notice's author, the report's preparer, an evaluation's evaluator.
-- Accounts of volunteers fall back to the volunteer's name, others to the login.
ALTER TABLE users ADD COLUMN display_name TEXT;
