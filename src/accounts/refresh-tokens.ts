/**
 * The refresh_tokens table. A token is "<id>.<secret>"; only sha256(secret) is stored. Refreshing
 * rotates: the old token is revoked and points at its successor, so a replayed (stolen) old token
 * is recognised and revokes every token of that user (after a short grace: see auth.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/types.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** What a session shows on the account page: when it began (kept across rotations) and its browser. */
export interface SessionMeta {
  startedAt?: Date;
  userAgent?: string;
}

export async function issueRefreshToken(
  q: Queryable,
  userId: string,
  ttlSeconds: number,
  meta: SessionMeta = {},
): Promise<{ id: string; token: string }> {
  const secret = randomBytes(32).toString('base64url');
  const r = await q.query<{ id: string }>(
    `INSERT INTO refresh_tokens (user_id, token_hash, expires_at, session_started_at, user_agent)
     VALUES ($1, $2, now() + make_interval(secs => $3), coalesce($4::timestamptz, now()), $5) RETURNING id`,
    [userId, digest(secret), ttlSeconds, meta.startedAt?.toISOString() ?? null, meta.userAgent?.slice(0, 300) ?? null],
  );
  return { id: r.rows[0].id, token: `${r.rows[0].id}.${secret}` };
}

export interface StoredRefreshToken {
  id: string;
  user_id: string;
  expired: boolean;
  revoked: boolean;
  /** Revoked by a refresh (it has a successor), as opposed to a logout or an admin action. */
  rotated: boolean;
  /** Seconds since it was revoked (null while live). */
  revoked_seconds_ago: number | null;
  session_started_at: Date;
  user_agent: string | null;
}

/** The stored token whose secret matches, or null for anything unknown or malformed. */
export async function findRefreshToken(q: Queryable, token: string): Promise<StoredRefreshToken | null> {
  const dot = token.indexOf('.');
  const id = token.slice(0, dot);
  if (dot < 0 || !UUID_RE.test(id)) return null;
  const r = await q.query<StoredRefreshToken>(
    `SELECT id, user_id, expires_at <= now() AS expired, revoked_at IS NOT NULL AS revoked, replaced_by IS NOT NULL AS rotated,
            extract(epoch FROM now() - revoked_at)::float8 AS revoked_seconds_ago, session_started_at, user_agent
     FROM refresh_tokens WHERE id = $1 AND token_hash = $2`,
    [id, digest(token.slice(dot + 1))],
  );
  return r.rows[0] ?? null;
}

/** Revokes one token if it is still live; true when this call revoked it (false: lost a race or already revoked). */
export async function revokeRefreshToken(q: Queryable, id: string, replacedBy?: string): Promise<boolean> {
  const r = await q.query(
    'UPDATE refresh_tokens SET revoked_at = now(), replaced_by = $2 WHERE id = $1 AND revoked_at IS NULL',
    [id, replacedBy ?? null],
  );
  return r.rowCount > 0;
}

export async function revokeAllRefreshTokens(q: Queryable, userId: string): Promise<number> {
  const r = await q.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [
    userId,
  ]);
  return r.rowCount;
}

/** Drops tokens that expired or were revoked more than `keepDays` ago (called on login: cheap, bounded). */
export async function pruneRefreshTokens(q: Queryable, userId: string, keepDays = 7): Promise<void> {
  await q.query(
    `DELETE FROM refresh_tokens WHERE user_id = $1
       AND (expires_at < now() - make_interval(days => $2) OR revoked_at < now() - make_interval(days => $2))`,
    [userId, keepDays],
  );
}

/** A signed-in session: the live refresh token of one login chain. */
export type Session = {
  id: string;
  started_at: Date;
  refreshed_at: Date;
  expires_at: Date;
  user_agent: string | null;
};

export async function listSessions(q: Queryable, userId: string): Promise<Session[]> {
  const r = await q.query<Session>(
    `SELECT id, session_started_at AS started_at, created_at AS refreshed_at, expires_at, user_agent
       FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
      ORDER BY created_at DESC, id`,
    [userId],
  );
  return r.rows;
}

/** Ends one of the user's sessions; another user's or an unknown id is "not found" (false). */
export async function revokeSession(q: Queryable, userId: string, id: string): Promise<boolean> {
  if (!UUID_RE.test(id)) return false;
  const r = await q.query(
    'UPDATE refresh_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL',
    [id, userId],
  );
  return r.rowCount > 0;
}

/** Ends every session of the user but `keepId` (the one asking); returns how many ended. */
export async function revokeOtherSessions(q: Queryable, userId: string, keepId: string | null): Promise<number> {
  const r = await q.query(
    `UPDATE refresh_tokens SET revoked_at = now()
      WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2::uuid)`,
    [userId, keepId],
  );
  return r.rowCount;
}
