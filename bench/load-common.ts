/**
 * Shared by the HTTP load benchmarks (load-mixed, load): an administrator's token for the imports, and
 * the count of stored candles that acknowledged writes are checked against (each stored exactly once).
 */
import { signingSecret } from '../src/accounts/secret.ts';
import { signAccessToken } from '../src/accounts/jwt.ts';
import type { Queryable } from '../src/db/types.ts';

/** Replaces the bench's administrator (`username`) and returns a one-hour access token for it. */
export async function benchAdminToken(db: Queryable, username: string, jwtSecret?: string): Promise<string> {
  await db.query(`DELETE FROM users WHERE username = $1`, [username]);
  const u = await db.query<{ id: string }>(
    `INSERT INTO users (username, email, password_hash, is_admin) VALUES ($1, $1 || '@example.com', 'x', true) RETURNING id`,
    [username],
  );
  return signAccessToken(u.rows[0].id, await signingSecret(db, jwtSecret), 3600);
}

/** Deletes an exchange's assets with their candles and write log (the bench's own data). */
export async function clearExchange(db: Queryable, exchange: string): Promise<void> {
  const mine = `asset_id IN (SELECT id FROM assets WHERE exchange = $1)`;
  await db.query(`DELETE FROM candle_writes WHERE ${mine}`, [exchange]);
  await db.query(`DELETE FROM candles WHERE ${mine}`, [exchange]);
  await db.query(`DELETE FROM assets WHERE exchange = $1`, [exchange]);
}

/** Stored 1m candles of `symbols` (without the exchange) on `exchange`: rows and distinct (asset, ts). */
export async function countStored(
  db: Queryable,
  exchange: string,
  symbols: string[],
): Promise<{ rows: number; keys: number }> {
  const r = await db.query<{ rows: number; keys: number }>(
    `SELECT count(*)::int AS rows, count(DISTINCT (c.asset_id, c.ts))::int AS keys
     FROM candles c JOIN assets a ON a.id = c.asset_id
     WHERE a.exchange = $1 AND a.symbol = ANY($2::text[]) AND c."interval" = '1m'`,
    [exchange, symbols],
  );
  return r.rows[0];
}
