-- Sign-ups remember when their volunteer was reminded of the activity.
ALTER TABLE activity_signups ADD COLUMN reminded_at TEXT;
