-- Revision: 0021
-- Message: sync sources from any exchange ccxt knows; long-lived read tokens for the exchange-compatible endpoint
-- Created: 2026-12-05
--
-- The native providers stay as they were; "ccxt:okx", "ccxt:bybit" ... name an exchange through
-- ccxt (lower-case letters and digits after the prefix, as ccxt's exchange ids are).
--
-- A read token lets a tool (ccxt, freqtrade) read market data through /compat/binance/... as its user,
-- without the user's password or short-lived access tokens. A token is "tmr_<id>.<secret>"; only
-- sha256(secret) is stored. It reads market data only; it never authorises a write.

-- migrate:up

ALTER TABLE sync_sources DROP CONSTRAINT sync_sources_provider_check;
ALTER TABLE sync_sources ADD CONSTRAINT sync_sources_provider_check
    CHECK (provider IN ('binance', 'coinbase', 'kraken', 'polygon') OR provider ~ '^ccxt:[a-z][a-z0-9]{1,39}$');

CREATE TABLE read_tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    CONSTRAINT read_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX read_tokens_user_id_idx ON read_tokens (user_id);

-- migrate:down

DROP TABLE IF EXISTS read_tokens;
DELETE FROM sync_sources WHERE provider LIKE 'ccxt:%';
ALTER TABLE sync_sources DROP CONSTRAINT sync_sources_provider_check;
ALTER TABLE sync_sources ADD CONSTRAINT sync_sources_provider_check
    CHECK (provider IN ('binance', 'coinbase', 'kraken', 'polygon'));
