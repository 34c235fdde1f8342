/** The FIFO ledger: hand-computed cases, and a second implementation compared on random histories. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dec, str } from './decimal.ts';
import { quantityOf, replay, type Holding } from './ledger.ts';
import type { Transaction } from './transactions.ts';
import type { TransactionType } from './transaction-input.ts';
import { mulberry32 } from '../random.ts';

let nextId = 1;
function tx(
  type: TransactionType,
  at: string,
  f: { symbol?: string; q?: string; p?: string; fee?: string; ratio?: string; ccy?: string } = {},
): Transaction {
  return {
    id: String(nextId++),
    portfolio_id: 'p',
    type,
    ts: new Date(at),
    asset_id: f.symbol ?? null,
    symbol: f.symbol ?? null,
    asset_type: f.symbol ? 'stock' : null,
    quantity: dec(f.q ?? '0'),
    price: dec(f.p ?? '0'),
    fee: dec(f.fee ?? '0'),
    ratio: f.ratio ? dec(f.ratio) : null,
    currency: f.ccy ?? 'USD',
    note: null,
    import_key: null,
  };
}

const unit = () => dec('1');
const held = (h: Holding | undefined) => str(quantityOf(h as Holding));
const cost = (h: Holding | undefined) => str((h as Holding).lots.reduce((s, l) => s + l.cost, 0n));

test('partial sells across lots: the oldest lot first, a lot cut in proportion, fees in cost and proceeds', () => {
  const l = replay(
    [
      tx('deposit', '2024-01-01', { q: '1', p: '3000' }),
      tx('buy', '2024-01-02', { symbol: 'A', q: '10', p: '100', fee: '5' }),
      tx('buy', '2024-01-03', { symbol: 'A', q: '10', p: '120', fee: '5' }),
      tx('sell', '2024-01-04', { symbol: 'A', q: '15', p: '130', fee: '10' }),
    ],
    unit,
  );
  const a = l.holdings.get('A');
  // Proceeds 15 × 130 − 10 = 1940; cost 1005 (lot 1) + 1205 × 5/10 = 1607.5.
  assert.equal(str(a?.realized ?? 0n), '332.5');
  assert.equal(held(a), '5');
  assert.equal(cost(a), '602.5');
  assert.equal(str(l.cash.get('USD') ?? 0n), '2730'); // 3000 − 1005 − 1205 + 1940

  const after = replay(
    [
      tx('buy', '2024-01-02', { symbol: 'A', q: '10', p: '100', fee: '5' }),
      tx('buy', '2024-01-03', { symbol: 'A', q: '10', p: '120', fee: '5' }),
      tx('sell', '2024-01-04', { symbol: 'A', q: '15', p: '130', fee: '10' }),
      tx('sell', '2024-01-05', { symbol: 'A', q: '5', p: '110' }),
    ],
    unit,
  );
  assert.equal(str(after.holdings.get('A')?.realized ?? 0n), '280'); // 332.5 + 550 − 602.5
  assert.equal(held(after.holdings.get('A')), '0');
});

test('a split multiplies the lots and keeps their cost; a dividend is income and cash', () => {
  const l = replay(
    [
      tx('buy', '2024-01-02', { symbol: 'S', q: '10', p: '300' }),
      tx('split', '2024-02-01', { symbol: 'S', ratio: '3' }),
      tx('sell', '2024-03-01', { symbol: 'S', q: '12', p: '110' }),
      tx('dividend', '2024-04-01', { symbol: 'S', q: '18', p: '0.5', fee: '1' }),
    ],
    unit,
  );
  const s = l.holdings.get('S');
  assert.equal(held(s), '18');
  assert.equal(cost(s), '1800'); // 3000 × 18/30
  assert.equal(str(s?.realized ?? 0n), '120'); // 1320 − 3000 × 12/30
  assert.equal(str(s?.income ?? 0n), '8'); // 18 × 0.5 − 1
  assert.equal(str(l.cash.get('USD') ?? 0n), '-1672'); // −3000 + 1320 + 8
});

test('two currencies: base figures at the rate of each transaction time', () => {
  const rates: Record<string, string> = { '2024-01-02': '1.1', '2024-02-01': '1.2' };
  const l = replay(
    [
      tx('buy', '2024-01-02', { symbol: 'SAP', q: '10', p: '100', ccy: 'EUR' }),
      tx('sell', '2024-02-01', { symbol: 'SAP', q: '4', p: '120', ccy: 'EUR' }),
      tx('buy', '2024-02-01', { symbol: 'AAPL', q: '1', p: '50' }),
    ],
    (c, ts) => (c === 'USD' ? dec('1') : dec(rates[ts.toISOString().slice(0, 10)])),
  );
  const sap = l.holdings.get('SAP');
  assert.equal(str(sap?.realized ?? 0n), '80'); // 480 − 400 EUR
  assert.equal(str(sap?.realized_base ?? 0n), '136'); // 480 × 1.2 − 400 × 1.1 USD
  assert.equal(str((sap as Holding).lots[0].cost_base), '660');
  assert.equal(str(l.cash.get('EUR') ?? 0n), '-520');
  assert.equal(str(l.cash.get('USD') ?? 0n), '-50');
});

test('selling more than is held names the transaction', () => {
  assert.throws(
    () =>
      replay(
        [
          tx('buy', '2024-01-02', { symbol: 'A', q: '1', p: '1' }),
          tx('sell', '2024-01-03', { symbol: 'A', q: '2', p: '1' }),
        ],
        unit,
      ),
    /sell on 2024-01-03.*2 A is more than the 1 held/,
  );
  assert.throws(
    () =>
      replay(
        [
          tx('buy', '2024-01-02', { symbol: 'A', q: '1', p: '1', ccy: 'EUR' }),
          tx('sell', '2024-01-03', { symbol: 'A', q: '1', p: '1' }),
        ],
        unit,
      ),
    /A is held in EUR, not USD/,
  );
});

// ---------------------------------------------------------------- a second implementation

/** Exact rationals. */
type Q = { n: bigint; d: bigint };
const q = (n: bigint, d = 1n): Q => (d < 0n ? { n: -n, d: -d } : { n, d });
const add = (a: Q, b: Q) => q(a.n * b.d + b.n * a.d, a.d * b.d);
const neg = (a: Q) => q(-a.n, a.d);
const fromDec = (v: bigint) => q(v, 10n ** 10n);

