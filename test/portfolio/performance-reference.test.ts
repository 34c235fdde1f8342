/**
 * The daily values computed in the database against a separate, straightforward computation of the same
 * rule (docs/portfolio.md, "Performance") on a small random portfolio: for each UTC day, replay every
 * transaction up to the day's end, take each asset's last close at or before it and each currency's
 * last rate, and add up. Daily candles with gaps, an asset stored only hourly, a second currency, a
 * split, a transfer in, dividends, fees, days held before the first close and before the first rate.
 */
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

const DAY = 86_400_000;
const FIRST = Date.UTC(2024, 2, 1);
const DAYS = 40;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A seeded generator (mulberry32): the same portfolio on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Candle {
  ts: number;
  close: number;
}
interface Tx {
  type: string;
  ts: number;
  symbol?: string;
  quantity: number;
  price: number;
  fee: number;
  ratio?: number;
  currency: string;
}

const rnd = random(20240301);
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Closes: daily ones with gaps (DAILY from day 1), hourly ones for HOURLY, the pair from day 4. */
function makeCandles(): Record<string, Candle[]> {
  const out: Record<string, Candle[]> = { DAILY: [], HOURLY: [], EUROPE: [], EURUSD: [] };
  for (let d = -3; d < DAYS; d++) {
    const t = FIRST + d * DAY;
    if (d === 1 || (d > 1 && rnd() < 0.7)) out.DAILY.push({ ts: t, close: round2(40 + 20 * rnd()) });
    if (d === 0 || (d > 0 && rnd() < 0.8)) out.EUROPE.push({ ts: t, close: round2(90 + 20 * rnd()) });
    if (d === 4 || (d > 4 && rnd() < 0.75)) out.EURUSD.push({ ts: t, close: round2(1 + 0.2 * rnd()) });
    if (d >= 0) {
      for (let h = 0; h < 24; h++)
        if (rnd() < 0.1) out.HOURLY.push({ ts: t + h * 3_600_000, close: round2(20 + 5 * rnd()) });
    }
  }
  return out;
}

/** Random transactions, never selling more than held; the portfolio is in USD, EUROPE trades in EUR. */
function makeTransactions(): Tx[] {
  const held: Record<string, number> = { DAILY: 0, HOURLY: 0, EUROPE: 3 };
  const currency = (s: string) => (s === 'EUROPE' ? 'EUR' : 'USD');
  const txs: Tx[] = [
    { type: 'deposit', ts: FIRST + 3_600_000, quantity: 1, price: 10_000, fee: 0, currency: 'USD' },
    // Held in EUR from day 1, before the pair's first rate (day 4), without EUR cash until then.
    {
      type: 'transfer_in',
      ts: FIRST + DAY + 3_600_000,
      symbol: 'EUROPE',
      quantity: 3,
      price: 95,
      fee: 0,
      currency: 'EUR',
    },
    { type: 'deposit', ts: FIRST + 5 * DAY + 3_600_000, quantity: 1, price: 5_000, fee: 1, currency: 'EUR' },
    { type: 'buy', ts: FIRST + 3 * 3_600_000, symbol: 'DAILY', quantity: 10, price: 45, fee: 1, currency: 'USD' },
  ];
  held.DAILY = 10;
  for (let d = 0; d < DAYS; d++) {
    const times = [rnd(), rnd()].sort().map((f) => FIRST + d * DAY + 4 * 3_600_000 + Math.floor(f * 19 * 3_600_000));
    for (const ts of times) {
      const symbol = d < 6 ? 'DAILY' : ['DAILY', 'HOURLY', 'EUROPE'][Math.floor(rnd() * 3)];
      const r = rnd();
      const price = round2(30 + 40 * rnd());
      const cur = currency(symbol);
      if (r < 0.35) {
        const quantity = 1 + Math.floor(rnd() * 10);
        txs.push({ type: 'buy', ts, symbol, quantity, price, fee: 1, currency: cur });
        held[symbol] += quantity;
      } else if (r < 0.55 && held[symbol] >= 1) {
        const quantity = Math.max(1, Math.floor(held[symbol] * rnd()));
        txs.push({ type: 'sell', ts, symbol, quantity, price, fee: 0.5, currency: cur });
        held[symbol] -= quantity;
      } else if (r < 0.62) {
        txs.push({ type: 'dividend', ts, symbol, quantity: 1, price: round2(5 * rnd()), fee: 0, currency: cur });
      } else if (r < 0.67) {
        txs.push({ type: 'fee', ts, quantity: 1, price: 2, fee: 0, currency: 'USD' });
      } else if (r < 0.72) {
        txs.push({ type: 'withdrawal', ts, quantity: 1, price: 100, fee: 0, currency: 'USD' });
      } else if (r < 0.77) {
        txs.push({ type: 'transfer_in', ts, symbol, quantity: 2, price, fee: 0, currency: cur });
        held[symbol] += 2;
      }
    }
    if (d === 17) {
      txs.push({
        type: 'split',
        ts: FIRST + d * DAY + 60_000,
        symbol: 'DAILY',
        quantity: 0,
        price: 0,
        fee: 0,
        ratio: 3,
        currency: 'USD',
      });
      held.DAILY *= 3;
    }
  }
  return txs.sort((a, b) => a.ts - b.ts);
}

const candles = makeCandles();
const txs = makeTransactions();

