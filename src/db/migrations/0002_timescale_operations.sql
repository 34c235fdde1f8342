-- Revision: 0002
-- Message: timescale operations: continuous aggregate registry, job run history
-- Created: 2026-11-24
--
-- candle_aggregates lists the continuous aggregates "tm aggregates create" made, so the candles
-- range query can find the aggregate that serves an interval. job_runs is the product's own history
-- of policy job runs: in the embedded database TimescaleDB's job_stats is never updated, because its
-- background workers do not run there and tm runs the jobs itself.

-- migrate:up

CREATE TABLE candle_aggregates (
    view_name       text PRIMARY KEY,
    source_interval candle_interval NOT NULL,
    target_interval candle_interval NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT candle_aggregates_source_interval_target_interval_key UNIQUE (source_interval, target_interval),
    CONSTRAINT candle_aggregates_distinct_intervals CHECK (source_interval <> target_interval)
);

CREATE TABLE job_runs (
    id          bigserial PRIMARY KEY,
    job_id      integer NOT NULL,
    proc_name   text NOT NULL,
    hypertable  text,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    succeeded   boolean,
    error       text,
    "trigger"   text NOT NULL CHECK ("trigger" IN ('schedule', 'manual')),
    CONSTRAINT job_runs_finished_after_start CHECK (finished_at IS NULL OR finished_at >= started_at)
);

CREATE INDEX job_runs_job_id_started_at_idx ON job_runs (job_id, started_at DESC);
CREATE INDEX job_runs_started_at_idx ON job_runs (started_at DESC);

-- migrate:down

-- The registered views go with their registry (they would otherwise keep candles from being dropped).
DO $$
DECLARE
    v text;
BEGIN
    FOR v IN SELECT view_name FROM candle_aggregates LOOP
        EXECUTE format('DROP MATERIALIZED VIEW IF EXISTS %I CASCADE', v);
    END LOOP;
END
$$;
DROP TABLE IF EXISTS job_runs;
DROP TABLE IF EXISTS candle_aggregates;
