-- Revision: 0014
-- Message: candle deletions reach the write log (live views and incremental analysis see them)
-- Created: 2026-12-04
--
-- tm never deletes single candles, but users do with plain SQL (a bad bar, a test). Every tm write
-- path logs its writes to candle_writes itself; a row-level AFTER DELETE trigger logs deletions, so
-- the live feed tells open pages to refetch and incremental indicators recompute from that bar.
-- Row triggers only: hypertables take no transition tables, and dropping chunks (retention) fires
-- none. One log row per series and transaction, widened by each further deletion, so a bulk DELETE
-- leaves one row, not one per candle. A deletion cascading from its asset logs nothing (the asset's
-- write log goes with it).

-- migrate:up

CREATE FUNCTION log_candle_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE candle_writes
       SET from_ts = least(from_ts, OLD.ts), to_ts = greatest(to_ts, OLD.ts)
     WHERE xid = pg_current_xact_id() AND asset_id = OLD.asset_id AND "interval" = OLD."interval" AND rows = 0;
    IF NOT FOUND AND EXISTS (SELECT 1 FROM assets WHERE id = OLD.asset_id) THEN
        INSERT INTO candle_writes (asset_id, "interval", from_ts, to_ts, rows)
        VALUES (OLD.asset_id, OLD."interval", OLD.ts, OLD.ts, 0);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER candles_log_delete AFTER DELETE ON candles FOR EACH ROW EXECUTE FUNCTION log_candle_delete();

-- migrate:down

DROP TRIGGER IF EXISTS candles_log_delete ON candles;
DROP FUNCTION IF EXISTS log_candle_delete();
