/** Daily values and returns computed in the database, against hand-computed cases, on both backends. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAsset } from '../helpers/market.ts';
import { createUser } from '../../src/accounts/users.ts';
import type { Database } from '../../src/db/types.ts';
import { refreshSeries } from '../../src/market/candle-series.ts';
import { createPortfolio, type Portfolio } from '../../src/portfolio/portfolios.ts';
import { addTransaction } from '../../src/portfolio/service.ts';
import { performance } from '../../src/portfolio/performance.ts';

const near = (a: number | null, b: number, what: string) =>
  assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${what}: ${a} ≈ ${b}`);

async function closes(db: Database, assetId: string, byDay: Record<string, number>, type?: string): Promise<void> {
  if (type) await db.query('UPDATE assets SET asset_type = $2 WHERE id = $1', [assetId, type]);
  for (const [day, c] of Object.entries(byDay)) {
    await db.query(
      `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume) VALUES ($1, $2, '1d', $3, $3, $3, $3, 1)`,
      [assetId, `${day}T00:00:00Z`, c],
    );
  }
  await refreshSeries(db, [assetId]);
}

forEachBackend(
  'portfolio performance',
  (open) => {
    let db: Database;
    let p: Portfolio;
    before(async () => {
      db = await open();
      const u = await createUser(db, { username: 'perf', email: 'perf@example.com', password: 'correct horse' });
      const perf = await insertAsset(db, 'PERF');
      const bm = await insertAsset(db, 'BM');
      const eurusd = await insertAsset(db, 'EURUSD');
      // No close on the 3rd: the 2nd's is carried. The 5th's is after a 2-for-1 split.
      await closes(db, perf, { '2024-01-01': 10, '2024-01-02': 11, '2024-01-04': 12, '2024-01-05': 5 });
      await closes(db, bm, { '2024-01-01': 100, '2024-01-03': 90, '2024-01-05': 120 });
      await closes(db, eurusd, { '2024-01-01': 1.1, '2024-01-02': 1.2, '2024-01-04': 1.25 }, 'forex');
      p = await createPortfolio(db, u.id, { name: 'perf' });
      const add = (type: string, at: string, f: Record<string, string>) =>
        addTransaction(db, p, { type, ts: new Date(at), ...f });
      await add('deposit', '2024-01-01T09:00:00Z', { price: '1000' });
      await add('buy', '2024-01-01T10:00:00Z', { symbol: 'PERF', quantity: '50', price: '10' });
      await add('deposit', '2024-01-02T10:00:00Z', { price: '100', currency: 'EUR' });
      await add('deposit', '2024-01-03T10:00:00Z', { price: '100' });
      await add('split', '2024-01-05T08:00:00Z', { symbol: 'PERF', ratio: '2' });
    });
    after(() => db.close());

    test('value per day: holdings at the carried close, splits, cash in two currencies; TWR, drawdown, benchmark', async () => {
      const r = await performance(db, p, { to: '2024-01-05', benchmark: 'BM' });
      assert.equal(r.from, '2024-01-01');
      assert.deepEqual(
        r.days.map((d) => [d.day, d.value, d.flow, d.priced]),
        [
          ['2024-01-01', 50 * 10 + 500, 1000, true],
          ['2024-01-02', 50 * 11 + 500 + 100 * 1.2, 120, true],
          ['2024-01-03', 50 * 11 + 600 + 100 * 1.2, 100, true],
          ['2024-01-04', 50 * 12 + 600 + 100 * 1.25, 0, true],
          ['2024-01-05', 100 * 5 + 600 + 100 * 1.25, 0, true],
        ],
      );
      const twr = ((1170 - 120) / 1000) * ((1270 - 100) / 1170) * (1325 / 1270) * (1225 / 1325) - 1;
      near(r.time_weighted_return, twr, 'TWR');
      near(r.max_drawdown, 1 - 1225 / 1325, 'max drawdown');
      near(r.benchmark?.return ?? null, 0.2, 'benchmark return');
      near(r.benchmark?.max_drawdown ?? null, 0.1, 'benchmark drawdown');
      assert.deepEqual(
        r.days.map((d) => d.benchmark_index),
        [1, 1, 0.9, 0.9, 1.2],
      );
      // The IRR zeroes the flows' present value: −1000, −120, −100 in, 1225 out at the end.
      const mwr = r.money_weighted_return as number;
      const t = (d: number) => d / 365;
      const npv =
        -1000 / (1 + mwr) ** t(1) - 120 / (1 + mwr) ** t(2) - 100 / (1 + mwr) ** t(3) + 1225 / (1 + mwr) ** t(5);
      assert.ok(Math.abs(npv) < 1e-6, `npv ${npv}`);
      assert.ok(mwr > 0, 'more came out than went in');
    });

    test('a later start carries the holdings and cash of the days before it', async () => {
      const r = await performance(db, p, { from: '2024-01-03', to: '2024-01-05' });
      assert.equal(r.start_value, 1170);
      assert.deepEqual(
        r.days.map((d) => d.value),
        [1270, 1325, 1225],
      );
      near(r.time_weighted_return, (1170 / 1170) * (1325 / 1270) * (1225 / 1325) - 1, 'TWR');
      assert.equal(r.benchmark, null);
    });

    test('errors name the problem', async () => {
      await assert.rejects(performance(db, p, { from: '2024-02-30x' }), /from: "2024-02-30x" is not a date/);
      await assert.rejects(performance(db, p, { from: '2024-01-05', to: '2024-01-01' }), /before from/);
      await assert.rejects(performance(db, p, { benchmark: 'NOPE' }), /no asset "NOPE"/);
      const empty = await createPortfolio(db, p.user_id, { name: 'empty' });
      await assert.rejects(performance(db, empty), /no transactions yet/);
    });
  },
  { plain: true },
);