/** The last close at or before the end of the day (ms), or null. */
function closeAt(list: Candle[], end: number): number | null {
  let c: number | null = null;
  for (const x of list) if (x.ts < end) c = x.close;
  return c;
}

/** The straightforward rule, day by day. */
function reference(from: number, to: number): { day: string; value: number; flow: number; priced: boolean }[] {
  const out = [];
  for (let t = from; t <= to; t += DAY) {
    const end = t + DAY;
    const qty: Record<string, number> = {};
    const cash: Record<string, number> = { USD: 0, EUR: 0 };
    const flow: Record<string, number> = { USD: 0, EUR: 0 };
    for (const x of txs.filter((x) => x.ts < end)) {
      const amount = x.quantity * x.price;
      const s = x.symbol;
      if (x.type === 'buy' && s) qty[s] = (qty[s] ?? 0) + x.quantity;
      if (x.type === 'sell' && s) qty[s] -= x.quantity;
      if (x.type === 'transfer_in' && s) qty[s] = (qty[s] ?? 0) + x.quantity;
      if (x.type === 'split' && s) qty[s] *= x.ratio ?? 1;
      const dcash: Record<string, number> = {
        buy: -(amount + x.fee),
        sell: amount - x.fee,
        deposit: amount - x.fee,
        withdrawal: -amount - x.fee,
        dividend: amount - x.fee,
        fee: -(amount + x.fee),
        split: -x.fee,
        transfer_in: -x.fee,
      };
      cash[x.currency] += dcash[x.type];
      if (x.ts >= t) {
        if (x.type === 'deposit') flow[x.currency] += amount - x.fee;
        if (x.type === 'withdrawal') flow[x.currency] += -amount - x.fee;
        if (x.type === 'transfer_in') flow[x.currency] += amount;
      }
    }
    const rate: Record<string, number | null> = { USD: 1, EUR: closeAt(candles.EURUSD, end) };
    let value = 0;
    let flows = 0;
    let priced = true;
    for (const [s, q] of Object.entries(qty)) {
      const c = closeAt(candles[s], end);
      const r = rate[s === 'EUROPE' ? 'EUR' : 'USD'];
      if (Math.abs(q) >= 1e-9 && (c === null || r === null)) priced = false;
      else value += q * (c ?? 0) * (r ?? 0);
    }
    for (const cur of ['USD', 'EUR']) {
      if ((cash[cur] !== 0 || flow[cur] !== 0) && rate[cur] === null) priced = false;
      value += cash[cur] * (rate[cur] ?? 0);
      flows += flow[cur] * (rate[cur] ?? 0);
    }
    out.push({ day: dayOf(t), value, flow: flows, priced });
  }
  return out;
}

forEachBackend('portfolio performance against a straightforward computation', (open) => {
  let db: Database;
  let p: Portfolio;
  before(async () => {
    db = await open();
    const u = await createUser(db, { username: 'ref', email: 'ref@example.com', password: 'correct horse' });
    for (const [symbol, list] of Object.entries(candles)) {
      const id = await insertAsset(db, symbol);
      if (symbol === 'EURUSD') await db.query(`UPDATE assets SET asset_type = 'forex' WHERE id = $1`, [id]);
      await db.query(
        `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
         SELECT $1, t, $4::candle_interval, c, c, c, c, 1 FROM unnest($2::timestamptz[], $3::float8[]) AS u(t, c)`,
        [id, list.map((c) => new Date(c.ts)), list.map((c) => c.close), symbol === 'HOURLY' ? '1h' : '1d'],
      );
      await refreshSeries(db, [id]);
    }
    p = await createPortfolio(db, u.id, { name: 'ref' });
    for (const x of txs) {
      await addTransaction(db, p, {
        type: x.type,
        ts: new Date(x.ts),
        symbol: x.symbol ?? null,
        quantity: x.type === 'split' ? null : x.quantity,
        price: x.type === 'split' ? null : x.price,
        fee: x.fee,
        ratio: x.ratio ?? null,
        currency: x.currency,
      });
    }
  });
  after(() => db.close());

  for (const [label, fromDay] of [
    ['the whole history', 0],
    ['a range starting later', 12],
  ] as const) {
    test(`every day's value, flow and priced flag: ${label}`, async () => {
      const to = FIRST + (DAYS - 1) * DAY;
      const from = FIRST + fromDay * DAY;
      const r = await performance(db, p, { from: fromDay ? dayOf(from) : undefined, to: dayOf(to) });
      const want = reference(from, to);
      assert.equal(r.days.length, want.length);
      if (!fromDay) {
        // Day 0: DAILY held before its first close; days 1–3: EUROPE held before EUR's first rate.
        assert.deepEqual(
          want.slice(0, 5).map((d) => d.priced),
          [false, false, false, false, true],
        );
      }
      for (const [i, d] of r.days.entries()) {
        const w = want[i];
        assert.equal(d.day, w.day);
        assert.equal(d.priced, w.priced, `${w.day} priced`);
        assert.ok(Math.abs(d.value - w.value) < 1e-6, `${w.day} value ${d.value} ≈ ${w.value}`);
        assert.ok(Math.abs(d.flow - w.flow) < 1e-6, `${w.day} flow ${d.flow} ≈ ${w.flow}`);
      }
      const start = reference(from - DAY, from - DAY)[0];
      assert.ok(Math.abs(r.start_value - start.value) < 1e-6, `start value ${r.start_value} ≈ ${start.value}`);
    });
  }
});
