/**
 * Price statistics from the continuous aggregate equal the seed's SQL on the same data whatever state the
 * aggregate is in: never refreshed, fresh, after writes below its watermark (backfill, update, delete), after
 * retention dropped chunks, while a refresh runs. Without TimescaleDB the candles are read.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import type { Database, Row } from '../../src/db/types.ts';
import { addAsset } from '../../src/market/assets-repository.ts';
import { priceStats, priceStatsPlan } from '../../src/market/price-stats.ts';
import { SEED_SQL } from '../helpers/seed-sql.ts';

/** Rows as comparable text: dates as ISO, numbers rounded to 9 significant digits (float sums). */
function norm(rows: readonly object[]): string[] {
  return rows.map((r) =>
    JSON.stringify(
      Object.entries(r)
        .filter(([k]) => k !== 'exchange')
        .map(([k, v]) => [
          k,
          v instanceof Date ? v.toISOString() : typeof v === 'number' ? Number(v.toPrecision(9)) : v,
        ]),
    ),
  );
}

const DAY = 86_400_000;
const T0 = Date.UTC(2023, 0, 1);

forEachBackend(
  'price statistics from the continuous aggregate',
  (open, _backend, name) => {
    let db: Database;
    const ids: Record<string, string> = {};
    const timescale = name !== 'server-plain';

    const same = async (what: string) => {
      const ours = await priceStats(db, { interval: '1d' });
      const seed = await db.query<Row>(SEED_SQL.priceStats);
      assert.ok(ours.length > 0, what);
      assert.deepEqual(norm(ours), norm(seed.rows), what);
    };
    const refresh = () => db.exec("CALL refresh_continuous_aggregate('candle_price_stats', NULL, NULL)");
    const candles = (sym: string, interval: string, fromDay: number, days: number, step = 1) =>
      db.query(
        `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
         SELECT $1, $2::timestamptz + d * interval '1 day', $3, p, p + 1, p - 1, p + sin(d), 10
         FROM generate_series(0, $4 - 1, $5) d, LATERAL (SELECT 50 + 20 * cos(d / 9.0) AS p) x`,
        [ids[sym], new Date(T0 + fromDay * DAY), interval, days, step],
      );

    before(async () => {
      db = await open();
      for (const s of ['ALPHA', 'BETA', 'GAMMA', 'NONE'])
        ids[s] = (await addAsset(db, { symbol: s, name: s, asset_type: 'stock' })).id;
      await candles('ALPHA', '1d', 0, 400);
      await candles('BETA', '1d', 100, 300, 3);
      await candles('GAMMA', '1d', 390, 1);
      await candles('ALPHA', '1h', 200, 20); // another interval: not counted
    });
    after(async () => db.close());

    test('the source: the aggregate with TimescaleDB, the candles without', async () => {
      assert.equal((await priceStatsPlan(db)).source, timescale ? 'aggregate' : 'candles');
    });

    test('never refreshed: everything from candles, equal to the seed', async () => {
      await same('before any refresh');
    });

    test('fresh: only the real-time part is read from candles, equal to the seed', async (t) => {
      if (!timescale) return t.skip('no continuous aggregate without TimescaleDB');
      await refresh();
      const plan = await priceStatsPlan(db);
      assert.equal(plan.source, 'aggregate');
      if (plan.source === 'aggregate') {
        assert.equal(plan.fromCandles.length, 1, JSON.stringify(plan.fromCandles));
        assert.equal(plan.fromCandles[0].to_ts, 'infinity');
        // The watermark is past the newest candle: nothing materialized is read again.
        assert.ok(new Date(plan.fromCandles[0].from_ts).getTime() > T0 + 399 * DAY);
      }
      await same('fresh');
    });

    test('writes below the watermark (backfill, update, delete, a new asset) before the next refresh', async () => {
      await candles('GAMMA', '1d', 10, 30); // backfill into materialized buckets
      await db.query(`UPDATE candles SET close = close + 7, high = high + 7 WHERE asset_id = $1 AND ts = $2`, [
        ids.ALPHA,
        new Date(T0 + 50 * DAY),
      ]);
      await db.query(`DELETE FROM candles WHERE asset_id = $1 AND ts < $2`, [ids.BETA, new Date(T0 + 160 * DAY)]);
      await candles('NONE', '1d', 5, 3);
      await candles('ALPHA', '1d', 400, 5); // and newer ones, past the watermark
      if (timescale) {
        const plan = await priceStatsPlan(db);
        assert.ok(plan.source === 'aggregate' && plan.fromCandles.length >= 2, JSON.stringify(plan));
      }
      await same('after writes, not refreshed');
      if (timescale) await refresh();
      await same('after writes, refreshed');
    });

    test('retention dropped old chunks: their buckets are read from candles', async (t) => {
      if (!timescale) return t.skip('drop_chunks needs TimescaleDB');
      await db.query(`SELECT drop_chunks('candles', older_than => $1::timestamptz)`, [new Date(T0 + 120 * DAY)]);
      await same('after drop_chunks, not refreshed');
      await refresh();
      await same('after drop_chunks, refreshed');
    });

    test('reads during refreshes of new writes give the seed answer', async (t) => {
      if (!timescale) return t.skip('no continuous aggregate without TimescaleDB');
      await db.query(`DELETE FROM candles WHERE asset_id = $1 AND ts >= $2`, [ids.ALPHA, new Date(T0 + 300 * DAY)]);
      const expected = norm((await db.query<Row>(SEED_SQL.priceStats)).rows);
      const reads = Array.from({ length: 6 }, async () => norm(await priceStats(db, { interval: '1d' })));
      const [, ...results] = await Promise.all([refresh(), ...reads]);
      for (const r of results) assert.deepEqual(r, expected);
    });
  },
  { plain: true },
);
