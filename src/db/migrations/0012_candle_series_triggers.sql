-- Revision: 0012
-- Message: candle_series follows every candle write, plain SQL included (triggers on candles)
-- Created: 2026-12-04
--
-- Reads bound themselves by candle_series' first_ts (migration 0006) so the planner excludes chunks. A
-- bound narrower than the rows hides them: candles written with plain SQL (psql, a seed script) stayed
-- invisible until `tm analyze`. Now triggers on candles record what such writes change, in the writing
-- transaction, and append it to the write log (live events, incremental indicators):
--  - INSERT and UPDATE: statement triggers with transition tables (one upsert per statement and series,
--    in key order, so concurrent writers lock series rows in one order). Bounds only widen; the count
--    adds the new rows. TimescaleDB supports transition tables on hypertables since 2.18 (its PR 6901);
--    where it does not, row triggers do the same per row.
--  - DELETE: a row trigger lowers the count and logs the deletion: one write-log row (rows = 0) per series
--    and transaction, widened by each further deleted bar, so a bulk DELETE adds one log row, and open
--    pages and incremental analysis see it. Bounds stay: a stale-wide bound costs a wider read, never a
--    hidden row. (TimescaleDB refuses DELETE transition tables on a hypertable with compression.)
--  - TRUNCATE forgets every series.
-- tm's own writers (the import's COPY and merge, hence sync and the demo) record the series themselves,
-- once per transaction, after taking the series locks (src/market/candle-series.ts); taking them sets
-- tm.series_recorded for the transaction, and the triggers leave such a transaction alone.

-- migrate:up

-- One write of plain SQL, per series: the bounds widen, the count changes by `added`, the log gets a row.
CREATE FUNCTION candle_series_record(w jsonb) RETURNS void LANGUAGE sql
    SET search_path FROM CURRENT AS $$
  WITH x AS (
    SELECT (e->>'a')::uuid AS a, (e->>'i')::candle_interval AS i, min((e->>'f')::timestamptz) AS f,
           max((e->>'t')::timestamptz) AS t, sum((e->>'n')::bigint) AS n, sum((e->>'r')::int) AS r,
           min((e->>'lf')::timestamptz) AS lf, max((e->>'lt')::timestamptz) AS lt
      FROM jsonb_array_elements(w) e
     GROUP BY 1, 2
  ), widened AS (
    INSERT INTO candle_series AS s (asset_id, "interval", first_ts, last_ts, candles)
    SELECT a, i, f, t, greatest(n, 0) FROM x WHERE f IS NOT NULL ORDER BY a, i
    ON CONFLICT (asset_id, "interval") DO UPDATE
      SET first_ts = least(s.first_ts, EXCLUDED.first_ts),
          last_ts = greatest(s.last_ts, EXCLUDED.last_ts),
          candles = greatest(s.candles + (SELECT x.n FROM x WHERE x.a = s.asset_id AND x.i = s."interval"), 0)
  ), shrunk AS (
    UPDATE candle_series s SET candles = greatest(s.candles + x.n, 0)
      FROM x WHERE x.f IS NULL AND x.n <> 0 AND s.asset_id = x.a AND s."interval" = x.i
  )
  INSERT INTO candle_writes (asset_id, "interval", from_ts, to_ts, rows)
  SELECT a, i, lf, lt, r FROM x;
$$;

-- Statement triggers: the rows a statement inserted, or updated (old and new), summed per series.
CREATE FUNCTION candles_after_insert() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM candle_series_record(coalesce(jsonb_agg(jsonb_build_object(
           'a', asset_id, 'i', "interval", 'f', f, 't', t, 'n', n, 'r', n, 'lf', f, 'lt', t)), '[]'))
    FROM (SELECT asset_id, "interval", min(ts) AS f, max(ts) AS t, count(*) AS n
            FROM candles_new GROUP BY asset_id, "interval") w;
  RETURN NULL;
END $$;

CREATE FUNCTION candles_after_update() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM candle_series_record(coalesce(jsonb_agg(jsonb_build_object(
           'a', asset_id, 'i', "interval", 'f', f, 't', t, 'n', n, 'r', r, 'lf', lf, 'lt', lt)), '[]'))
    FROM (SELECT asset_id, "interval",
                 min(ts) FILTER (WHERE d > 0) AS f, max(ts) FILTER (WHERE d > 0) AS t, sum(d) AS n,
                 count(*) FILTER (WHERE d > 0) AS r, min(ts) AS lf, max(ts) AS lt
            FROM (SELECT asset_id, "interval", ts, 1 AS d FROM candles_new
                  UNION ALL SELECT asset_id, "interval", ts, -1 FROM candles_old) c
           GROUP BY asset_id, "interval") w;
  RETURN NULL;
END $$;

