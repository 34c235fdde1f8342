-- Revision: 0005
-- Message: analysis state: transaction ids on candle writes, snapshots on series
-- Created: 2026-11-24
--
-- A write's clock time says when its row was inserted, not when its transaction committed: a
-- computation that started between the two would read the old candles yet count the write as
-- seen. So each write records its transaction id and each series the snapshot its computation
-- started from; a write not visible in that snapshot is a change still to compute.

-- migrate:up

ALTER TABLE candle_writes ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE analysis_series ADD COLUMN computed_snapshot pg_snapshot;

-- migrate:down

ALTER TABLE analysis_series DROP COLUMN IF EXISTS computed_snapshot;
ALTER TABLE candle_writes DROP COLUMN IF EXISTS xid;
