-- Revision: 0021
-- Message: sync sources from any exchange ccxt knows
-- Created: 2026-12-05
--
-- The native providers stay as they were; "ccxt:okx", "ccxt:bybit" ... name an exchange through
-- ccxt (lower-case letters and digits after the prefix, as ccxt's exchange ids are).

-- migrate:up

ALTER TABLE sync_sources DROP CONSTRAINT sync_sources_provider_check;
ALTER TABLE sync_sources ADD CONSTRAINT sync_sources_provider_check
    CHECK (provider IN ('binance', 'coinbase', 'kraken', 'polygon') OR provider ~ '^ccxt:[a-z][a-z0-9]{1,39}$');

-- migrate:down

DELETE FROM sync_sources WHERE provider LIKE 'ccxt:%';
ALTER TABLE sync_sources DROP CONSTRAINT sync_sources_provider_check;
ALTER TABLE sync_sources ADD CONSTRAINT sync_sources_provider_check
    CHECK (provider IN ('binance', 'coinbase', 'kraken', 'polygon'));
