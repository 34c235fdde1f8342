-- Revision: 0006
-- Message: candle_series: first and last candle time and count per asset and interval
-- Created: 2026-12-01
--
-- A query on the candles hypertable that has no time bound the planner can see plans every chunk:
-- 22 years of daily bars in 7-day chunks is 1,149 chunks, and "the latest 30 candles" spent 460 ms
-- planning. Every candle write path records the span it wrote here (with the write log), so reads
-- bound themselves by constants and the planner excludes all other chunks.

-- migrate:up

CREATE TABLE candle_series (
    asset_id   uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    "interval" candle_interval NOT NULL,
    first_ts   timestamptz NOT NULL,
    last_ts    timestamptz NOT NULL,
    candles    bigint NOT NULL DEFAULT 0 CHECK (candles >= 0),
    PRIMARY KEY (asset_id, "interval"),
    CHECK (first_ts <= last_ts)
);

INSERT INTO candle_series (asset_id, "interval", first_ts, last_ts, candles)
SELECT asset_id, "interval", min(ts), max(ts), count(*) FROM candles GROUP BY asset_id, "interval";

-- migrate:down

DROP TABLE IF EXISTS candle_series;
