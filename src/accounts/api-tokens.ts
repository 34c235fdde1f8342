/**
 * Personal API tokens: "tmk_<id>.<secret>", only sha256(secret) stored. A token acts for its user with a
 * scope: read (GET and HEAD only) or write (everything the user may do). Shown once, at creation.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { getUser, type User } from './users.ts';

export const API_TOKEN_PREFIX = 'tmk_';
export const API_TOKEN_SCOPES = ['read', 'write'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];
const TOKEN_RE = /^tmk_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;
/** Writing last_used_at on every request would make each read a write: once a minute is enough to show. */
const TOUCH_EVERY_S = 60;

const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');

export type ApiToken = {
  id: string;
  name: string;
  scope: ApiTokenScope;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
};

const COLUMNS = 'id, name, scope, created_at, last_used_at, expires_at';

export async function createApiToken(
  q: Queryable,
  userId: string,
  o: { name: string; scope: ApiTokenScope; expiresInDays?: number },
): Promise<ApiToken & { token: string }> {
  const name = o.name.trim();
  if (!name || name.length > 100) throw new UserError('name: 1 to 100 characters');
  if (o.expiresInDays !== undefined && !(Number.isInteger(o.expiresInDays) && o.expiresInDays >= 1))
    throw new UserError('expires_in_days: a whole number of days, at least 1');
  const secret = randomBytes(32).toString('base64url');
  const r = await q.query<ApiToken>(
    `INSERT INTO api_tokens (user_id, name, scope, token_hash, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(days => $5)) RETURNING ${COLUMNS}`,
    [userId, name, o.scope, digest(secret), o.expiresInDays ?? null],
  );
  const t = r.rows[0];
  return { ...t, token: `${API_TOKEN_PREFIX}${t.id}.${secret}` };
}

/** The user's live tokens (not revoked, not expired), newest first. */
export async function listApiTokens(q: Queryable, userId: string): Promise<ApiToken[]> {
  const r = await q.query<ApiToken>(
    `SELECT ${COLUMNS} FROM api_tokens
      WHERE user_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
      ORDER BY created_at DESC, id`,
    [userId],
  );
  return r.rows;
}

/** Revokes one of the user's tokens; another user's or an unknown id is "not found". */
export async function revokeApiToken(q: Queryable, userId: string, id: string): Promise<void> {
  const r = await q.query(
    'UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL',
    [id, userId],
  );
  if (r.rowCount === 0) throw new UserError(`API token ${id} not found`, 404);
}

export const looksLikeApiToken = (token: string) => token.startsWith(API_TOKEN_PREFIX);

/** The active user and scope a live token stands for, or null. */
export async function authenticateApiToken(
  q: Queryable,
  token: string,
): Promise<{ user: User; scope: ApiTokenScope } | null> {
  const m = TOKEN_RE.exec(token);
  if (!m) return null;
  const r = await q.query<{ user_id: string; scope: ApiTokenScope; stale: boolean }>(
    `SELECT user_id, scope, last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $3) AS stale
       FROM api_tokens
      WHERE id = $1 AND token_hash = $2 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    [m[1], digest(m[2]), TOUCH_EVERY_S],
  );
  const t = r.rows[0];
  if (!t) return null;
  const user = await getUser(q, t.user_id);
  if (!user?.is_active) return null;
  if (t.stale) await q.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [m[1]]);
  return { user, scope: t.scope };
}
