-- Revision: 0016
-- Message: paper trading accounts
-- Created: 2026-12-04
--
-- A paper account trades one strategy version on one asset and interval with the backtest's execution
-- model (docs/portfolio.md, "Paper trading"). It owns a portfolio (same name, same user) that holds its
-- fills as transactions. last_bar_ts is the last closed bar processed: it moves in the same database
-- transaction as the fills of the bars up to it, so a crash loses nothing and repeats nothing.

-- migrate:up

CREATE TABLE paper_accounts (
    portfolio_id     uuid PRIMARY KEY REFERENCES portfolios (id) ON DELETE CASCADE,
    strategy_id      uuid NOT NULL REFERENCES strategies (id) ON DELETE CASCADE,
    strategy_version integer NOT NULL,
    asset_id         uuid NOT NULL REFERENCES assets (id) ON DELETE RESTRICT,
    "interval"       candle_interval NOT NULL,
    from_ts          timestamptz,
    params           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
    settings         jsonb NOT NULL CHECK (jsonb_typeof(settings) = 'object'),
    last_bar_ts      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (strategy_id, strategy_version) REFERENCES strategy_versions (strategy_id, version) ON DELETE CASCADE
);

-- migrate:down

DROP TABLE IF EXISTS paper_accounts;
