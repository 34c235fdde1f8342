/** Portfolios, transactions and positions on both backends: names, validation, FIFO with prices and FX. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend } from '../helpers/backends.ts';
import { insertAsset, insertCloses } from '../helpers/market.ts';
import { createUser } from '../../src/accounts/users.ts';
import type { Database } from '../../src/db/types.ts';
import {
  createPortfolio,
  findPortfolio,
  listPortfolios,
  removePortfolio,
  updatePortfolio,
} from '../../src/portfolio/portfolios.ts';
import { addTransaction, editTransaction, removeTransaction } from '../../src/portfolio/service.ts';
import { listTransactions } from '../../src/portfolio/transactions.ts';
import { positions } from '../../src/portfolio/positions.ts';

async function insertForex(db: Database, symbol: string): Promise<string> {
  const r = await db.query<{ id: string }>(
    `INSERT INTO assets (symbol, name, asset_type) VALUES ($1, $1, 'forex') RETURNING id`,
    [symbol],
  );
  return r.rows[0].id;
}

forEachBackend(
  'portfolios and positions',
  (open) => {
    let db: Database;
    let alice: string;
    let bob: string;
    before(async () => {
      db = await open();
      alice = (await createUser(db, { username: 'alice', email: 'alice@example.com', password: 'correct horse' })).id;
      bob = (await createUser(db, { username: 'bob', email: 'bob@example.com', password: 'correct horse' })).id;
    });
    after(() => db.close());

    test('names are unique per user; USER/NAME picks one where two users share a name', async () => {
      const a = await createPortfolio(db, alice, { name: 'Main' });
      assert.equal(a.base_currency, 'USD');
      await assert.rejects(createPortfolio(db, alice, { name: 'main' }), /already exists/);
      await assert.rejects(createPortfolio(db, alice, { name: 'a/b' }), /must not contain "\/"/);
      await assert.rejects(createPortfolio(db, alice, { name: 'x', base_currency: 'dollars' }), /three-letter/);
      assert.equal((await findPortfolio(db, 'MAIN')).id, a.id);
      const b = await createPortfolio(db, bob, { name: 'main', base_currency: 'eur' });
      assert.equal(b.base_currency, 'EUR');
      await assert.rejects(findPortfolio(db, 'main'), /used by several users: name one as USER\/NAME/);
      assert.equal((await findPortfolio(db, 'bob/main')).id, b.id);
      assert.equal((await findPortfolio(db, 'main', 'alice')).id, a.id);
      await assert.rejects(findPortfolio(db, 'carol/main'), /no portfolio named "carol\/main"/);
      assert.deepEqual(
        (await listPortfolios(db, bob)).map((p) => p.name),
        ['main'],
      );
      const renamed = await updatePortfolio(db, bob, b.id, { name: 'other' });
      assert.equal(renamed.name, 'other');
      await assert.rejects(updatePortfolio(db, alice, b.id, { name: 'mine' }), /portfolio not found/);
      await assert.rejects(removePortfolio(db, alice, b.id), /portfolio not found/);
      await removePortfolio(db, bob, b.id);
      assert.deepEqual(await listPortfolios(db, bob), []);
    });

    test('transactions are checked; a change that oversells anywhere in history writes nothing', async () => {
      await insertAsset(db, 'TXA');
      const p = await createPortfolio(db, alice, { name: 'checks' });
      await assert.rejects(
        addTransaction(db, p, { type: 'buy', ts: new Date('2024-01-01'), symbol: 'NOPE', quantity: '1', price: '1' }),
        /no asset "NOPE"/,
      );
      await assert.rejects(
        addTransaction(db, p, { type: 'buy', ts: new Date('2024-01-01'), symbol: '=CMD()', quantity: '1', price: '1' }),
        /spreadsheet formula/,
      );
      await assert.rejects(
        addTransaction(db, p, { type: 'swap', ts: new Date('2024-01-01') }),
        /type: "swap" is not one of/,
      );
      await assert.rejects(
        addTransaction(db, p, { type: 'buy', ts: new Date('2024-01-01'), symbol: 'TXA', quantity: '-1', price: '1' }),
        /quantity: must not be negative/,
      );
      const buy = await addTransaction(db, p, {
        type: 'buy',
        ts: new Date('2024-01-01'),
        symbol: 'txa',
        quantity: '10',
        price: '5',
      });
      const sell = await addTransaction(db, p, {
        type: 'sell',
        ts: new Date('2024-02-01'),
        symbol: 'TXA',
        quantity: '8',
        price: '6',
      });
      await assert.rejects(
        addTransaction(db, p, { type: 'sell', ts: new Date('2024-03-01'), symbol: 'TXA', quantity: '3', price: '6' }),
        /3 TXA:TEST is more than the 2 held/,
      );
      await assert.rejects(editTransaction(db, p, buy.id, { quantity: '7' }), /8 TXA:TEST is more than the 7 held/);
      await assert.rejects(removeTransaction(db, p, buy.id), /more than the 0 held/);
      assert.equal((await listTransactions(db, p.id)).length, 2, 'nothing written by the refused changes');
      const edited = await editTransaction(db, p, sell.id, { quantity: '4', note: 'fixed' });
      assert.equal(String(edited.quantity), String(4n * 10n ** 10n));
      assert.equal(edited.note, 'fixed');
      await removeTransaction(db, p, sell.id);
      await assert.rejects(removeTransaction(db, p, sell.id), /not found/);
      const pos = await positions(db, p);
      assert.equal(pos.positions[0].quantity, '10');
      assert.equal(pos.positions[0].last_price, null, 'no candles: no price');
      assert.equal(pos.totals.value, null);
    });

    test('positions: FIFO at the newest close, a split, a dividend, and a second currency converted', async () => {
      const aaa = await insertAsset(db, 'PAAA');
      const sap = await insertAsset(db, 'PSAP');
      const eurusd = await insertForex(db, 'EURUSD');
      await insertCloses(db, aaa, [100, 130], {
        start: '2024-01-01T00:00:00Z',
        interval: '1d',
        stepMs: 86_400_000 * 60,
      });
      // A finer series too: the newest close comes from the finest interval.
      await insertCloses(db, aaa, [44, 45], { start: '2024-06-01T00:00:00Z', interval: '1h', stepMs: 3_600_000 });
      await insertCloses(db, sap, [150], { start: '2024-05-01T00:00:00Z', interval: '1d' });
      await insertCloses(db, eurusd, [1.1, 1.2, 1.25], {
        start: '2024-01-01T00:00:00Z',
        interval: '1d',
        stepMs: 86_400_000 * 31,
      });
      const p = await createPortfolio(db, alice, { name: 'values' });
      const add = (type: string, day: string, f: Record<string, string> = {}) =>
        addTransaction(db, p, { type, ts: new Date(`${day}T12:00:00Z`), ...f });
      await add('deposit', '2024-01-01', { price: '10000' });
      await add('buy', '2024-01-02', { symbol: 'PAAA', quantity: '10', price: '100', fee: '5' });
      await add('buy', '2024-01-03', { symbol: 'PAAA', quantity: '10', price: '120', fee: '5' });
      await add('split', '2024-01-10', { symbol: 'PAAA', ratio: '3' });
      await add('sell', '2024-01-20', { symbol: 'PAAA', quantity: '45', price: '45', fee: '10' });
      await add('dividend', '2024-01-25', { symbol: 'PAAA', quantity: '15', price: '1' });
      await add('buy', '2024-01-05', { symbol: 'PSAP', quantity: '10', price: '100', currency: 'EUR' });
      await add('sell', '2024-02-05', { symbol: 'PSAP', quantity: '4', price: '120', currency: 'EUR' });
      const pos = await positions(db, p);
      const a = pos.positions.find((x) => x.symbol === 'PAAA:TEST');
      assert.ok(a);
      // After the split: lot 1 30 units for 1005, lot 2 30 for 1205. Sell 45: 1005 + 1205 × 15/30 = 1607.5.
      assert.equal(a.quantity, '15');
      assert.equal(a.cost_basis, '602.5');
      assert.equal(a.average_cost, '40.1666666667');
      assert.equal(a.realized_pnl, '407.5'); // 45 × 45 − 10 − 1607.5
      assert.equal(a.income, '15');
      assert.equal(a.last_price, '45'); // the 1h series' newest close
      assert.equal(a.market_value, '675');
      assert.equal(a.unrealized_pnl, '72.5');
      const s = pos.positions.find((x) => x.symbol === 'PSAP:TEST');
      assert.ok(s);
      assert.equal(s.currency, 'EUR');
      assert.equal(s.realized_pnl, '80');
      assert.equal(s.base.realized_pnl, '136'); // 480 × 1.2 − 400 × 1.1
      assert.equal(s.base.cost_basis, '660');
      assert.equal(s.market_value, '900');
      assert.equal(s.base.market_value, '1125'); // at the newest rate, 1.25
      // USD cash: 10000 − 1005 − 1205 + (45 × 45 − 10) + 15 dividend.
      assert.deepEqual(
        pos.cash.map((c) => [c.currency, c.amount, c.base_amount]),
        [
          ['EUR', '-520', '-650'],
          ['USD', '9820', '9820'],
        ],
      );
      assert.equal(pos.totals.value, '10970'); // 675 + 1125 − 650 + 9820
      assert.equal(pos.totals.income, '15');
    });

    test('a currency without a forex pair is an error naming the pair', async () => {
      const p = await createPortfolio(db, alice, { name: 'yen' });
      await addTransaction(db, p, { type: 'deposit', ts: new Date('2024-01-01'), price: '1000', currency: 'JPY' });
      await assert.rejects(positions(db, p), /no exchange rate JPY→USD: add a forex asset JPYUSD \(or USDJPY\)/);
      const q = await createPortfolio(db, alice, { name: 'early' });
      await addTransaction(db, q, { type: 'deposit', ts: new Date('2023-01-01'), price: '1000', currency: 'EUR' });
      await assert.rejects(
        positions(db, q),
        /no exchange rate EUR→USD at 2023-01-01T00:00:00.000Z: EURUSD has no candle/,
      );
    });
  },
  { plain: true },
);
