-- Revision: 0023
-- Message: account settings: API tokens, preferences, sessions
-- Created: 2026-12-05
--
-- What the account page manages (docs/accounts.md): personal API tokens with a scope (only a SHA-256 of
-- the secret is stored, like refresh tokens), display preferences, and enough about each session to list
-- it: when it started (kept across refresh-token rotations) and the browser it came from.

-- migrate:up

CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    scope        text NOT NULL CHECK (scope IN ('read', 'write')),
    token_hash   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);

CREATE TABLE user_preferences (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    timezone   text NOT NULL DEFAULT 'UTC' CHECK (length(timezone) BETWEEN 1 AND 64),
    clock      text NOT NULL DEFAULT '24h' CHECK (clock IN ('24h', '12h')),
    theme      text NOT NULL DEFAULT 'auto' CHECK (theme IN ('auto', 'light', 'dark')),
    updated_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE refresh_tokens ADD COLUMN session_started_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE refresh_tokens ADD COLUMN user_agent text CHECK (length(user_agent) <= 300);

-- migrate:down

ALTER TABLE refresh_tokens DROP COLUMN IF EXISTS user_agent;
ALTER TABLE refresh_tokens DROP COLUMN IF EXISTS session_started_at;
DROP TABLE IF EXISTS user_preferences;
DROP TABLE IF EXISTS api_tokens;
