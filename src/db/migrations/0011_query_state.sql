-- Revision: 0011
-- Message: common queries: price statistics from a continuous aggregate, indexes for the paged lists
-- Created: 2026-12-01
--
-- "Price Statistics by Asset" read every candle of the interval per call. With TimescaleDB (and its
-- continuous aggregates: the timescale license) candle_price_stats keeps count, first/last time,
-- low, high and the sum of closes per asset, interval and 30-day bucket, refreshed by a policy;
-- src/market/price-stats.ts adds the not yet materialized and invalidated ranges from the candles
-- themselves, so answers are exact. Without it (plain PostgreSQL, Apache-only TimescaleDB) the
-- query reads the candles as before.
--
-- The two lists that return thousands of rows are paged in SQL: the newest indicators of each asset
-- come from (asset_id, ts), the newest active signals from a partial index in the list's order; the
-- latest active signal per asset from another partial index, one entry per asset.

-- migrate:up

CREATE INDEX indicators_asset_id_ts_idx ON indicators (asset_id, ts DESC);
CREATE INDEX signals_active_ts_id_idx ON signals (ts DESC, id DESC) WHERE is_active;
-- The newest active signal of an asset: one index entry, whatever its inactive or tied neighbours.
CREATE INDEX signals_active_asset_id_ts_id_idx ON signals (asset_id, ts DESC, id DESC) WHERE is_active;

DO $$
DECLARE
    hyper boolean := false;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')
       AND current_setting('timescaledb.license', true) = 'timescale' THEN
        -- Through EXECUTE: the view does not exist without the extension.
        EXECUTE $q$SELECT EXISTS (SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'candles')$q$
            INTO hyper;
    END IF;
    IF NOT hyper THEN
        RAISE NOTICE 'candle_price_stats not created: it needs TimescaleDB (timescale license) and candles as a hypertable; price statistics read the candles.';
        RETURN;
    END IF;
    -- WITH NO DATA: a migration runs in a transaction; the policy materializes it on its first run.
    EXECUTE $q$
        CREATE MATERIALIZED VIEW candle_price_stats
        WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
        SELECT asset_id, "interval", time_bucket(INTERVAL '30 days', ts) AS bucket,
               count(*) AS candles, min(ts) AS first_ts, max(ts) AS last_ts,
               min(low) AS low, max(high) AS high, sum(close) AS close_sum
        FROM candles
        GROUP BY asset_id, "interval", time_bucket(INTERVAL '30 days', ts)
        WITH NO DATA$q$;
    -- All history (start NULL) up to an hour ago, every 10 minutes: a refresh only redoes invalidated buckets.
    EXECUTE $q$SELECT add_continuous_aggregate_policy('candle_price_stats', start_offset => NULL,
        end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '10 minutes')$q$;
END
$$;

-- migrate:down

DROP MATERIALIZED VIEW IF EXISTS candle_price_stats;
DROP INDEX IF EXISTS signals_active_asset_id_ts_id_idx;
DROP INDEX IF EXISTS signals_active_ts_id_idx;
DROP INDEX IF EXISTS indicators_asset_id_ts_idx;
