-- Revision: 0001
-- Message: initial schema
-- Created: 2026-11-24
--
-- The seed's five steps: 1. TimescaleDB extension, 2. enum types, 3. tables, 4. indexes,
-- 5. candles as a hypertable with 7-day chunks. Where the extension cannot be installed the
-- migration keeps candles a plain table, raises a WARNING and records why in app_meta.

-- migrate:up

-- 1. Extension. CREATE EXTENSION fails when the package is missing or not preloaded; that is
-- caught so the schema still installs on plain PostgreSQL.
CREATE TABLE app_meta (
    key        text PRIMARY KEY,
    value      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        RETURN;
    END IF;
    BEGIN
        CREATE EXTENSION IF NOT EXISTS timescaledb CASCADE;
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'TimescaleDB is not available on this server (%); candles stays a plain table. Install TimescaleDB, then run "tm hypertable ensure".', SQLERRM;
        INSERT INTO app_meta (key, value)
        VALUES ('timescaledb_missing', jsonb_build_object('reason', SQLERRM, 'at', now()))
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now();
    END;
END
$$;

-- 2. Enum types.
CREATE TYPE asset_type AS ENUM ('stock', 'etf', 'crypto', 'forex', 'commodity');
CREATE TYPE candle_interval AS ENUM ('1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w', '1M');
CREATE TYPE indicator_type AS ENUM ('sma', 'ema', 'rsi', 'macd', 'bbands', 'atr', 'obv', 'stoch', 'adx', 'cci');
CREATE TYPE signal_type AS ENUM ('buy', 'sell', 'hold', 'strong_buy', 'strong_sell');

-- updated_at is the database's job, so no code path can forget it.
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

-- 3. Tables. User-facing ones have UUID keys, time series bigserial keys. All times timestamptz (UTC).
CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username      text NOT NULL CHECK (length(username) BETWEEN 1 AND 64),
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 320 AND position('@' IN email) > 1),
    password_hash text NOT NULL,
    is_active     boolean NOT NULL DEFAULT true,
    is_admin      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    last_login    timestamptz
);

