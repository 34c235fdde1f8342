/** candleRange on both backends: a rollup answers the same buckets and vwaps as stored candles and aggregates. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import type { Database } from '../../src/db/types.ts';
import { addAsset } from '../../src/market/assets-repository.ts';
import { candleRange, type Candle } from '../../src/market/candles-repository.ts';
import { createAggregates, findAggregate } from '../../src/timescale/aggregates.ts';

const DAY = 86_400_000;

forEachBackend(
  'candle ranges',
  (open, _backend, name) => {
    let db: Database;
    let assetId: string;
    /** Daily candles of 2024-01-01 .. 2024-03-31; every third has no vwap. */
    const days = Array.from({ length: 91 }, (_, i) => ({
      ts: new Date(Date.UTC(2024, 0, 1) + i * DAY),
      close: 10 + i,
      volume: 100 + i,
      vwap: i % 3 === 0 ? null : 10.25 + i,
    }));
    before(async () => {
      db = await open();
      assetId = (await addAsset(db, { symbol: 'RNG', name: 'Range', asset_type: 'stock' })).id;
      await db.query(
        `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume, vwap)
       SELECT $1, u.ts, '1d', u.c - 0.5, u.c + 1, u.c - 1, u.c, u.v, u.w FROM unnest($2::timestamptz[], $3::float8[], $4::float8[], $5::float8[]) AS u(ts, c, v, w)`,
        [
          assetId,
          days.map((d) => d.ts.toISOString()),
          days.map((d) => d.close),
          days.map((d) => d.volume),
          days.map((d) => d.vwap),
        ],
      );
    });
    after(async () => db.close());

    const range = (from: string) =>
      candleRange(db, { assetId, interval: '1M', from: new Date(from), to: new Date('2024-04-01'), limit: 100 });
    const rounded = (cs: Candle[]) =>
      cs.map((c) => ({
        ts: c.ts.toISOString(),
        open: c.open,
        close: c.close,
        volume: Number(c.volume),
        vwap: Number(c.vwap?.toFixed(9)),
      }));

    test('a rollup starts at the first bucket at or after "from", like stored candles', async () => {
      const r = await range('2024-01-15');
      assert.equal(r.source.kind, 'rollup');
      assert.deepEqual(
        r.candles.map((c) => c.ts.toISOString()),
        ['2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
      );
      // February: whole, from its first day.
      assert.equal(r.candles[0].open, days[31].close - 0.5);
      assert.deepEqual((await range('2024-01-01')).candles.length, 3);
    });

    test('a rollup vwap counts a candle without vwap at its close, as the aggregates do', async () => {
      const feb = days.filter((d) => d.ts.getUTCMonth() === 1);
      const expected =
        feb.reduce((s, d) => s + (d.vwap ?? d.close) * d.volume, 0) / feb.reduce((s, d) => s + d.volume, 0);
      const r = await range('2024-02-01');
      assert.ok(Math.abs(r.candles[0].vwap! - expected) < 1e-9, `${r.candles[0].vwap} vs ${expected}`);
    });

    test('an aggregate answers what the rollup did', {
      skip: name === 'server-plain' && 'continuous aggregates need TimescaleDB, which this server does not have',
    }, async () => {
      const rollup = await range('2024-01-15');
      await createAggregates(db, '1d', ['1M']);
      const agg = await range('2024-01-15');
      assert.equal(agg.source.kind, 'aggregate');
      assert.deepEqual(rounded(agg.candles), rounded(rollup.candles));
      // Two aggregates for one interval: the finest source serves it, whatever the registry's row order.
      await db.exec(`CREATE VIEW candles_1mon_fine AS SELECT * FROM candles_1mon;
      INSERT INTO candle_aggregates (view_name, source_interval, target_interval) VALUES ('candles_1mon_fine', '1h', '1M')`);
      assert.deepEqual(await findAggregate(db, '1M'), { view: 'candles_1mon_fine', source: '1h' });
      await db.exec(`DELETE FROM candle_aggregates WHERE view_name = 'candles_1mon_fine'; DROP VIEW candles_1mon_fine`);
    });
  },
  { plain: true },
);
