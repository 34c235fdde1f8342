/**
 * The access-token signing key: TM_JWT_SECRET when set, else a random one generated on first use and
 * kept in app_meta, so tokens survive restarts and every API process on one database agrees.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/types.ts';

const KEY = 'jwt_secret';

export async function signingSecret(q: Queryable, configured?: string): Promise<string> {
  if (configured) return configured;
  // ON CONFLICT DO NOTHING: two processes starting at once end up with the same stored key.
  await q.query(`INSERT INTO app_meta (key, value) VALUES ($1, to_jsonb($2::text)) ON CONFLICT (key) DO NOTHING`, [
    KEY,
    randomBytes(48).toString('base64url'),
  ]);
  const r = await q.query<{ secret: string }>(`SELECT value #>> '{}' AS secret FROM app_meta WHERE key = $1`, [KEY]);
  return r.rows[0].secret;
}
