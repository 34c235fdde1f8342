-- Revision: 0008
-- Message: notifications: channels, the delivery outbox, and triggers that enqueue alert and signal events
-- Created: 2026-12-01
--
-- Users register channels (a webhook URL or an email address) and choose the events they want. Each
-- event becomes one outbox row per matching channel, written by a trigger in the transaction that
-- writes the event: if the event commits, its deliveries exist; if it rolls back, so do they.
-- `tm serve` sends the rows (src/notify, docs/notifications.md).

-- migrate:up

CREATE TABLE notification_channels (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id              uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind                 text NOT NULL CHECK (kind IN ('webhook', 'email')),
    target               text NOT NULL CHECK (length(target) BETWEEN 3 AND 2000),
    -- whsec_<base64>: the webhook signing secret (Standard Webhooks); never listed.
    secret               text,
    events               text[] NOT NULL DEFAULT ARRAY['price_alert', 'signal'],
    -- signal events only for these strategies; NULL = every strategy
    strategies           text[],
    enabled              boolean NOT NULL DEFAULT true,
    disabled_reason      text,
    -- deliveries in a row that failed after their last retry; reset by a success
    consecutive_failures integer NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notification_channels_secret CHECK ((kind = 'webhook') = (secret IS NOT NULL)),
    CONSTRAINT notification_channels_events CHECK (
        cardinality(events) > 0 AND events <@ ARRAY['price_alert', 'signal', 'job_failed', 'sync_failed'])
);
CREATE INDEX notification_channels_user_id_idx ON notification_channels (user_id);

-- The outbox. id is the webhook-id (msg_<id>) on every attempt, so receivers can drop duplicates.
CREATE TABLE notification_deliveries (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    channel_id      uuid NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_type      text NOT NULL,
    event_id        text NOT NULL,
    payload         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    -- when the row may be claimed: the next retry, or the end of a sender's lease
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    CONSTRAINT notification_deliveries_once UNIQUE (channel_id, event_type, event_id)
);
CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notification_deliveries_user_idx ON notification_deliveries (user_id, created_at DESC);

-- The functions keep the migration's search_path: a restore (pg_dump sets an empty one) that
-- inserts events still finds the tables; rows it restores already have their deliveries (DO NOTHING).

-- Price alert events: one statement inserts many (src/accounts/alerts.ts), so the trigger works on
-- the statement's new rows at once.
CREATE FUNCTION notify_price_alerts() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO notification_deliveries (channel_id, user_id, event_type, event_id, payload)
    SELECT c.id, n.user_id, 'price_alert', n.id::text,
           jsonb_build_object(
               'type', 'price_alert',
               'timestamp', n.triggered_at,
               'data', jsonb_build_object(
                   'alert_id', n.id, 'user_id', n.user_id, 'asset_id', n.asset_id,
                   'symbol', a.symbol, 'exchange', a.exchange,
                   'direction', n.direction, 'threshold', n.threshold, 'price', n.price,
                   'candle_ts', n.candle_ts, 'interval', n."interval",
                   'watchlist_id', n.watchlist_id, 'watchlist_item_id', n.watchlist_item_id))
    FROM new_alerts n
    JOIN assets a ON a.id = n.asset_id
    JOIN notification_channels c ON c.user_id = n.user_id AND c.enabled AND 'price_alert' = ANY (c.events)
    ON CONFLICT ON CONSTRAINT notification_deliveries_once DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER price_alerts_notify AFTER INSERT ON price_alerts
    REFERENCING NEW TABLE AS new_alerts FOR EACH STATEMENT EXECUTE FUNCTION notify_price_alerts();

-- Signals: only news. Generation over history inserts many rows per series; the newest one of each
-- series in the statement, if it has not expired, is the signal people want to hear about. It goes to
-- every user who watches the asset (any of their watchlists) and has a channel for its strategy.
CREATE FUNCTION notify_signals() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO notification_deliveries (channel_id, user_id, event_type, event_id, payload)
    -- keyed by the signal's natural key: a recomputed series re-inserts it with a new id, but it is not news
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
CREATE TRIGGER signals_notify AFTER INSERT ON signals
    REFERENCING NEW TABLE AS new_signals FOR EACH STATEMENT EXECUTE FUNCTION notify_signals();

-- migrate:down

DROP TRIGGER IF EXISTS signals_notify ON signals;
DROP TRIGGER IF EXISTS price_alerts_notify ON price_alerts;
DROP FUNCTION IF EXISTS notify_signals();
DROP FUNCTION IF EXISTS notify_price_alerts();
DROP TABLE IF EXISTS notification_deliveries;
DROP TABLE IF EXISTS notification_channels;
