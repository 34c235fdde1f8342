-- Revision: 0004
-- Message: analysis state: candle write log and per-series watermarks
-- Created: 2026-11-24
--
-- Incremental indicator and signal computation needs to know, per series, how far it has computed
-- and which candles changed since. candles has no updated_at (the seed's schema), and triggers with
-- transition tables do not work on hypertables, so every candle write path appends one row per
-- (asset, interval) and batch to candle_writes.

-- migrate:up

CREATE TABLE candle_writes (
    id         bigserial PRIMARY KEY,
    asset_id   uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    "interval" candle_interval NOT NULL,
    from_ts    timestamptz NOT NULL,
    to_ts      timestamptz NOT NULL,
    rows       integer NOT NULL CHECK (rows >= 0),
    written_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (from_ts <= to_ts)
);
CREATE INDEX candle_writes_asset_interval_idx ON candle_writes (asset_id, "interval", written_at);

-- One row per computed series: an indicator (name) or a signal strategy on an asset and timeframe.
CREATE TABLE analysis_series (
    asset_id         uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    timeframe        candle_interval NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('indicator', 'signal')),
    name             text NOT NULL,
    computed_through timestamptz,
    computed_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (asset_id, timeframe, kind, name)
);

-- migrate:down

DROP TABLE IF EXISTS analysis_series;
DROP TABLE IF EXISTS candle_writes;
