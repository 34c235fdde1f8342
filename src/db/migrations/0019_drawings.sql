-- Revision: 0019
-- Message: chart drawings per user and asset
-- Created: 2026-12-05
--
-- What a user drew on an asset's chart (horizontal lines, trend lines, rectangles, text notes): one
-- row per user and asset holding the whole list, replaced at once by PUT /api/drawings (docs/web.md).
-- Points are times and prices, not bars, so the same drawings show on every interval.

-- migrate:up

CREATE TABLE drawings (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    asset_id   uuid NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    items      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(items) = 'array'),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, asset_id)
);
CREATE INDEX drawings_asset_idx ON drawings (asset_id);

-- migrate:down

DROP TABLE IF EXISTS drawings;