/**
 * FIFO over single units: every share is its own queue entry carrying its exact cost (a lot's cost
 * spread evenly); a sell pops units. Splits replace each unit by `ratio` units of a share of its cost.
 */
function unitFifo(txs: Transaction[]): { realized: Q; units: number; cost: Q } {
  const queue: Q[] = [];
  let realized = q(0n);
  for (const t of txs) {
    const n = Number(str(t.quantity));
    if (t.type === 'buy') {
      const lotCost = add(fromDec((t.quantity * t.price) / 10n ** 10n), fromDec(t.fee));
      for (let i = 0; i < n; i++) queue.push(q(lotCost.n, lotCost.d * BigInt(n)));
    } else if (t.type === 'sell') {
      let out = q(0n);
      for (let i = 0; i < n; i++) out = add(out, queue.shift() as Q);
      realized = add(realized, add(add(fromDec((t.quantity * t.price) / 10n ** 10n), neg(fromDec(t.fee))), neg(out)));
    } else if (t.type === 'split') {
      const r = Number(str(t.ratio as bigint));
      const next = queue.splice(0).flatMap((c) => Array.from({ length: r }, () => q(c.n, c.d * BigInt(r))));
      queue.push(...next);
    }
  }
  return { realized, units: queue.length, cost: queue.reduce(add, q(0n)) };
}

/** |a − b| in units of 10^-10. */
const gap = (a: Q, b: Q) => {
  const d = add(a, neg(b));
  const abs = d.n < 0n ? -d.n : d.n;
  return Number((abs * 10n ** 10n) / d.d);
};

test('the ledger equals a unit-by-unit FIFO on random histories (within one rounding per cut lot)', () => {
  const rand = mulberry32(20261204);
  for (let run = 0; run < 200; run++) {
    const txs: Transaction[] = [];
    let units = 0;
    let cuts = 0;
    for (let i = 0; i < 25; i++) {
      const at = new Date(Date.UTC(2020, 0, 1 + i)).toISOString();
      const r = rand();
      const price = (1 + Math.floor(rand() * 50000)) / 100;
      const fee = Math.floor(rand() * 500) / 100;
      if (r < 0.5 || units === 0) {
        const n = 1 + Math.floor(rand() * 20);
        txs.push(tx('buy', at, { symbol: 'X', q: String(n), p: String(price), fee: String(fee) }));
        units += n;
      } else if (r < 0.93 || units > 200) {
        const n = 1 + Math.floor(rand() * units);
        txs.push(tx('sell', at, { symbol: 'X', q: String(n), p: String(price), fee: String(fee) }));
        units -= n;
        cuts += 2;
      } else {
        const ratio = rand() < 0.5 ? 2 : 3;
        txs.push(tx('split', at, { symbol: 'X', ratio: String(ratio) }));
        units *= ratio;
      }
    }
    const expected = unitFifo(txs);
    const got = replay(txs, unit).holdings.get('X') as Holding;
    assert.equal(Number(str(quantityOf(got))), expected.units, `run ${run}: quantity`);
    assert.ok(gap(fromDec(got.realized), expected.realized) <= cuts, `run ${run}: realized ${str(got.realized)}`);
    const left = got.lots.reduce((s, l) => s + l.cost, 0n);
    assert.ok(gap(fromDec(left), expected.cost) <= cuts, `run ${run}: cost left ${str(left)}`);
  }
});
