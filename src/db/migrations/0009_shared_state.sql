-- Revision: 0009
-- Message: shared state for several tm serve processes: rate-limit counters and job leases
-- Created: 2026-12-01
--
-- With `tm serve --workers N`, or several servers on one database, what one process kept in memory must
-- live here (docs/scaling.md). rate_limit_hits is UNLOGGED: counters are worth no WAL, and a crash that
-- empties them only forgives a minute of requests (it is not replicated either: replicas never read it).

-- migrate:up

-- One fixed window per key, from its first hit (as the in-memory counter does); expired rows are reused
-- by the next hit and swept now and then.
CREATE UNLOGGED TABLE rate_limit_hits (
    key        text PRIMARY KEY,
    expires_at timestamptz NOT NULL,
    hits       integer NOT NULL
);
CREATE INDEX rate_limit_hits_expires ON rate_limit_hits (expires_at);

-- One row per background job: the process that holds an unexpired lease runs it; others skip their turn.
-- A lease row rather than an advisory lock, so it works through PgBouncer in transaction mode.
CREATE TABLE job_leases (
    name        text PRIMARY KEY,
    holder      text NOT NULL,
    acquired_at timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    -- rounds run under this lease by any holder (a check that a job did not run twice per round)
    runs        bigint NOT NULL DEFAULT 0
);

-- migrate:down

DROP TABLE IF EXISTS job_leases;
DROP TABLE IF EXISTS rate_limit_hits;
