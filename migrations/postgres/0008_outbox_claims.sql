-- A claimed delivery remembers when, so one left behind by a server that stopped
-- mid-send is picked up again after a while.
ALTER TABLE outbox ADD COLUMN claimed_at TIMESTAMPTZ;
