/** Demo data: deterministic, valid, idempotent; the starter set seeds only an empty database. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import type { Database } from '../../src/db/types.ts';
import { demoIntervals, randomWalk, seedDemo } from '../../src/market/demo.ts';
import { priceStats } from '../../src/market/queries.ts';

test('the random walk is deterministic in its seed and gives valid candles', () => {
  const start = Date.UTC(2024, 0, 1);
  const a = [...randomWalk(42, 3, '1h', start, start + 30 * 86_400_000)];
  const b = [...randomWalk(42, 3, '1h', start, start + 30 * 86_400_000)];
  const c = [...randomWalk(43, 3, '1h', start, start + 30 * 86_400_000)];
  assert.equal(a.length, 720);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  for (const k of a) {
    assert.ok(k.low <= Math.min(k.open, k.close) && k.high >= Math.max(k.open, k.close) && k.volume >= 0 && k.low > 0);
  }
});

test('the seeded intervals: the daily rollup only below 1d', () => {
  assert.deepEqual(demoIntervals({ interval: '1h' }), ['1h', '1d']);
  assert.deepEqual(demoIntervals({ interval: '1h', daily: false }), ['1h']);
  for (const i of ['1d', '1w', '1M'] as const) assert.deepEqual(demoIntervals({ interval: i }), [i]);
});

forEachBackend('demo seed', (open) => {
  let db: Database;
  before(async () => {
    db = await open();
  });
  after(async () => db.close());

  test('seeds assets, the interval and its daily rollup; re-seeding changes nothing', async () => {
    const end = new Date('2024-06-01T00:00:00Z');
    const s = await seedDemo(db, { assets: 4, days: 10, interval: '1h', seed: 7, end });
    assert.equal(s.created_assets, 4);
    assert.deepEqual(
      s.candles.map((c) => [c.interval, c.inserted]),
      [
        ['1h', 960],
        ['1d', 40],
      ],
    );
    const again = await seedDemo(db, { assets: 4, days: 10, interval: '1h', seed: 7, end });
    assert.deepEqual(
      again.candles.map((c) => [c.inserted, c.updated]),
      [
        [0, 0],
        [0, 0],
      ],
    );
    const stats = await priceStats(db, { interval: '1d' });
    assert.equal(stats.length, 4);
    assert.equal(stats[0].last_date.toISOString(), '2024-05-31T00:00:00.000Z');
    // The daily close is the last hourly close of that day.
    const r = await db.query<{ ok: boolean }>(
      `SELECT bool_and(d.close = h.close) AS ok FROM candles d
       JOIN candles h ON h.asset_id = d.asset_id AND h."interval" = '1h' AND h.ts = d.ts + interval '23 hours'
       WHERE d."interval" = '1d'`,
    );
    assert.equal(r.rows[0].ok, true);
  });
});
