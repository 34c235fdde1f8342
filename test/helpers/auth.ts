/**
 * Bearer tokens for API tests: a user (admin or not) created directly and a signed access token for
 * them, without going through /api/auth/login (no password hashing, no rate limits).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { signAccessToken } from '../../src/accounts/jwt.ts';

export async function tokenFor(
  app: FastifyInstance,
  opts: { admin?: boolean; username?: string } = {},
): Promise<{ userId: string; token: string; authorization: string }> {
  const username = opts.username ?? `t_${randomUUID().slice(0, 8)}`;
  const r = await app.db.query<{ id: string }>(
    `INSERT INTO users (username, email, password_hash, is_admin) VALUES ($1, $2, 'not-a-hash', $3) RETURNING id`,
    [username, `${username}@example.com`, opts.admin ?? false],
  );
  const token = signAccessToken(r.rows[0].id, await app.auth.secret(), app.config.auth.accessTokenTtl);
  return { userId: r.rows[0].id, token, authorization: `Bearer ${token}` };
}

/** `headers` for app.inject as an administrator. */
export async function adminHeaders(app: FastifyInstance): Promise<{ authorization: string }> {
  return { authorization: (await tokenFor(app, { admin: true })).authorization };
}
