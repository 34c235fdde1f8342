-- Revision: 0020
-- Message: notification channels of kind telegram: a chat id as target, the bot token as secret
-- Created: 2026-12-05
--
-- A telegram channel sends every event through the Bot API's sendMessage (src/notify/telegram.ts). The
-- target is the chat id (a number, or @channelname); the bot token is a secret like a webhook's signing
-- secret: written once, never listed. Email is still the only kind without a secret.

-- migrate:up

ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_kind_check;
ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_kind_check
    CHECK (kind IN ('webhook', 'email', 'telegram'));
ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_secret;
ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_secret
    CHECK ((kind IN ('webhook', 'telegram')) = (secret IS NOT NULL));

-- migrate:down

DELETE FROM notification_channels WHERE kind = 'telegram';
ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_secret;
ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_secret
    CHECK ((kind = 'webhook') = (secret IS NOT NULL));
ALTER TABLE notification_channels DROP CONSTRAINT notification_channels_kind_check;
ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_kind_check
    CHECK (kind IN ('webhook', 'email'));
