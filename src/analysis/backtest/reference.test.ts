// The engine against an independent reference implementation of the execution model in docs/backtests.md,
// written separately here: positions as objects, a naive moving average, the peak rescanned on every bar, and
// equity rebuilt from the starting cash plus realized profits rather than tracked as cash.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CandleSeries } from '../../ohlcv.ts';
import { generateSeries } from '../indicators/testing/series.ts';
import { evaluateRule, parseRule } from '../strategy/index.ts';
import { runEngine } from './engine.ts';
import { checkSettings, type BacktestSettings } from './settings.ts';

interface RefTrade {
  side: 1 | -1;
  units: number;
  entryBar: number;
  entryPrice: number;
  entryFee: number;
  exitBar?: number;
  exitPrice?: number;
  exitFee?: number;
  reason?: string;
}

/** Trading days only (Monday to Friday), like an exchange's daily bars, with gaps. */
function dailyBars(count: number, seed: number): CandleSeries {
  const s = generateSeries(count, { seed, volatility: 0.02, gapProbability: 0.03, start: 50 });
  const ts = new Float64Array(count);
  let t = Date.UTC(2010, 0, 4);
  for (let i = 0; i < count; i++) {
    while ([0, 6].includes(new Date(t).getUTCDay())) t += 86_400_000;
    ts[i] = t;
    t += 86_400_000;
  }
  return { ...s, ts };
}

function naiveSma(x: Float64Array, period: number, i: number): number {
  if (i < period - 1) return Number.NaN;
  let sum = 0;
  for (let k = i - period + 1; k <= i; k++) sum += x[k];
  return sum / period;
}

function naiveCross(x: Float64Array, fast: number, slow: number, i: number, up: boolean): boolean {
  if (i < 1) return false;
  const now = [naiveSma(x, fast, i), naiveSma(x, slow, i)];
  const before = [naiveSma(x, fast, i - 1), naiveSma(x, slow, i - 1)];
  if ([...now, ...before].some(Number.isNaN)) return false;
  return up ? now[0] > now[1] && before[0] <= before[1] : now[0] < now[1] && before[0] >= before[1];
}

function reference(b: CandleSeries, enter: boolean[], leave: boolean[], s: BacktestSettings) {
  const done: RefTrade[] = [];
  let open: RefTrade | null = null;
  let order: 'long' | 'short' | 'close' | null = null;
  const realized = () => done.reduce((sum, t) => sum + pnl(t), 0);
  const pnl = (t: RefTrade) => t.side * t.units * ((t.exitPrice ?? 0) - t.entryPrice) - t.entryFee - (t.exitFee ?? 0);
  const finish = (t: RefTrade, bar: number, raw: number, reason: string) => {
    t.exitBar = bar;
    t.exitPrice = t.side === 1 ? raw - raw * s.slippage : raw + raw * s.slippage;
    t.exitFee = t.units * t.exitPrice * s.commission;
    t.reason = reason;
    done.push(t);
  };
  for (let i = 0; i < b.close.length; i++) {
    if (order === 'close' && open) {
      finish(open, i, b.open[i], 'exit');
      open = null;
    } else if (order === 'long' || order === 'short') {
      const side = order === 'long' ? 1 : -1;
      const price = b.open[i] + side * b.open[i] * s.slippage;
      const budget = (s.cash + realized()) * (s.sizePct ?? 1);
      let units = s.fractional ? budget / (price + price * s.commission) : 0;
      if (!s.fractional) while ((units + 1) * price * (1 + s.commission) <= budget) units++;
      if (units > 0) open = { side, units, entryBar: i, entryPrice: price, entryFee: units * price * s.commission };
    }
    order = null;
    if (open && i > open.entryBar) {
      let extreme = open.side === 1 ? -Infinity : Infinity;
      for (let k = open.entryBar; k < i; k++) {
        extreme = open.side === 1 ? Math.max(extreme, b.high[k]) : Math.min(extreme, b.low[k]);
      }
      const stops: [number, string][] = [];
      if (s.stopLoss !== null) stops.push([open.entryPrice * (1 - open.side * s.stopLoss), 'stop_loss']);
      if (s.trailingStop !== null) stops.push([extreme * (1 - open.side * s.trailingStop), 'trailing_stop']);
      // The stop met first as the price moves against the position; the stop-loss wins a tie.
      stops.sort((x, y) => (open?.side === 1 ? y[0] - x[0] : x[0] - y[0]));
      const stop = stops[0];
      const target = s.takeProfit !== null ? open.entryPrice * (1 + open.side * s.takeProfit) : null;
      const against = (level: number, price: number) => (open?.side === 1 ? price <= level : price >= level);
      const worst = open.side === 1 ? b.low[i] : b.high[i];
      const best = open.side === 1 ? b.high[i] : b.low[i];
      let exit: [number, string] | null = null;
      if (stop && against(stop[0], b.open[i])) exit = [b.open[i], stop[1]];
      else if (target !== null && (open.side === 1 ? b.open[i] >= target : b.open[i] <= target))
        exit = [b.open[i], 'take_profit'];
      else if (stop && against(stop[0], worst)) exit = [stop[0], stop[1]];
      else if (target !== null && (open.side === 1 ? best >= target : best <= target)) exit = [target, 'take_profit'];
      if (exit) {
        finish(open, i, exit[0], exit[1]);
        open = null;
      }
    }
    if (i === b.close.length - 1) break;
    if (!open) order = enter[i] ? 'long' : s.short && leave[i] ? 'short' : null;
    else if ((open.side === 1 && leave[i]) || (open.side === -1 && enter[i])) order = 'close';
  }
  const last = b.close[b.close.length - 1];
  let final = s.cash + realized();
  if (open) final += open.side * open.units * (last - open.entryPrice) - open.entryFee;
  return { done, open, final };
}

