/**
 * Issue 13, item 1: concurrent POST /api/candles never deadlock. 8 writers over overlapping symbols
 * (new ones, created by the import) and overlapping ranges that open new chunks, half of them sending
 * rows newest-first; then the same rows again with other values (the update path). Every request
 * answers 200 and every (asset, ts) is stored once. On the embedded backend writes are serialized,
 * and must still be correct.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/types.ts';
import { adminHeaders } from '../helpers/auth.ts';
import { forEachBackend } from '../helpers/backends.ts';

const SYMBOLS = ['DLK1', 'DLK2', 'DLK3', 'DLK4'];
const WRITERS = 8;
const HOURS = 24 * 30; // 30 days of 1h candles per symbol and writer: several 7-day chunks, all new
const T0 = Date.UTC(2021, 0, 1); // in the past: the API refuses candles more than a day ahead

/** Writer w sends two symbols, starting 0 or 10 days in, oldest-first when w is even, newest-first when odd. */
function batch(w: number, round: number) {
  const symbols = [SYMBOLS[w % 4], SYMBOLS[(w + 1) % 4]];
  const start = T0 + (w % 2) * 10 * 86_400_000;
  const items = symbols.flatMap((symbol) =>
    Array.from({ length: HOURS }, (_, i) => {
      const p = 100 + (i % 50) + round + w / 100;
      return {
        symbol,
        ts: new Date(start + i * 3_600_000).toISOString(),
        open: p,
        high: p + 1,
        low: p - 1,
        close: p,
        volume: 10,
      };
    }),
  );
  return w % 2 === 0 ? items : items.reverse();
}

forEachBackend('concurrent candle imports', (open) => {
  let db: Database;
  let app: FastifyInstance;
  let admin: { authorization: string };
  before(async () => {
    db = await open();
    app = await buildApp({ db, config: loadConfig({}) });
    admin = await adminHeaders(app);
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  const expected = new Set<string>();
  for (let w = 0; w < WRITERS; w++) for (const c of batch(w, 0)) expected.add(`${c.symbol}|${c.ts}`);

  /** Several users watching every symbol with alerts: the update round evaluates them concurrently too. */
  async function watchEverySymbol(): Promise<void> {
    for (let u = 0; u < 3; u++) {
      const user = await db.query<{ id: string }>(
        `INSERT INTO users (username, email, password_hash) VALUES ($1, $1 || '@example.com', 'x') RETURNING id`,
        [`watcher${u}`],
      );
      const w = await db.query<{ id: string }>(
        "INSERT INTO watchlists (user_id, name) VALUES ($1, 'all') RETURNING id",
        [user.rows[0].id],
      );
      await db.query(
        `INSERT INTO watchlist_items (watchlist_id, asset_id, position, price_alert_high, price_alert_low)
         SELECT $1, id, row_number() OVER (ORDER BY symbol), 140, 90 FROM assets WHERE symbol = ANY($2::text[])`,
        [w.rows[0].id, SYMBOLS],
      );
    }
  }

  for (const round of [0, 1]) {
    test(`8 writers in opposite orders over overlapping symbols and ranges (${round ? 'updates' : 'inserts, new assets and chunks'}): 0 errors, every row once`, async () => {
      if (round === 1) await watchEverySymbol();
      const answers = await Promise.all(
        Array.from({ length: WRITERS }, (_, w) =>
          app.inject({
            method: 'POST',
            url: '/api/candles',
            headers: admin,
            payload: { interval: '1h', asset_type: 'crypto', candles: batch(w, round) },
          }),
        ),
      );
      const failed = answers.filter((a) => a.statusCode !== 200).map((a) => `${a.statusCode} ${a.body}`);
      assert.deepEqual(failed, [], 'every writer answers 200');
      const stored = await db.query<{ n: number; distinct_keys: number; assets: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT (c.asset_id, c.ts))::int AS distinct_keys,
                count(DISTINCT c.asset_id)::int AS assets
         FROM candles c JOIN assets a ON a.id = c.asset_id
         WHERE a.symbol = ANY($1::text[]) AND c."interval" = '1h'`,
        [SYMBOLS],
      );
      assert.deepEqual(stored.rows[0], { n: expected.size, distinct_keys: expected.size, assets: SYMBOLS.length });
      if (round === 1) {
        const sums = answers.map((a) => a.json() as { inserted: number; updated: number });
        assert.equal(
          sums.reduce((n, s) => n + s.inserted, 0),
          0,
          'the second round only updates',
        );
      }
    });
  }
});
