// Hand-computed cases of the execution model (docs/backtests.md).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CandleSeries } from '../../ohlcv.ts';
import { runEngine } from './engine.ts';
import { computeMetrics } from './metrics.ts';
import { checkSettings, type BacktestSettings } from './settings.ts';

const DAY = 86_400_000;

/** Daily bars from [open, high, low, close] rows. */
function bars(rows: [number, number, number, number][]): CandleSeries {
  const col = (k: number) => Float64Array.from(rows, (r) => r[k]);
  return {
    ts: Float64Array.from(rows, (_, i) => Date.UTC(2024, 0, 1) + i * DAY),
    open: col(0),
    high: col(1),
    low: col(2),
    close: col(3),
    volume: col(3).map(() => 1),
  };
}

const mask = (n: number, on: number[]) => Uint8Array.from({ length: n }, (_, i) => (on.includes(i) ? 1 : 0));
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${a} != ${b}`);

function run(rows: [number, number, number, number][], entry: number[], exit: number[], s: Partial<BacktestSettings>) {
  const b = bars(rows);
  const settings = checkSettings(s);
  const r = runEngine(b, mask(rows.length, entry), mask(rows.length, exit), settings);
  return { r, m: computeMetrics(b.ts, b.close, settings.cash, r) };
}

describe('backtest engine, hand-computed: fills, stops and costs [any]', () => {
  test('whole units with commission and slippage, filled at the next open', () => {
    const { r, m } = run(
      [
        [100, 101, 99, 100],
        [100, 105, 98, 104],
        [104, 110, 103, 110],
        [120, 121, 119, 120],
        [120, 121, 119, 121],
      ],
      [0],
      [2],
      { cash: 1000, commission: 0.01, slippage: 0.01 },
    );
    // Buy at 100 * 1.01 = 101; 101 * 1.01 = 102.01 a unit with commission: 9 units (918.09); fee 9.09.
    // Sell at 120 * 0.99 = 118.8; fee 10.692. Cash 1000 - 909 - 9.09 + 1069.2 - 10.692 = 1140.418.
    assert.equal(r.trades.length, 1);
    const t = r.trades[0];
    assert.deepEqual([t.entryIndex, t.exitIndex, t.size, t.exitReason], [1, 3, 9, 'exit']);
    close(t.entryPrice, 101);
    close(t.exitPrice, 118.8);
    close(t.pnl, 140.418);
    close(r.finalEquity, 1140.418);
    // Equity at closes: 1000; 81.91 + 9 * 104; 81.91 + 990; 1140.418; 1140.418.
    close(r.equity[1], 1017.91);
    close(m.returnPct, 14.0418);
    close(m.buyAndHoldReturnPct, 21);
    close(m.exposurePct, 60);
    assert.equal(m.winRate, 100);
    assert.equal(m.profitFactor, null);
    close(m.maxDrawdownPct, 0);
  });

  test('stops are not checked on the entry bar; a gap through the stop fills at the open', () => {
    const { r } = run(
      [
        [100, 100, 100, 100],
        [100, 100, 80, 95],
        [85, 90, 84, 88],
        [88, 88, 88, 88],
      ],
      [0],
      [],
      { cash: 1000, stopLoss: 0.1 },
    );
    assert.equal(r.trades.length, 1);
    assert.deepEqual([r.trades[0].exitIndex, r.trades[0].exitPrice, r.trades[0].exitReason], [2, 85, 'stop_loss']);
    close(r.finalEquity, 1000 - 10 * 15);
  });

  test('stop-loss first when stop and target could both trigger in one bar; target at its level', () => {
    const both = run(
      [
        [100, 100, 100, 100],
        [100, 100, 100, 100],
        [100, 130, 80, 100],
      ],
      [0],
      [],
      { cash: 1000, stopLoss: 0.1, takeProfit: 0.2 },
    );
    assert.deepEqual([both.r.trades[0].exitPrice, both.r.trades[0].exitReason], [90, 'stop_loss']);
    const target = run(
      [
        [100, 100, 100, 100],
        [100, 100, 100, 100],
        [100, 130, 95, 100],
      ],
      [0],
      [],
      { cash: 1000, stopLoss: 0.1, takeProfit: 0.2 },
    );
    assert.deepEqual([target.r.trades[0].exitPrice, target.r.trades[0].exitReason], [120, 'take_profit']);
  });

  test('the trailing stop follows the highest high since the entry (entry bar included)', () => {
    const { r } = run(
      [
        [100, 100, 100, 100],
        [100, 110, 100, 105],
        [105, 120, 104, 115],
        [115, 116, 107, 110],
      ],
      [0],
      [],
      { cash: 1000, trailingStop: 0.1 },
    );
    // Peak 110 after the entry bar: stop 99, untouched by bar 2 (low 104); peak 120: stop 108, hit by bar 3.
    assert.deepEqual([r.trades[0].exitIndex, r.trades[0].exitReason], [3, 'trailing_stop']);
    close(r.trades[0].exitPrice, 108);
  });

  test('a position open at the end is valued at the last close with no exit commission', () => {
    const { r, m } = run(
      [
        [10, 10, 10, 10],
        [10, 10, 10, 10],
        [10, 12, 8, 8],
      ],
      [0],
      [],
      { cash: 100, commission: 0.1, fractional: true },
    );
    // 100 / 11 units at 10; fee 100/11; value at 8.
    const units = 100 / 11;
    assert.equal(r.trades[0].exitReason, 'end');
    close(r.trades[0].size, units);
    close(r.finalEquity, units * 8);
    close(r.trades[0].pnl, units * 8 - 100);
    close(m.maxDrawdownPct, (1 - (units * 8) / 100) * 100);
    close(m.exposurePct, (2 / 3) * 100);
  });
});

describe('backtest engine, hand-computed: shorts and settings [any]', () => {
  test('--short: the exit rule opens a short that the entry rule closes; --size-pct sizes from equity', () => {
    const { r, m } = run(
      [
        [100, 100, 100, 100],
        [100, 100, 100, 100],
        [90, 90, 90, 90],
        [80, 80, 80, 80],
      ],
      [1],
      [0],
      { cash: 1000, short: true, sizePct: 0.5 },
    );
    // Short 5 units at 100 (500 of 1000), covered at 90: +50.
    assert.deepEqual(
      [r.trades[0].size, r.trades[0].entryIndex, r.trades[0].exitIndex, r.trades[0].pnl],
      [-5, 1, 2, 50],
    );
    close(r.finalEquity, 1050);
    assert.equal(m.winRate, 100);
    // Long is the default: the same rules without --short never trade on the exit rule.
    const longOnly = run(
      [
        [100, 100, 100, 100],
        [100, 100, 100, 100],
      ],
      [],
      [0],
      { cash: 1000 },
    );
    assert.equal(longOnly.r.trades.length, 0);
  });

  test('settings are checked by name', () => {
    assert.throws(() => checkSettings({ commission: -0.1 }), /commission must be a number from 0 to 0.5, got -0.1/);
    assert.throws(() => checkSettings({ cash: 0 }), /cash must be a number above 0/);
    assert.throws(() => checkSettings({ sizePct: 2 }), /size-pct/);
  });
});
