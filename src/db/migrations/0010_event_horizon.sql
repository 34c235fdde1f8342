-- Revision: 0010
-- Message: event horizon
-- The live event feed reads the write log and signals by the writing transaction's id (xid8) below
-- the oldest transaction still running, so a transaction that took a lower row id but commits later is
-- never skipped. candle_writes has its xid since 0005; signals gains one (no default on old rows: no
-- table rewrite; they are older than any live stream).
-- migrate:up
ALTER TABLE signals ADD COLUMN xid xid8;
ALTER TABLE signals ALTER COLUMN xid SET DEFAULT pg_current_xact_id();
CREATE INDEX signals_xid_idx ON signals (xid, id);
CREATE INDEX candle_writes_xid_idx ON candle_writes (xid, id);

-- migrate:down
DROP INDEX IF EXISTS candle_writes_xid_idx;
DROP INDEX IF EXISTS signals_xid_idx;
ALTER TABLE signals DROP COLUMN IF EXISTS xid;