-- Deletes: two small row-level statements per deleted bar (no jsonb), so bulk deletes stay affordable.
CREATE FUNCTION candles_after_delete() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE candle_series SET candles = greatest(candles - 1, 0)
   WHERE asset_id = OLD.asset_id AND "interval" = OLD."interval";
  UPDATE candle_writes SET from_ts = least(from_ts, OLD.ts), to_ts = greatest(to_ts, OLD.ts)
   WHERE xid = pg_current_xact_id() AND asset_id = OLD.asset_id AND "interval" = OLD."interval" AND rows = 0;
  IF NOT FOUND THEN
    INSERT INTO candle_writes (asset_id, "interval", from_ts, to_ts, rows) VALUES (OLD.asset_id, OLD."interval", OLD.ts, OLD.ts, 0);
  END IF;
  RETURN NULL;
END $$;

-- Row triggers where transition tables are refused (inserts and updates).
CREATE FUNCTION candles_after_row() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
DECLARE
  w jsonb := '[]';
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    w := w || jsonb_build_object('a', OLD.asset_id, 'i', OLD."interval", 'n', -1, 'r', 0, 'lf', OLD.ts, 'lt', OLD.ts);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    w := w || jsonb_build_object('a', NEW.asset_id, 'i', NEW."interval", 'f', NEW.ts, 't', NEW.ts, 'n', 1, 'r', 1,
                                 'lf', NEW.ts, 'lt', NEW.ts);
  END IF;
  PERFORM candle_series_record(w);
  RETURN NULL;
END $$;

CREATE FUNCTION candles_after_truncate() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
  DELETE FROM candle_series;
  RETURN NULL;
END $$;

DO $$
DECLARE
  probe uuid;
BEGIN
  CREATE TRIGGER candles_series_insert AFTER INSERT ON candles REFERENCING NEW TABLE AS candles_new
    FOR EACH STATEMENT WHEN (current_setting('tm.series_recorded', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION candles_after_insert();
  CREATE TRIGGER candles_series_update AFTER UPDATE ON candles
    REFERENCING OLD TABLE AS candles_old NEW TABLE AS candles_new
    FOR EACH STATEMENT WHEN (current_setting('tm.series_recorded', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION candles_after_update();
  -- TimescaleDB before 2.18 accepts these triggers but fails the first insert that creates a chunk: try
  -- one (far from any real data) and roll it back.
  BEGIN
    INSERT INTO assets (symbol, name, asset_type) VALUES ('tm-migration-0012-probe', 'probe', 'stock')
      RETURNING id INTO probe;
    INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
      VALUES (probe, '1901-01-01', '1d', 1, 1, 1, 1, 0);
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'probe done';
  EXCEPTION
    WHEN raise_exception THEN NULL;
    WHEN feature_not_supported THEN
      DROP TRIGGER candles_series_insert ON candles;
      DROP TRIGGER candles_series_update ON candles;
      CREATE TRIGGER candles_series_insert AFTER INSERT OR UPDATE ON candles
        FOR EACH ROW WHEN (current_setting('tm.series_recorded', true) IS DISTINCT FROM 'on')
        EXECUTE FUNCTION candles_after_row();
  END;
END $$;

CREATE TRIGGER candles_series_delete AFTER DELETE ON candles
  FOR EACH ROW WHEN (current_setting('tm.series_recorded', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION candles_after_delete();
CREATE TRIGGER candles_series_truncate AFTER TRUNCATE ON candles
  FOR EACH STATEMENT EXECUTE FUNCTION candles_after_truncate();

-- Bounds left narrow by plain SQL before this migration are measured again, once (reads every chunk).
INSERT INTO candle_series AS s (asset_id, "interval", first_ts, last_ts, candles)
SELECT asset_id, "interval", min(ts), max(ts), count(*) FROM candles GROUP BY asset_id, "interval"
ON CONFLICT (asset_id, "interval") DO UPDATE
  SET first_ts = EXCLUDED.first_ts, last_ts = EXCLUDED.last_ts, candles = EXCLUDED.candles;

-- migrate:down

DROP TRIGGER IF EXISTS candles_series_truncate ON candles;
DROP TRIGGER IF EXISTS candles_series_delete ON candles;
DROP TRIGGER IF EXISTS candles_series_update ON candles;
DROP TRIGGER IF EXISTS candles_series_insert ON candles;
DROP FUNCTION IF EXISTS candles_after_truncate();
DROP FUNCTION IF EXISTS candles_after_row();
DROP FUNCTION IF EXISTS candles_after_delete();
DROP FUNCTION IF EXISTS candles_after_update();
DROP FUNCTION IF EXISTS candles_after_insert();
DROP FUNCTION IF EXISTS candle_series_record(jsonb);
