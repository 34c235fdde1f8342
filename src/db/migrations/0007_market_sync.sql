-- Revision: 0007
-- Message: market data sync: sources, covered ranges, per-interval state, gaps
-- Created: 2026-12-01
--
-- A source links an asset to a provider's market. What has been fetched is kept as covered
-- ranges per (source, interval), merged as pages commit: a backfill fetches only the holes, and
-- a rerun after a crash resumes after the last committed page. Gaps are buckets the provider had
-- no candle for (no trades, outages, history it no longer serves); they are listed and retried,
-- never filled.

-- migrate:up

CREATE TABLE sync_sources (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset_id   uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    provider   text NOT NULL CHECK (provider IN ('binance', 'coinbase', 'kraken', 'polygon')),
    market     text NOT NULL CHECK (length(market) BETWEEN 1 AND 64),
    intervals  candle_interval[] NOT NULL CHECK (cardinality(intervals) > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (asset_id, provider)
);

CREATE TABLE sync_coverage (
    source_id  bigint NOT NULL REFERENCES sync_sources (id) ON DELETE CASCADE,
    "interval" candle_interval NOT NULL,
    from_ts    timestamptz NOT NULL,
    to_ts      timestamptz NOT NULL,
    PRIMARY KEY (source_id, "interval", from_ts),
    CHECK (to_ts > from_ts)
);

CREATE TABLE sync_state (
    source_id       bigint NOT NULL REFERENCES sync_sources (id) ON DELETE CASCADE,
    "interval"      candle_interval NOT NULL,
    last_candle_ts  timestamptz,
    last_success_at timestamptz,
    last_attempt_at timestamptz,
    last_error      text,
    failures        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (source_id, "interval")
);

CREATE TABLE sync_gaps (
    source_id   bigint NOT NULL REFERENCES sync_sources (id) ON DELETE CASCADE,
    "interval"  candle_interval NOT NULL,
    from_ts     timestamptz NOT NULL,
    to_ts       timestamptz NOT NULL,
    reason      text NOT NULL,
    detected_at timestamptz NOT NULL DEFAULT now(),
    checked_at  timestamptz NOT NULL DEFAULT now(),
    attempts    integer NOT NULL DEFAULT 1,
    PRIMARY KEY (source_id, "interval", from_ts),
    CHECK (to_ts > from_ts)
);

-- migrate:down

DROP TABLE IF EXISTS sync_gaps;
DROP TABLE IF EXISTS sync_state;
DROP TABLE IF EXISTS sync_coverage;
DROP TABLE IF EXISTS sync_sources;
