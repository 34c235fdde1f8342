/**
 * The read_tokens table: long-lived tokens that let a tool (ccxt, freqtrade, a script) read market data
 * through the exchange-compatible endpoint as one user, without the user's password. A token is
 * "tmr_<id>.<secret>"; only sha256(secret) is stored, so it is shown once, when created. It authorises
 * reads of market data only (the compat routes); every other route refuses it as it refuses any
 * string that is not an access token.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { getUser, type User } from './users.ts';

export const READ_TOKEN_PREFIX = 'tmr_';
const TOKEN_RE = /^tmr_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{20,100})$/i;
/** last_used_at is written at most this often per token (not on every request). */
const TOUCH_EVERY_S = 60;

const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');

export type ReadToken = {
  id: string;
  user_id: string;
  username: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
};

const SELECT = `SELECT t.id, t.user_id, u.username, t.name, t.created_at, t.last_used_at, t.revoked_at
  FROM read_tokens t JOIN users u ON u.id = t.user_id`;

/** A new token for the user; `token` is the only time the secret is seen. */
export async function createReadToken(
  q: Queryable,
  userId: string,
  name: string,
): Promise<ReadToken & { token: string }> {
  const n = name.trim();
  if (n.length < 1 || n.length > 100) throw new UserError('a read token name must be 1 to 100 characters');
  const secret = randomBytes(32).toString('base64url');
  const r = await q.query<{ id: string }>(
    'INSERT INTO read_tokens (user_id, name, token_hash) VALUES ($1, $2, $3) RETURNING id',
    [userId, n, digest(secret)],
  );
  const id = r.rows[0].id;
  const t = await q.query<ReadToken>(`${SELECT} WHERE t.id = $1`, [id]);
  return { ...t.rows[0], token: `${READ_TOKEN_PREFIX}${id}.${secret}` };
}

export async function listReadTokens(q: Queryable, userId?: string): Promise<ReadToken[]> {
  const r = await q.query<ReadToken>(
    `${SELECT} WHERE ($1::uuid IS NULL OR t.user_id = $1) ORDER BY u.username, t.created_at`,
    [userId ?? null],
  );
  return r.rows;
}

/** Revokes a live token (of `userId` when given); false when there is none. */
export async function revokeReadToken(q: Queryable, id: string, userId?: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  const r = await q.query(
    `UPDATE read_tokens SET revoked_at = now()
      WHERE id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR user_id = $2)`,
    [id, userId ?? null],
  );
  return r.rowCount > 0;
}

export function looksLikeReadToken(token: string): boolean {
  return token.startsWith(READ_TOKEN_PREFIX);
}

/** The active user a live read token stands for, or null for anything unknown, revoked or malformed. */
export async function readTokenUser(q: Queryable, token: string): Promise<User | null> {
  const m = TOKEN_RE.exec(token);
  if (!m) return null;
  const r = await q.query<{ user_id: string; stale: boolean }>(
    `SELECT user_id, coalesce(last_used_at < now() - make_interval(secs => $3), true) AS stale
       FROM read_tokens WHERE id = $1 AND token_hash = $2 AND revoked_at IS NULL`,
    [m[1], digest(m[2]), TOUCH_EVERY_S],
  );
  const row = r.rows[0];
  if (!row) return null;
  const user = await getUser(q, row.user_id);
  if (!user?.is_active) return null;
  if (row.stale) await q.query('UPDATE read_tokens SET last_used_at = now() WHERE id = $1', [m[1]]);
  return user;
}
