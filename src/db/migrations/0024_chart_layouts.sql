-- Revision: 0024
-- Message: chart layouts per user
-- Created: 2026-12-05
--
-- The Layouts page (docs/web.md): two or four charts side by side, each a symbol and an interval, saved
-- under a name per user and replaced whole by PUT /api/layouts/{name}. Cells hold symbols (checked
-- against assets when saved), so a layout reads like its URL (`/layout?cells=BTC:1h,ETH:1d`).

-- migrate:up

CREATE TABLE chart_layouts (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    cells      jsonb NOT NULL CHECK (jsonb_typeof(cells) = 'array' AND jsonb_array_length(cells) IN (2, 4)),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, name)
);

-- migrate:down

DROP TABLE IF EXISTS chart_layouts;
