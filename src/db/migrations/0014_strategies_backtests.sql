-- Revision: 0014
-- Message: user strategies (rules in the strategy language, versioned) and stored backtest runs
-- Created: 2026-12-04
--
-- A strategy is a user's named pair of rules (entry, exit) with parameter defaults. Saving it again
-- adds a version; the rows of a version never change, so a backtest (or a signal) records the version
-- it ran and can be read back against the exact rules. A backtest run keeps what it ran (strategy
-- version, parameters, data range, execution-model settings) and what came out (metrics, trades, the
-- equity curve). Deleting a strategy deletes its versions and runs; deleting a user deletes all three.

-- migrate:up

CREATE TABLE strategies (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT strategies_user_id_name_key UNIQUE (user_id, name)
);

CREATE TABLE strategy_versions (
    strategy_id uuid NOT NULL REFERENCES strategies (id) ON DELETE CASCADE,
    version     integer NOT NULL CHECK (version >= 1),
    entry_rule  text NOT NULL CHECK (length(entry_rule) BETWEEN 1 AND 4000),
    exit_rule   text NOT NULL CHECK (length(exit_rule) BETWEEN 1 AND 4000),
    params      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (strategy_id, version)
);

CREATE TABLE backtest_runs (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    strategy_id      uuid NOT NULL,
    strategy_version integer NOT NULL,
    asset_id         uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    "interval"       candle_interval NOT NULL,
    from_ts          timestamptz NOT NULL,
    to_ts            timestamptz NOT NULL,
    bars             integer NOT NULL CHECK (bars >= 0),
    params           jsonb NOT NULL,
    settings         jsonb NOT NULL,
    metrics          jsonb NOT NULL,
    trades           jsonb NOT NULL,
    equity           double precision[] NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (strategy_id, strategy_version) REFERENCES strategy_versions (strategy_id, version) ON DELETE CASCADE
);
-- Listing a user's runs, newest first.
CREATE INDEX backtest_runs_user_id_created_at_idx ON backtest_runs (user_id, created_at DESC, id DESC);
CREATE INDEX backtest_runs_strategy_id_idx ON backtest_runs (strategy_id, strategy_version);

-- migrate:down

DROP TABLE IF EXISTS backtest_runs;
DROP TABLE IF EXISTS strategy_versions;
DROP TABLE IF EXISTS strategies;
