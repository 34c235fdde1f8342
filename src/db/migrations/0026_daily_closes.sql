-- Revision: 0024
-- Message: daily closes: each priced series' last close per UTC day, kept for portfolio performance
-- Created: 2026-12-05
--
-- Portfolio performance values every held asset on every day. Reading those closes from the candles
-- hypertable makes the planner visit every chunk of the range (523 for 10 years of 7-day chunks: most of a
-- second on the embedded database) and group intraday candles per day on every call. daily_closes keeps
-- the last close of each UTC day per (asset, interval), brought up to date before each read from the
-- candle write log: a series is an analysis_series of kind 'daily_close', so the log keeps the writes it
-- has not seen yet and a write (a new bar, a correction, a deletion) recomputes its days from the
-- earliest one it touched (src/analysis/daily-closes.ts). No foreign key to assets: the rows are derived, a
-- build writes one per series and day (its per-row check took half of a 10-year build), and the hourly upkeep
-- of tm serve deletes the rows of assets that no longer exist.

-- migrate:up

CREATE TABLE daily_closes (
    asset_id   uuid NOT NULL,
    "interval" candle_interval NOT NULL,
    day        date NOT NULL,
    close      double precision NOT NULL,
    PRIMARY KEY (asset_id, "interval", day)
);

ALTER TABLE analysis_series DROP CONSTRAINT analysis_series_kind_check;
ALTER TABLE analysis_series ADD CONSTRAINT analysis_series_kind_check
    CHECK (kind IN ('indicator', 'signal', 'daily_close'));

-- migrate:down

DELETE FROM analysis_series WHERE kind = 'daily_close';
ALTER TABLE analysis_series DROP CONSTRAINT analysis_series_kind_check;
ALTER TABLE analysis_series ADD CONSTRAINT analysis_series_kind_check CHECK (kind IN ('indicator', 'signal'));
DROP TABLE IF EXISTS daily_closes;
