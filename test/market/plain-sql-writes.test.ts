/**
 * Plain SQL is a first-class writer (issue 30, point 3): candles inserted, updated or deleted with SQL
 * through a connection (as psql does), COPY included, are seen by every read at once, without
 * `tm analyze`; the bounds in candle_series never hide a row; tm's own writers record their series once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import type { Database } from '../../src/db/types.ts';
import { importCandles } from '../../src/market/import/importer.ts';
import type { RawCandle } from '../../src/market/import/validate.ts';
import { countCandles, latestCandles, priceChanges } from '../../src/market/queries.ts';
import { priceStats } from '../../src/market/price-stats.ts';
import { candleRange, readCandleColumns } from '../../src/market/candles-repository.ts';
import { seriesBounds } from '../../src/market/candle-series.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const day = (i: number) => new Date(T0 + i * DAY);

async function* daily(symbol: string, from: number, n: number): AsyncIterable<RawCandle> {
  for (let i = 0; i < n; i++) {
    const p = 100 + from + i;
    yield {
      line: i + 1,
      symbol,
      ts: day(from + i).toISOString(),
      open: p,
      high: p + 1,
      low: p - 1,
      close: p,
      volume: 10,
    };
  }
}

/** Daily candles of one asset written with one plain INSERT, days [from, from + n). */
async function insertDays(db: Database, assetId: string, from: number, n: number): Promise<void> {
  await db.query(
    `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
     SELECT $1, $2::timestamptz + g * interval '1 day', '1d', 50 + g, 51 + g, 49 + g, 50 + g, 5
       FROM generate_series(0, $3::int - 1) g`,
    [assetId, day(from), n],
  );
}

