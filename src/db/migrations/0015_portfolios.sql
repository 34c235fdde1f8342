-- Revision: 0015
-- Message: portfolios and their transactions
-- Created: 2026-12-04
--
-- A user's portfolios (name unique per user, case-insensitively; a base currency) and their
-- transactions (docs/portfolio.md). Amounts are exact: numeric with 10 decimal places, read as text
-- and computed in TypeScript as scaled integers (src/portfolio/decimal.ts), never as floats.
-- import_key is a stable key per imported row: importing the same file again changes nothing.
-- Assets held in a portfolio cannot be deleted (RESTRICT): the history would lose its meaning.

-- migrate:up

CREATE TABLE portfolios (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100 AND strpos(name, '/') = 0),
    base_currency text NOT NULL CHECK (base_currency ~ '^[A-Z]{3}$'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX portfolios_user_id_name_key ON portfolios (user_id, lower(name));

CREATE TABLE portfolio_transactions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    portfolio_id uuid NOT NULL REFERENCES portfolios (id) ON DELETE CASCADE,
    type         text NOT NULL CHECK (type IN ('buy', 'sell', 'deposit', 'withdrawal', 'dividend', 'fee',
                                               'interest', 'split', 'transfer_in', 'transfer_out')),
    ts           timestamptz NOT NULL,
    asset_id     uuid REFERENCES assets (id) ON DELETE RESTRICT,
    quantity     numeric(38, 10) NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    price        numeric(38, 10) NOT NULL DEFAULT 0 CHECK (price >= 0),
    fee          numeric(38, 10) NOT NULL DEFAULT 0 CHECK (fee >= 0),
    -- New shares per old share (2 for a 2-for-1 split); only on splits.
    ratio        numeric(38, 10) CHECK (ratio > 0),
    currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    note         text CHECK (length(note) <= 1000),
    import_key   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT portfolio_transactions_asset_needed CHECK (
        asset_id IS NOT NULL OR type NOT IN ('buy', 'sell', 'split')),
    CONSTRAINT portfolio_transactions_no_asset CHECK (
        asset_id IS NULL OR type NOT IN ('deposit', 'withdrawal')),
    CONSTRAINT portfolio_transactions_ratio_on_splits CHECK ((ratio IS NOT NULL) = (type = 'split')),
    CONSTRAINT portfolio_transactions_import_key UNIQUE (portfolio_id, import_key)
);
CREATE INDEX portfolio_transactions_portfolio_id_ts_idx ON portfolio_transactions (portfolio_id, ts, id);
CREATE INDEX portfolio_transactions_asset_id_idx ON portfolio_transactions (asset_id);

-- migrate:down

DROP TABLE IF EXISTS portfolio_transactions;
DROP TABLE IF EXISTS portfolios;
