import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSeries } from '../indicators/testing/series.ts';
import { backtest } from './backtest.ts';
import { maCrossover } from './ma-crossover.ts';
import { candlesFromCloses, fakeStrategy } from './testing/candles.ts';
import { must } from '../../../test/helpers/must.ts';

//               0    1    2    3    4    5    6    7    8    9
const CLOSES = [100, 102, 104, 103, 101, 99, 102, 100, 105, 104];
const series = candlesFromCloses(CLOSES);
const preset = fakeStrategy('preset', [
  { index: 1, type: 'buy' },
  { index: 3, type: 'hold' },
  { index: 4, type: 'strong_sell' },
  { index: 8, type: 'buy' },
]);

describe('backtest', () => {
  test('hit rate, signed returns and pending signals on a hand-made series (horizon 2)', () => {
    const r = backtest(series, preset, undefined, { horizon: 2 });
    // buy@1: 102 -> close[3] 103, a hit, +1/102. strong_sell@4: 101 -> close[6] 102, a miss, -1/101.
    // buy@8: exit bar 10 is past the end: pending. hold@3: counted apart.
    assert.equal(r.signals, 3);
    assert.equal(r.count, 2);
    assert.equal(r.pending, 1);
    assert.equal(r.holds, 1);
    assert.equal(r.hits, 1);
    assert.equal(r.hitRate, 0.5);
    assert.ok(Math.abs(must(r.avgReturn) - (1 / 102 - 1 / 101) / 2) < 1e-15);
    assert.deepEqual(
      r.rows.map((row) => [row.index, row.signalType, row.entry, row.exitIndex, row.exit, row.hit]),
      [
        [1, 'buy', 102, 3, 103, true],
        [4, 'strong_sell', 101, 6, 102, false],
        [8, 'buy', 105, null, null, null],
      ],
    );
  });

  test('equity follows the signals: long from bar 1, short from bar 4, long from bar 8', () => {
    const r = backtest(series, preset, undefined, { horizon: 2 });
    const long = (from: number, to: number) => to / from;
    const short = (from: number, to: number) => 1 - (to - from) / from;
    // Bars 2-4 long: 102 -> 104 -> 103 -> 101; bars 5-8 short: 101 -> 99 -> 102 -> 100 -> 105; bar 9 long: 105 -> 104.
    const curve: number[] = [];
    let e = 1;
    for (const [a, b] of [
      [102, 104],
      [104, 103],
      [103, 101],
    ]) {
      e *= long(a, b);
      curve.push(e);
    }
    for (const [a, b] of [
      [101, 99],
      [99, 102],
      [102, 100],
      [100, 105],
    ]) {
      e *= short(a, b);
      curve.push(e);
    }
    e *= long(105, 104);
    curve.push(e);
    assert.ok(Math.abs(r.finalEquity - e) < 1e-12);
    let peak = 1;
    let dd = 0;
    for (const v of curve) {
      peak = Math.max(peak, v);
      dd = Math.max(dd, (peak - v) / peak);
    }
    assert.ok(Math.abs(r.maxDrawdown - dd) < 1e-12);
    // The worst fall: from 104/102 at bar 2 down to the short's loss at bar 8.
    assert.ok(r.maxDrawdown > 0.05 && r.maxDrawdown < 0.1);
  });

  test('with allowShort false, sells go flat', () => {
    const r = backtest(series, preset, undefined, { horizon: 2, allowShort: false });
    // Long 102 -> 101 over bars 2-4, flat bars 5-8, long 105 -> 104 on bar 9.
    assert.ok(Math.abs(r.finalEquity - (101 / 102) * (104 / 105)) < 1e-12);
    assert.equal(r.allowShort, false);
    // Scoring does not depend on the equity mode.
    assert.equal(r.hitRate, 0.5);
  });

  test('no directional signals: null rates, flat equity', () => {
    const r = backtest(series, fakeStrategy('none', [{ index: 2, type: 'hold' }]));
    assert.equal(r.count, 0);
    assert.equal(r.hitRate, null);
    assert.equal(r.avgReturn, null);
    assert.equal(r.maxDrawdown, 0);
    assert.equal(r.finalEquity, 1);
    assert.equal(r.horizon, 10);
  });

  test('real strategy on random data: consistent totals', () => {
    const s = generateSeries(3000, { seed: 31 });
    const r = backtest(s, maCrossover, { fast: 10, slow: 30 }, { horizon: 5 });
    assert.equal(r.count + r.pending, r.signals);
    assert.equal(r.rows.filter((row) => row.hit).length, r.hits);
    assert.ok(must(r.hitRate) >= 0 && must(r.hitRate) <= 1);
    assert.ok(r.maxDrawdown >= 0 && r.maxDrawdown < 1);
    const mean = r.rows.filter((row) => row.return !== null).reduce((sum, row) => sum + must(row.return), 0) / r.count;
    assert.ok(Math.abs(mean - must(r.avgReturn)) < 1e-15);
  });

  test('validates the horizon', () => {
    assert.throws(() => backtest(series, preset, undefined, { horizon: 0 }), {
      name: 'RangeError',
      message: 'backtest: horizon must be an integer >= 1, got 0',
    });
  });
});