const CASES: Partial<BacktestSettings>[] = [
  { commission: 0.001, slippage: 0.0005 },
  { commission: 0.002, slippage: 0.001, stopLoss: 0.05, takeProfit: 0.12 },
  { commission: 0.001, slippage: 0.0005, trailingStop: 0.07, stopLoss: 0.04 },
  { commission: 0.001, slippage: 0.001, fractional: true, stopLoss: 0.03 },
  {
    commission: 0.0015,
    slippage: 0.0002,
    sizePct: 0.6,
    short: true,
    stopLoss: 0.06,
    takeProfit: 0.1,
    trailingStop: 0.09,
  },
  { cash: 2345.67, commission: 0.003, slippage: 0.002, short: true, takeProfit: 0.05 },
];

describe('backtest engine equals the reference on daily bars with costs [any]', () => {
  for (const seed of [7, 8, 9]) {
    const b = dailyBars(2500, seed);
    const ctx = { bars: b, interval: '1d' as const, params: {} };
    const entry = evaluateRule(parseRule('crosses_above(sma(close, 10), sma(close, 30))'), ctx);
    const exit = evaluateRule(parseRule('crosses_below(sma(close, 10), sma(close, 30))'), ctx);
    const enter = Array.from(entry, (_, i) => naiveCross(b.close, 10, 30, i, true));
    const leave = Array.from(exit, (_, i) => naiveCross(b.close, 10, 30, i, false));

    test(`seed ${seed}: the rules match a naive moving average`, () => {
      assert.deepEqual(Array.from(entry, Boolean), enter);
      assert.deepEqual(Array.from(exit, Boolean), leave);
      assert.ok(enter.filter(Boolean).length > 20, 'the rules fire');
    });

    CASES.forEach((input, k) => {
      test(`seed ${seed}, case ${k}: same trades, same final equity`, () => {
        const s = checkSettings(input);
        const got = runEngine(b, entry, exit, s);
        const want = reference(b, enter, leave, s);
        const closed = got.trades.filter((t) => t.exitReason !== 'end');
        assert.equal(closed.length, want.done.length);
        assert.ok(closed.length > 10, 'enough trades to compare');
        closed.forEach((t, j) => {
          const r = want.done[j];
          assert.deepEqual([t.entryIndex, t.exitIndex, t.exitReason], [r.entryBar, r.exitBar, r.reason], `trade ${j}`);
          const size = r.side * r.units;
          assert.ok(Math.abs(t.size - size) <= 1e-9 * Math.abs(size), `trade ${j} size ${t.size} vs ${size}`);
          assert.ok(Math.abs(t.exitPrice - (r.exitPrice ?? 0)) <= 1e-9 * t.exitPrice, `trade ${j} exit price`);
        });
        assert.equal(got.trades.length - closed.length, want.open ? 1 : 0);
        assert.ok(
          Math.abs(got.finalEquity - want.final) <= 1e-9 * Math.abs(want.final),
          `${got.finalEquity} vs ${want.final}`,
        );
      });
    });
  }

  test('the cases exercise every exit reason', () => {
    const reasons = new Set<string>();
    const b = dailyBars(2500, 7);
    const ctx = { bars: b, interval: '1d' as const, params: {} };
    const entry = evaluateRule(parseRule('crosses_above(sma(close, 10), sma(close, 30))'), ctx);
    const exit = evaluateRule(parseRule('crosses_below(sma(close, 10), sma(close, 30))'), ctx);
    let gaps = 0;
    for (const input of CASES) {
      for (const t of runEngine(b, entry, exit, checkSettings(input)).trades) {
        reasons.add(t.exitReason);
        if (t.exitReason === 'stop_loss' && b.open[t.exitIndex] < t.entryPrice * (1 - (input.stopLoss ?? 0))) gaps++;
      }
    }
    for (const r of ['exit', 'stop_loss', 'take_profit', 'trailing_stop']) assert.ok(reasons.has(r), r);
    assert.ok(gaps > 0, 'a gap through a stop');
  });
});