CREATE TABLE assets (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    symbol     text NOT NULL CHECK (length(symbol) BETWEEN 1 AND 32),
    name       text NOT NULL,
    asset_type asset_type NOT NULL,
    exchange   text,
    sector     text,
    industry   text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE watchlists (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description text,
    color       text CHECK (color ~ '^#[0-9A-Fa-f]{6}$'),
    icon        text,
    is_default  boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE watchlist_items (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    watchlist_id     uuid NOT NULL REFERENCES watchlists (id) ON DELETE CASCADE,
    asset_id         uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    position         integer NOT NULL DEFAULT 0 CHECK (position >= 0),
    notes            text,
    price_alert_high double precision CHECK (price_alert_high > 0),
    price_alert_low  double precision CHECK (price_alert_low > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT watchlist_items_watchlist_id_asset_id_key UNIQUE (watchlist_id, asset_id),
    CONSTRAINT watchlist_items_alert_range CHECK (
        price_alert_high IS NULL OR price_alert_low IS NULL OR price_alert_high > price_alert_low)
);

-- A hypertable's unique keys must contain the time column: the key is (id, ts).
-- Market data is precious: deleting an asset that still has candles is refused (RESTRICT).
CREATE TABLE candles (
    id         bigserial NOT NULL,
    asset_id   uuid NOT NULL REFERENCES assets (id) ON DELETE RESTRICT,
    ts         timestamptz NOT NULL,
    "interval" candle_interval NOT NULL,
    open       double precision NOT NULL,
    high       double precision NOT NULL,
    low        double precision NOT NULL,
    close      double precision NOT NULL,
    volume     double precision NOT NULL DEFAULT 0 CHECK (volume >= 0),
    trades     bigint CHECK (trades >= 0),
    vwap       double precision,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT candles_pkey PRIMARY KEY (id, ts),
    CONSTRAINT candles_asset_id_interval_ts_key UNIQUE (asset_id, "interval", ts),
    CONSTRAINT candles_ohlc_valid CHECK (
        low <= high AND low <= open AND low <= close AND high >= open AND high >= close)
);

-- Derived data goes with its asset (CASCADE).
CREATE TABLE indicators (
    id             bigserial PRIMARY KEY,
    asset_id       uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    ts             timestamptz NOT NULL,
    indicator_type indicator_type NOT NULL,
    name           text NOT NULL,
    value          double precision,
    value2         double precision,
    value3         double precision,
    parameters     jsonb NOT NULL DEFAULT '{}'::jsonb,
    timeframe      candle_interval NOT NULL,
    computed_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT indicators_asset_id_timeframe_name_ts_key UNIQUE (asset_id, timeframe, name, ts)
);

CREATE TABLE signals (
    id              bigserial PRIMARY KEY,
    asset_id        uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    ts              timestamptz NOT NULL,
    signal_type     signal_type NOT NULL,
    strength        double precision NOT NULL CHECK (strength BETWEEN 0 AND 1),
    confidence      double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    price           double precision NOT NULL,
    target_price    double precision,
    stop_loss       double precision,
    strategy        text NOT NULL,
    rationale       text NOT NULL DEFAULT '',
    indicators_used jsonb NOT NULL DEFAULT '{}'::jsonb,
    timeframe       candle_interval NOT NULL,
    is_active       boolean NOT NULL DEFAULT true,
    generated_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    CONSTRAINT signals_asset_id_strategy_timeframe_ts_key UNIQUE (asset_id, strategy, timeframe, ts)
);

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER assets_set_updated_at BEFORE UPDATE ON assets
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER watchlists_set_updated_at BEFORE UPDATE ON watchlists
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER watchlist_items_set_updated_at BEFORE UPDATE ON watchlist_items
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- 4. Indexes: the seed's, plus what uniqueness and foreign keys need.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX assets_symbol_exchange_key ON assets (symbol, coalesce(exchange, ''));
CREATE INDEX assets_asset_type_idx ON assets (asset_type);
CREATE INDEX watchlists_user_id_idx ON watchlists (user_id);
CREATE UNIQUE INDEX watchlists_one_default_per_user ON watchlists (user_id) WHERE is_default;
CREATE INDEX watchlist_items_asset_id_idx ON watchlist_items (asset_id);
CREATE INDEX candles_asset_id_ts_interval_idx ON candles (asset_id, ts, "interval");
CREATE INDEX candles_ts_asset_id_idx ON candles (ts, asset_id);
CREATE INDEX indicators_asset_id_indicator_type_ts_idx ON indicators (asset_id, indicator_type, ts);
CREATE INDEX indicators_asset_id_name_ts_idx ON indicators (asset_id, name, ts);
CREATE INDEX signals_asset_id_ts_idx ON signals (asset_id, ts);
CREATE INDEX signals_asset_id_signal_type_ts_idx ON signals (asset_id, signal_type, ts);
CREATE INDEX signals_is_active_ts_idx ON signals (is_active, ts);

-- 5. candles becomes a hypertable with 7-day chunks. The catalog says which API the installed
-- TimescaleDB has: by_range() since 2.13, the positional form before.
DO $$
DECLARE
    v text;
BEGIN
    SELECT extversion INTO v FROM pg_extension WHERE extname = 'timescaledb';
    IF v IS NULL THEN
        RAISE WARNING 'candles is a plain table: TimescaleDB is not installed.';
        RETURN;
    END IF;
    IF string_to_array(split_part(v, '-', 1), '.')::int[] >= ARRAY[2, 13] THEN
        EXECUTE $q$SELECT create_hypertable('candles', by_range('ts', INTERVAL '7 days'), create_default_indexes => false)$q$;
    ELSE
        EXECUTE $q$SELECT create_hypertable('candles', 'ts', chunk_time_interval => INTERVAL '7 days', create_default_indexes => false)$q$;
    END IF;
END
$$;

-- migrate:down

DROP TABLE IF EXISTS signals;
DROP TABLE IF EXISTS indicators;
DROP TABLE IF EXISTS candles;
DROP TABLE IF EXISTS watchlist_items;
DROP TABLE IF EXISTS watchlists;
DROP TABLE IF EXISTS assets;
DROP TABLE IF EXISTS users;
DROP FUNCTION IF EXISTS set_updated_at();
DROP TYPE IF EXISTS signal_type;
DROP TYPE IF EXISTS indicator_type;
DROP TYPE IF EXISTS candle_interval;
DROP TYPE IF EXISTS asset_type;
DROP TABLE IF EXISTS app_meta;
-- The timescaledb extension stays: other databases objects may use it, and dropping it needs
-- superuser rights on most managed services.
