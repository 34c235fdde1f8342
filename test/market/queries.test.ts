/**
 * The six common queries against the seed's literal SQL on the same data, on both backends:
 * ties, an asset with a single candle, an asset with none, other intervals mixed in. And the
 * per-asset "latest" queries must read a few index entries per asset, not every candle.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { refreshSeries } from '../../src/market/candle-series.ts';
import type { Database, Row } from '../../src/db/types.ts';
import { addAsset } from '../../src/market/assets-repository.ts';
import {
  PRICE_CHANGES_SQL,
  activeSignals,
  countCandles,
  latestCandles,
  latestIndicators,
  latestSignals,
  priceChanges,
  priceStats,
} from '../../src/market/queries.ts';
import { SEED_SQL } from '../helpers/seed-sql.ts';
import { must } from '../helpers/must.ts';

/** Rows as comparable text: dates as ISO, numbers rounded to 9 significant digits (float sums). */
function norm(rows: readonly object[], drop: string[] = []): string[] {
  return rows
    .map((r) =>
      JSON.stringify(
        Object.entries(r)
          .filter(([k]) => !drop.includes(k))
          .map(([k, v]) => [
            k,
            v instanceof Date ? v.toISOString() : typeof v === 'number' ? Number(v.toPrecision(9)) : v,
          ]),
      ),
    )
    .sort();
}

function assertOrdered<T>(rows: T[], key: (r: T) => number | string, desc = true) {
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [key(rows[i - 1]), key(rows[i])];
    assert.ok(desc ? a >= b : a <= b, `rows ${i - 1} and ${i} out of order`);
  }
}

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

