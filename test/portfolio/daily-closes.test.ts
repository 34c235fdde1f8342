/**
 * The daily closes performance reads (src/analysis/daily-closes.ts) follow every later candle write made
 * with plain SQL: a correction, a new bar inside the stored days and after them, a deletion.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAsset } from '../helpers/market.ts';
import { createUser } from '../../src/accounts/users.ts';
import type { Database } from '../../src/db/types.ts';
import { refreshAllDailyCloses } from '../../src/analysis/daily-closes.ts';
import { pruneCandleWrites } from '../../src/analysis/series-state.ts';
import { refreshSeries } from '../../src/market/candle-series.ts';
import { createPortfolio, type Portfolio } from '../../src/portfolio/portfolios.ts';
import { addTransaction } from '../../src/portfolio/service.ts';
import { performance } from '../../src/portfolio/performance.ts';

forEachBackend(
  'daily closes follow candle writes',
  (open) => {
    let db: Database;
    let p: Portfolio;
    let asset: string;
    const write = async (sql: string, params: unknown[]) => {
      await db.query(sql, params);
      await refreshSeries(db, [asset]);
    };
    const insert = (day: string, close: number) =>
      write(
        `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume) VALUES ($1, $2, '1d', $3, $3, $3, $3, 1)`,
        [asset, `${day}T00:00:00Z`, close],
      );
    /** Each day's value less the cash (−10 after buying one at 10): the close held that day. */
    const held = async (to: string) =>
      (await performance(db, p, { to })).days.map((d) => Math.round((d.value + 10) * 1e6) / 1e6);

    before(async () => {
      db = await open();
      const u = await createUser(db, { username: 'dcloses', email: 'dc@example.com', password: 'correct horse' });
      asset = await insertAsset(db, 'DC');
      for (const [day, close] of [
        ['2024-01-01', 10],
        ['2024-01-02', 11],
        ['2024-01-04', 12],
      ] as const) {
        await insert(day, close);
      }
      p = await createPortfolio(db, u.id, { name: 'dc' });
      await addTransaction(db, p, {
        type: 'buy',
        ts: new Date('2024-01-01T12:00:00Z'),
        symbol: 'DC',
        quantity: 1,
        price: 10,
      });
    });
    after(() => db.close());

    test('the first read builds them; a gap holds the close before it', async () => {
      assert.deepEqual(await held('2024-01-05'), [10, 11, 11, 12, 12]);
    });

    test('a corrected close', async () => {
      await write(`UPDATE candles SET close = 15, high = 15, open = 15, low = 15 WHERE asset_id = $1 AND ts = $2`, [
        asset,
        '2024-01-02T00:00:00Z',
      ]);
      assert.deepEqual(await held('2024-01-05'), [10, 15, 15, 12, 12]);
    });

    test('a bar inside the stored days and one after them', async () => {
      await insert('2024-01-03', 13);
      await insert('2024-01-06', 20);
      assert.deepEqual(await held('2024-01-07'), [10, 15, 13, 12, 12, 20, 20]);
    });

    test('a deleted bar: the close before it holds', async () => {
      await write(`DELETE FROM candles WHERE asset_id = $1 AND ts = $2`, [asset, '2024-01-04T00:00:00Z']);
      assert.deepEqual(await held('2024-01-07'), [10, 15, 13, 13, 13, 20, 20]);
      await write(`DELETE FROM candles WHERE asset_id = $1 AND ts >= $2`, [asset, '2024-01-06T00:00:00Z']);
      assert.deepEqual(await held('2024-01-07'), [10, 15, 13, 13, 13, 13, 13]);
    });

    test('the hourly upkeep refreshes them, so the write log they kept can be pruned', async () => {
      await insert('2024-01-07', 21);
      const logged = async () =>
        Number(
          (await db.query<{ n: string }>('SELECT count(*) AS n FROM candle_writes WHERE asset_id = $1', [asset]))
            .rows[0].n,
        );
      await pruneCandleWrites(db);
      assert.ok((await logged()) > 0, 'a write the daily closes have not seen stays in the log');
      // A removed asset's rows (the table has no foreign key) go too.
      await db.query(`INSERT INTO daily_closes VALUES (gen_random_uuid(), '1d', '2024-01-01', 1)`);
      assert.equal(await refreshAllDailyCloses(db), 1);
      const rows = await db.query('SELECT 1 FROM daily_closes WHERE asset_id NOT IN (SELECT id FROM assets)');
      assert.equal(rows.rowCount, 0);
      await pruneCandleWrites(db);
      assert.equal(await logged(), 0);
      assert.deepEqual(await held('2024-01-08'), [10, 15, 13, 13, 13, 13, 21, 21]);
    });
  },
  { plain: true },
);
