-- Revision: 0017
-- Message: signals from user strategies, and condition alerts (rules in the strategy language)
-- Created: 2026-12-05
--
-- Signals keep the seed's shape; rows made by a user's strategy also say whose strategy and which
-- version made them (NULL for the built-in strategies). Deleting the strategy (or the user) deletes
-- its signals. A user's strategy signal is news for its owner only.
--
-- A condition alert is a user's rule on one asset and interval. It is evaluated on each newly closed
-- bar and fires when the rule turns from false to true; each firing is a condition_alert_events row,
-- and a trigger turns each row into one delivery per enabled channel of the owner that chose the
-- condition_alert event (docs/notifications.md), in the same transaction.

-- migrate:up

ALTER TABLE signals
    ADD COLUMN user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    ADD COLUMN strategy_id uuid,
    ADD COLUMN strategy_version integer,
    ADD CONSTRAINT signals_strategy_version_fkey FOREIGN KEY (strategy_id, strategy_version)
        REFERENCES strategy_versions (strategy_id, version) ON DELETE CASCADE,
    ADD CONSTRAINT signals_user_strategy_check CHECK ((user_id IS NULL) = (strategy_id IS NULL)
        AND (strategy_id IS NULL) = (strategy_version IS NULL));
CREATE INDEX signals_strategy_id_idx ON signals (strategy_id, strategy_version) WHERE strategy_id IS NOT NULL;

CREATE TABLE condition_alerts (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    asset_id   uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    "interval" candle_interval NOT NULL,
    rule       text NOT NULL CHECK (length(rule) BETWEEN 1 AND 4000),
    enabled    boolean NOT NULL DEFAULT true,
    -- the last closed bar evaluated, and the rule's truth on it (NULL: not evaluated yet)
    last_ts    timestamptz,
    last_state boolean,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX condition_alerts_user_id_idx ON condition_alerts (user_id, created_at);
CREATE INDEX condition_alerts_asset_id_idx ON condition_alerts (asset_id, "interval");

-- Firings. They outlive the rule (history), not the user or the asset.
CREATE TABLE condition_alert_events (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    alert_id     uuid REFERENCES condition_alerts (id) ON DELETE SET NULL,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    asset_id     uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    "interval"   candle_interval NOT NULL,
    rule         text NOT NULL,
    -- the bar on whose close the rule turned true, and that close
    candle_ts    timestamptz NOT NULL,
    price        double precision NOT NULL,
    "values"     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof("values") = 'object'),
    triggered_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT condition_alert_events_once UNIQUE (alert_id, candle_ts)
);
CREATE INDEX condition_alert_events_user_id_idx ON condition_alert_events (user_id, triggered_at DESC, id);

-- Channels may choose condition_alert; those that receive price alerts now also receive these.
ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_events;
ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_events CHECK (
    cardinality(events) > 0
    AND events <@ ARRAY['price_alert', 'signal', 'condition_alert', 'job_failed', 'sync_failed']);
ALTER TABLE notification_channels ALTER COLUMN events SET DEFAULT ARRAY['price_alert', 'signal', 'condition_alert'];
UPDATE notification_channels SET events = events || ARRAY['condition_alert']
WHERE 'price_alert' = ANY (events) AND NOT 'condition_alert' = ANY (events);

CREATE FUNCTION notify_condition_alerts() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO notification_deliveries (channel_id, user_id, event_type, event_id, payload)
    SELECT c.id, n.user_id, 'condition_alert', n.id::text,
           jsonb_build_object(
               'type', 'condition_alert',
               'timestamp', n.triggered_at,
               'data', jsonb_build_object(
                   'event_id', n.id, 'alert_id', n.alert_id, 'user_id', n.user_id, 'asset_id', n.asset_id,
                   'symbol', a.symbol, 'exchange', a.exchange, 'interval', n."interval", 'rule', n.rule,
                   'candle_ts', n.candle_ts, 'price', n.price, 'values', n."values"))
    FROM new_events n
    JOIN assets a ON a.id = n.asset_id
    JOIN notification_channels c ON c.user_id = n.user_id AND c.enabled AND 'condition_alert' = ANY (c.events)
    ON CONFLICT ON CONSTRAINT notification_deliveries_once DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER condition_alert_events_notify AFTER INSERT ON condition_alert_events
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION notify_condition_alerts();