forEachBackend(
  'candles written with plain SQL',
  (open) => {
    let db: Database;
    const idOf = async (symbol: string) =>
      (await db.query<{ id: string }>('SELECT id FROM assets WHERE symbol = $1', [symbol])).rows[0].id;
    before(async () => {
      db = await open();
    });
    after(async () => db.close());

    test('VIS: 3 imported daily candles, 21 earlier ones inserted with SQL: every read sees 24', async () => {
      await importCandles(db, daily('VIS', 21, 3), { interval: '1d', createAssetType: 'stock' });
      const vis = await idOf('VIS');
      await insertDays(db, vis, 0, 21);
      const latest = await latestCandles(db, { assetId: vis, interval: '1d', limit: 50 });
      assert.equal(latest.length, 24);
      assert.equal(latest[23].ts.getTime(), day(0).getTime());
      assert.equal(await countCandles(db, { assetId: vis, interval: '1d' }), 24);
      const stats = (await priceStats(db, { interval: '1d' })).find((s) => s.symbol === 'VIS');
      assert.equal(stats?.candle_count, 24);
      // The API's GET /api/candles (and so the chart) reads candleRange; a rollup of the daily candles too.
      const range = await candleRange(db, { assetId: vis, interval: '1d', from: day(-5), to: day(40), limit: 100 });
      assert.equal(range.candles.length, 24);
      const weeks = await candleRange(db, { assetId: vis, interval: '1w', from: day(-14), to: day(40), limit: 100 });
      assert.equal(weeks.source.kind, 'rollup');
      assert.equal(weeks.candles[0].ts.getTime() <= day(0).getTime() + 7 * DAY, true);
      const cols = await readCandleColumns(db, { assetId: vis, interval: '1d', from: null, warmup: 0 });
      assert.equal(cols.ts.length, 24);
      const b = await seriesBounds(db, vis, '1d');
      assert.deepEqual(
        [b?.first_ts.getTime(), b?.last_ts.getTime(), b?.candles],
        [day(0).getTime(), day(23).getTime(), 24],
      );
    });

    test('a series created with SQL alone, later candles, COPY: bounds, count and change % follow', async () => {
      await db.query("INSERT INTO assets (symbol, name, asset_type) VALUES ('SQLO', 'sql only', 'stock')");
      const id = await idOf('SQLO');
      await insertDays(db, id, 100, 5);
      await db.copyFrom(
        `COPY candles (asset_id, ts, "interval", open, high, low, close, volume) FROM STDIN WITH (FORMAT csv)`,
        `${id},${day(105).toISOString()},1d,60,61,59,60,1\n${id},${day(106).toISOString()},1d,60,66,59,66,1\n`,
      );
      assert.equal((await latestCandles(db, { assetId: id, interval: '1d', limit: 10 })).length, 7);
      assert.equal(await countCandles(db, { assetId: id, interval: '1d' }), 7);
      const change = (await priceChanges(db, { interval: '1d' })).find((c) => c.symbol === 'SQLO');
      assert.deepEqual([change?.current_price, change?.previous_price], [66, 60]);
      // The write log has them too: live events and incremental indicators see plain SQL's writes.
      const log = await db.query<{ n: number }>('SELECT sum(rows)::int AS n FROM candle_writes WHERE asset_id = $1', [
        id,
      ]);
      assert.equal(log.rows[0].n, 7);
    });

    test('an update that moves a candle earlier widens the bounds; deletes lower the count', async () => {
      const id = await idOf('SQLO');
      await db.query(`UPDATE candles SET ts = ts - interval '1 hour' WHERE asset_id = $1 AND ts = $2`, [id, day(100)]);
      const b = await seriesBounds(db, id, '1d');
      assert.equal(b?.first_ts.getTime(), day(100).getTime() - 3_600_000);
      assert.equal(b?.candles, 7);
      const first = await latestCandles(db, { assetId: id, interval: '1d', limit: 10 });
      assert.equal(first.at(-1)?.ts.getTime(), day(100).getTime() - 3_600_000);
      await db.query('DELETE FROM candles WHERE asset_id = $1 AND ts >= $2', [id, day(105)]);
      assert.equal(await countCandles(db, { assetId: id, interval: '1d' }), 5);
      assert.equal((await latestCandles(db, { assetId: id, interval: '1d', limit: 10 })).length, 5);
      // An upsert through SQL: one new candle counts, the updated one does not.
      await db.query(
        `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
         VALUES ($1, $2, '1d', 1, 2, 1, 2, 1), ($1, $3, '1d', 1, 2, 1, 2, 1)
         ON CONFLICT (asset_id, "interval", ts) DO UPDATE SET volume = EXCLUDED.volume`,
        [id, day(104), day(110)],
      );
      assert.equal(await countCandles(db, { assetId: id, interval: '1d' }), 6);
      assert.equal((await seriesBounds(db, id, '1d'))?.last_ts.getTime(), day(110).getTime());
    });

    test("tm's import records its series itself: the triggers add nothing twice", async () => {
      await importCandles(db, daily('TMI', 0, 30), { interval: '1d', createAssetType: 'stock' });
      // Overlapping: the staged merge (10 updated or skipped, 10 new).
      await importCandles(db, daily('TMI', 20, 20), { interval: '1d' });
      const id = await idOf('TMI');
      assert.equal((await seriesBounds(db, id, '1d'))?.candles, 40);
      const log = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM candle_writes WHERE asset_id = $1', [
        id,
      ]);
      assert.equal(log.rows[0].n, 2, 'one write-log row per import, none from the triggers');
      // The setting that tells the triggers so ends with the transaction.
      const s = await db.query<{ v: string | null }>("SELECT current_setting('tm.series_recorded', true) AS v");
      assert.notEqual(s.rows[0].v, 'on');
    });

    test('concurrent plain writers widen one series without losing a bound or a count', async () => {
      await db.query("INSERT INTO assets (symbol, name, asset_type) VALUES ('CONC', 'concurrent', 'stock')");
      const id = await idOf('CONC');
      await Promise.all(Array.from({ length: 6 }, (_, k) => insertDays(db, id, 200 + k * 10, 10)));
      const b = await seriesBounds(db, id, '1d');
      assert.deepEqual(
        [b?.first_ts.getTime(), b?.last_ts.getTime(), b?.candles],
        [day(200).getTime(), day(259).getTime(), 60],
      );
    });

    test('TRUNCATE forgets every series', async () => {
      await db.exec('TRUNCATE candles');
      const n = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM candle_series');
      assert.equal(n.rows[0].n, 0);
    });
  },
  { plain: true },
);
