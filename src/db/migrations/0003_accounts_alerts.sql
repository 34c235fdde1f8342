-- Revision: 0003
-- Message: accounts and alerts
-- Created: 2026-11-24
--
-- Additions to the seed's schema for accounts and price alerts (docs/schema.md, "Additions"):
-- refresh tokens (stored hashed), the arming state of each item's price alerts, the alert events
-- users list, and dense unique item positions. Independent of revision 0002.

-- migrate:up

-- Revocable refresh tokens. Only a SHA-256 of the token's secret part is stored: a leaked table
-- cannot be replayed. replaced_by links a rotated token to its successor (reuse detection).
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    replaced_by uuid REFERENCES refresh_tokens (id) ON DELETE SET NULL,
    CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);

-- Whether each side of an item's alert may fire: it fires once when the price crosses the
-- threshold (armed -> false) and re-arms when the price is back on the other side.
CREATE TABLE price_alert_states (
    watchlist_item_id uuid PRIMARY KEY REFERENCES watchlist_items (id) ON DELETE CASCADE,
    high_armed        boolean NOT NULL DEFAULT true,
    low_armed         boolean NOT NULL DEFAULT true,
    last_price        double precision,
    last_ts           timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Alert events. They outlive the item (history), not the user or the asset.
CREATE TABLE price_alerts (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    watchlist_id      uuid REFERENCES watchlists (id) ON DELETE SET NULL,
    watchlist_item_id uuid REFERENCES watchlist_items (id) ON DELETE SET NULL,
    asset_id          uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    direction         text NOT NULL CHECK (direction IN ('above', 'below')),
    threshold         double precision NOT NULL,
    price             double precision NOT NULL,
    candle_ts         timestamptz NOT NULL,
    "interval"        candle_interval NOT NULL,
    triggered_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX price_alerts_user_id_triggered_at_idx ON price_alerts (user_id, triggered_at DESC, id);
CREATE INDEX price_alerts_asset_id_idx ON price_alerts (asset_id);
CREATE INDEX price_alerts_watchlist_id_idx ON price_alerts (watchlist_id);
CREATE INDEX price_alerts_watchlist_item_id_idx ON price_alerts (watchlist_item_id);

-- Positions are dense (0..n-1) and unique per list. Deferred, so a reorder can move rows through
-- each other within one transaction. Existing rows are renumbered first, keeping their order.
UPDATE watchlist_items i SET position = r.rn - 1
FROM (SELECT id, row_number() OVER (PARTITION BY watchlist_id ORDER BY position, created_at, id) AS rn FROM watchlist_items) r
WHERE r.id = i.id AND i.position <> r.rn - 1;
ALTER TABLE watchlist_items ADD CONSTRAINT watchlist_items_watchlist_id_position_key
    UNIQUE (watchlist_id, position) DEFERRABLE INITIALLY DEFERRED;

-- migrate:down

ALTER TABLE watchlist_items DROP CONSTRAINT IF EXISTS watchlist_items_watchlist_id_position_key;
DROP TABLE IF EXISTS price_alerts;
DROP TABLE IF EXISTS price_alert_states;
DROP TABLE IF EXISTS refresh_tokens;
DELETE FROM app_meta WHERE key = 'jwt_secret';