-- Signals: as in 0008, except that a user's strategy signal goes to its owner only.
CREATE OR REPLACE FUNCTION notify_signals() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO notification_deliveries (channel_id, user_id, event_type, event_id, payload)
    SELECT c.id, c.user_id, 'signal', s.asset_id || ':' || s.strategy || ':' || s.timeframe || ':' || extract(epoch FROM s.ts),
           jsonb_build_object(
               'type', 'signal',
               'timestamp', s.generated_at,
               'data', jsonb_build_object(
                   'signal_id', s.id, 'asset_id', s.asset_id, 'symbol', a.symbol, 'exchange', a.exchange,
                   'strategy', s.strategy, 'strategy_version', s.strategy_version, 'timeframe', s.timeframe, 'ts', s.ts,
                   'signal_type', s.signal_type, 'strength', s.strength, 'confidence', s.confidence,
                   'price', s.price, 'target_price', s.target_price, 'stop_loss', s.stop_loss,
                   'rationale', s.rationale, 'expires_at', s.expires_at))
    FROM (SELECT DISTINCT ON (asset_id, strategy, timeframe) * FROM new_signals
          ORDER BY asset_id, strategy, timeframe, ts DESC) s
    JOIN assets a ON a.id = s.asset_id
    JOIN (SELECT DISTINCT w.user_id, i.asset_id FROM watchlist_items i JOIN watchlists w ON w.id = i.watchlist_id) u
      ON u.asset_id = s.asset_id AND (s.user_id IS NULL OR s.user_id = u.user_id)
    JOIN notification_channels c ON c.user_id = u.user_id AND c.enabled AND 'signal' = ANY (c.events)
         AND (c.strategies IS NULL OR s.strategy = ANY (c.strategies))
    WHERE s.is_active AND (s.expires_at IS NULL OR s.expires_at > now())
    ON CONFLICT ON CONSTRAINT notification_deliveries_once DO NOTHING;
    RETURN NULL;
END
$$;

-- migrate:down

CREATE OR REPLACE FUNCTION notify_signals() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO notification_deliveries (channel_id, user_id, event_type, event_id, payload)
    SELECT c.id, c.user_id, 'signal', s.asset_id || ':' || s.strategy || ':' || s.timeframe || ':' || extract(epoch FROM s.ts),
           jsonb_build_object(
               'type', 'signal',
               'timestamp', s.generated_at,
               'data', jsonb_build_object(
                   'signal_id', s.id, 'asset_id', s.asset_id, 'symbol', a.symbol, 'exchange', a.exchange,
                   'strategy', s.strategy, 'timeframe', s.timeframe, 'ts', s.ts,
                   'signal_type', s.signal_type, 'strength', s.strength, 'confidence', s.confidence,
                   'price', s.price, 'target_price', s.target_price, 'stop_loss', s.stop_loss,
                   'rationale', s.rationale, 'expires_at', s.expires_at))
    FROM (SELECT DISTINCT ON (asset_id, strategy, timeframe) * FROM new_signals
          ORDER BY asset_id, strategy, timeframe, ts DESC) s
    JOIN assets a ON a.id = s.asset_id
    JOIN (SELECT DISTINCT w.user_id, i.asset_id FROM watchlist_items i JOIN watchlists w ON w.id = i.watchlist_id) u
      ON u.asset_id = s.asset_id
    JOIN notification_channels c ON c.user_id = u.user_id AND c.enabled AND 'signal' = ANY (c.events)
         AND (c.strategies IS NULL OR s.strategy = ANY (c.strategies))
    WHERE s.is_active AND (s.expires_at IS NULL OR s.expires_at > now())
    ON CONFLICT ON CONSTRAINT notification_deliveries_once DO NOTHING;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS condition_alert_events_notify ON condition_alert_events;
DROP FUNCTION IF EXISTS notify_condition_alerts();
DELETE FROM notification_deliveries WHERE event_type = 'condition_alert';
UPDATE notification_channels SET events = array_remove(events, 'condition_alert');
DELETE FROM notification_channels WHERE cardinality(events) = 0;
ALTER TABLE notification_channels ALTER COLUMN events SET DEFAULT ARRAY['price_alert', 'signal'];
ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_events;
ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_events CHECK (
    cardinality(events) > 0 AND events <@ ARRAY['price_alert', 'signal', 'job_failed', 'sync_failed']);
DROP TABLE IF EXISTS condition_alert_events;
DROP TABLE IF EXISTS condition_alerts;
DELETE FROM signals WHERE strategy_id IS NOT NULL;
DELETE FROM analysis_series WHERE kind = 'signal' AND name LIKE 'user:%';
DROP INDEX IF EXISTS signals_strategy_id_idx;
ALTER TABLE signals DROP CONSTRAINT IF EXISTS signals_user_strategy_check;
ALTER TABLE signals DROP CONSTRAINT IF EXISTS signals_strategy_version_fkey;
ALTER TABLE signals DROP COLUMN IF EXISTS strategy_version;
ALTER TABLE signals DROP COLUMN IF EXISTS strategy_id;
ALTER TABLE signals DROP COLUMN IF EXISTS user_id;
