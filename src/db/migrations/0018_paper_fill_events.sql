-- Revision: 0018
-- Message: notification channels may choose paper_fill events
-- Created: 2026-12-05
--
-- A paper account's fills (docs/portfolio.md, "Paper trading") are told to the owner's channels that
-- chose `paper_fill`. The deliveries are written in the database transaction that commits the fills,
-- so a fill is told once: never lost by a crash, never repeated by a second run.

-- migrate:up

ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_events;
ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_events CHECK (
    cardinality(events) > 0 AND events <@ ARRAY['price_alert', 'signal', 'condition_alert', 'job_failed', 'sync_failed', 'paper_fill']);

-- migrate:down

UPDATE notification_channels SET events = array_remove(events, 'paper_fill') WHERE 'paper_fill' = ANY (events);
DELETE FROM notification_channels WHERE cardinality(events) = 0;
ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_events;
ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_events CHECK (
    cardinality(events) > 0 AND events <@ ARRAY['price_alert', 'signal', 'condition_alert', 'job_failed', 'sync_failed']);
