-- Revision: 0025
-- Message: price alerts can be turned off without losing their thresholds
-- Created: 2026-12-05
--
-- A watchlist item's thresholds stay when its alert is turned off (the Alerts page's "Turn off"); an item
-- turned off is not evaluated, and turned back on it starts from the newest candle (its state is re-armed
-- and forgets the last candle seen), so the bars written meanwhile never fire. (0024 is the chart layouts'.)

-- migrate:up

ALTER TABLE watchlist_items ADD COLUMN price_alert_enabled boolean NOT NULL DEFAULT true;

-- migrate:down

ALTER TABLE watchlist_items DROP COLUMN IF EXISTS price_alert_enabled;