forEachBackend(
  'the seed queries',
  (open) => {
    let db: Database;
    const ids: Record<string, string> = {};
    before(async () => {
      db = await open();
      for (const s of ['ALPHA', 'BETA', 'SOLO', 'EMPTY', 'TIE1', 'TIE2'])
        ids[s] = (await addAsset(db, { symbol: s, name: s, asset_type: 'stock' })).id;
      const ins = async (sym: string, interval: string, day: number, close: number, prev = close) =>
        db.query(
          `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            ids[sym],
            new Date(T0 + day * DAY),
            interval,
            prev,
            Math.max(prev, close) + 1,
            Math.min(prev, close) - 1,
            close,
            100 + day,
          ],
        );
      for (let d = 0; d < 40; d++) await ins('ALPHA', '1d', d, 100 + Math.sin(d) * 10);
      for (let d = 0; d < 12; d++) await ins('BETA', '1d', d * 3, 50 + d);
      await ins('BETA', '1h', 100, 999); // a newer candle of another interval must not count
      await ins('SOLO', '1d', 5, 42);
      // TIE1 and TIE2 end with the same percentage change.
      await ins('TIE1', '1d', 1, 10);
      await ins('TIE1', '1d', 2, 11);
      await ins('TIE2', '1d', 7, 20);
      await ins('TIE2', '1d', 9, 22);
      // Candles written with plain SQL: record their series as tm analyze does.
      await refreshSeries(db);
      // Indicators: recent and old, several sharing a ts.
      const now = Date.now();
      let n = 0;
      for (const sym of ['ALPHA', 'BETA', 'SOLO']) {
        for (const ageDays of [0.5, 1, 1, 3, 6.5, 8, 30]) {
          n++;
          await db.query(
            `INSERT INTO indicators (asset_id, ts, indicator_type, name, value, timeframe) VALUES ($1, $2, 'sma', $3, $4, '1d')`,
            [ids[sym], new Date(Math.floor((now - ageDays * DAY) / 1000) * 1000), `sma_${n}`, n * 1.5],
          );
        }
      }
      // Signals: active and inactive; TIE1's two newest active signals share a ts (two strategies).
      const sig = async (sym: string, day: number, strategy: string, active: boolean, type = 'buy') =>
        db.query(
          `INSERT INTO signals (asset_id, ts, signal_type, strength, confidence, price, strategy, rationale, timeframe, is_active)
         VALUES ($1, $2, $3, 0.5, 0.7, 10, $4, $5, '1d', $6)`,
          [ids[sym], new Date(T0 + day * DAY), type, strategy, `${sym} ${strategy} ${day}`, active],
        );
      await sig('ALPHA', 1, 'x', true);
      await sig('ALPHA', 5, 'x', true, 'sell');
      await sig('ALPHA', 9, 'x', false);
      await sig('BETA', 3, 'x', true, 'hold');
      await sig('SOLO', 4, 'x', false);
      await sig('TIE1', 8, 'x', true, 'buy');
      await sig('TIE1', 8, 'y', true, 'strong_buy');
      await sig('TIE1', 2, 'z', true);
      await db.exec('ANALYZE');
    });
    after(async () => db.close());

    test('latest candles equal the seed SQL', async () => {
      for (const [sym, limit] of [
        ['ALPHA', 30],
        ['SOLO', 30],
        ['EMPTY', 30],
        ['BETA', 5],
      ] as const) {
        const ours = await latestCandles(db, { assetId: ids[sym], interval: '1d', limit });
        const seed = await db.query(SEED_SQL.latestCandles, [ids[sym], '1d', limit]);
        assert.deepEqual(ours, seed.rows, sym);
      }
      assert.equal((await latestCandles(db, { assetId: ids.ALPHA, interval: '1d', limit: 30 })).length, 30);
      // A page further back is the seed's rows past the offset.
      const page = await latestCandles(db, { assetId: ids.ALPHA, interval: '1d', limit: 7, offset: 10 });
      assert.deepEqual(page, (await db.query(SEED_SQL.latestCandles, [ids.ALPHA, '1d', 17])).rows.slice(10));
      assert.equal(
        await countCandles(db, { assetId: ids.ALPHA, interval: '1d' }),
        (await db.query('SELECT 1 FROM candles WHERE asset_id = $1 AND "interval" = \'1d\'', [ids.ALPHA])).rows.length,
      );
    });

    test('latest indicators equal the seed SQL (7 days), in its order', async () => {
      const ours = await latestIndicators(db, { days: 7 });
      const seed = await db.query<Row>(SEED_SQL.latestIndicators);
      assert.equal(ours.length, 15);
      assert.deepEqual(norm(ours), norm(seed.rows));
      // The seed orders by symbol, then newest first; ties on ts may come in any order.
      assert.deepEqual(
        ours.map((r) => [r.symbol, r.ts.getTime()]),
        (seed.rows as { symbol: string; ts: Date }[]).map((r) => [r.symbol, r.ts.getTime()]),
      );
    });

    test('latest indicators page by page: the pages join into the whole list, in the seed order', async () => {
      const all = await latestIndicators(db, { days: 7 });
      const pages = [];
      for (let offset = 0; offset < all.length + 4; offset += 4)
        pages.push(...(await latestIndicators(db, { days: 7, limit: 4, offset })));
      assert.deepEqual(pages, all);
      const first = await latestIndicators(db, { days: 7, limit: 5 });
      const seed = (await db.query<{ symbol: string; ts: Date }>(SEED_SQL.latestIndicators)).rows.slice(0, 5);
      assert.deepEqual(
        first.map((r) => [r.symbol, r.ts.getTime()]),
        seed.map((r) => [r.symbol, r.ts.getTime()]),
      );
    });

    test('active signals page by page: the pages join into the whole list, newest first', async () => {
      const all = await activeSignals(db);
      const pages = [];
      for (let offset = 0; offset < all.length + 2; offset += 2)
        pages.push(...(await activeSignals(db, { limit: 2, offset })));
      assert.deepEqual(pages, all);
      const seed = (await db.query<{ ts: Date }>(SEED_SQL.activeSignals)).rows;
      assert.deepEqual(
        (await activeSignals(db, { limit: 3 })).map((r) => r.ts.getTime()),
        seed.slice(0, 3).map((r) => r.ts.getTime()),
      );
    });

    test('active signals equal the seed SQL', async () => {
      const ours = await activeSignals(db);
      const seed = await db.query<Row>(SEED_SQL.activeSignals);
      assert.equal(ours.length, 6);
      assert.deepEqual(norm(ours), norm(seed.rows));
      assertOrdered(ours, (r) => r.ts.getTime());
    });

    test('latest signal per asset equals the seed SQL; on a tie it is one of the tied signals', async () => {
      const ours = await latestSignals(db);
      const seed = (await db.query<{ symbol: string; ts: Date; rationale: string }>(SEED_SQL.latestSignals)).rows;
      assert.deepEqual(ours.map((r) => r.symbol).sort(), ['ALPHA', 'BETA', 'TIE1']);
      assert.deepEqual(norm(ours.filter((r) => r.symbol !== 'TIE1')), norm(seed.filter((r) => r.symbol !== 'TIE1')));
      const tie = must(ours.find((r) => r.symbol === 'TIE1'));
      assert.equal(tie.ts.getTime(), must(seed.find((r) => r.symbol === 'TIE1')).ts.getTime());
      assert.ok(['TIE1 x 8', 'TIE1 y 8'].includes(tie.rationale));
      assertOrdered(ours, (r) => r.ts.getTime());
    });

    test('price statistics equal the seed SQL (assets without candles are absent)', async () => {
      const ours = await priceStats(db, { interval: '1d' });
      const seed = await db.query<Row>(SEED_SQL.priceStats);
      assert.deepEqual(norm(ours, ['exchange']), norm(seed.rows));
      assert.deepEqual(
        ours.map((r) => r.symbol),
        ['ALPHA', 'BETA', 'SOLO', 'TIE1', 'TIE2'],
      );
      assert.equal(must(ours.find((r) => r.symbol === 'BETA')).candle_count, 12);
    });

    test('recent price changes equal the seed SQL, ties included; a single candle gives no row', async () => {
      const ours = await priceChanges(db, { interval: '1d' });
      const seed = await db.query<{ pct_change: number }>(SEED_SQL.priceChanges);
      assert.deepEqual(norm(ours), norm(seed.rows));
      assert.deepEqual(ours.map((r) => r.symbol).sort(), ['ALPHA', 'BETA', 'TIE1', 'TIE2']);
      assert.equal(
        must(ours.find((r) => r.symbol === 'TIE1')).pct_change,
        must(ours.find((r) => r.symbol === 'TIE2')).pct_change,
      );
      assertOrdered(ours, (r) => r.pct_change ?? Infinity);
    });
  },
  { plain: true },
);

/** Sums the rows actually read from candles (and its chunks) in an EXPLAIN ANALYZE plan. */
function rowsReadFromCandles(plan: Record<string, unknown>): number {
  let n = 0;
  const rel = plan['Relation Name'];
  if (typeof rel === 'string' && (rel === 'candles' || rel.startsWith('_hyper_'))) {
    n += Number(plan['Actual Rows'] ?? 0) * Number(plan['Actual Loops'] ?? 1);
  }
  for (const child of (plan.Plans as Record<string, unknown>[] | undefined) ?? []) n += rowsReadFromCandles(child);
  return n;
}

forEachBackend('per-asset latest queries read little', (open) => {
  let db: Database;
  before(async () => {
    db = await open();
    // 30 assets × 1500 days of 1d plus 3000 hours of 1h: 135k candles.
    await db.exec(`
      INSERT INTO assets (symbol, name, asset_type) SELECT 'S' || g, 'S' || g, 'stock' FROM generate_series(1, 30) g;
      INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
        SELECT a.id, timestamptz '2020-01-01' + d * interval '1 day', '1d', 10, 20, 9, 10 + (d % 7), 100
        FROM assets a, generate_series(0, 1499) d;
      INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
        SELECT a.id, timestamptz '2024-01-01' + h * interval '1 hour', '1h', 10, 12, 9, 11, 100
        FROM assets a, generate_series(0, 2999) h;
      ANALYZE;`);
    await refreshSeries(db);
  });
  after(async () => db.close());

  describe('EXPLAIN ANALYZE', () => {
    test('price changes read a few candles per asset; the seed reads them all', async () => {
      const explain = async (sql: string, params: unknown[]) => {
        const r = await db.query<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }>(
          `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
          params,
        );
        const plan = r.rows[0]['QUERY PLAN'];
        return rowsReadFromCandles((typeof plan === 'string' ? JSON.parse(plan) : plan)[0].Plan);
      };
      const ids = (await db.query<{ id: string }>('SELECT id FROM assets')).rows.map((r) => r.id);
      const ours = await explain(PRICE_CHANGES_SQL, ['1d', '-infinity', ids, null]);
      const seed = await explain(SEED_SQL.priceChanges, []);
      assert.ok(ours <= 30 * 2 * 2, `LATERAL read ${ours} candle rows`);
      assert.ok(seed >= 45_000, `the seed's DISTINCT ON read ${seed} rows`);
      // And the library function gives the seed's answer on this data too.
      const [a, b] = [await priceChanges(db, { interval: '1d' }), await db.query<Row>(SEED_SQL.priceChanges)];
      assert.deepEqual(norm(a), norm(b.rows));
    });
  });
});
