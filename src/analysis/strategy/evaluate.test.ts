import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CandleSeries } from '../../ohlcv.ts';
import { evaluateColumn, evaluateRule } from './evaluate.ts';
import { parseExpression, parseRule } from './parser.ts';
import { StrategySyntaxError } from './errors.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

/** Bars whose open, high, low and close are all `closes[i]`, `step` ms apart. */
function bars(closes: number[], step = HOUR, start = T0): CandleSeries {
  const c = Float64Array.from(closes);
  return {
    ts: Float64Array.from(closes, (_, i) => start + i * step),
    open: c,
    high: c.map((x) => x + 1),
    low: c.map((x) => x - 1),
    close: c,
    volume: c.map(() => 10),
  };
}

const rule = (text: string, b: CandleSeries, params = {}) =>
  Array.from(evaluateRule(parseRule(text), { bars: b, interval: '1h', params }));
const col = (text: string, b: CandleSeries, params = {}) =>
  Array.from(evaluateColumn(parseExpression(text).node, { bars: b, interval: '1h', params }));

describe('strategy evaluator [any]', () => {
  const b = bars([1, 2, 3, 2, 1, 2, 5]);

  test('sma over the columns, NaN in its warm-up', () => {
    const got = col('sma(close, 3)', b);
    const want = [NaN, NaN, 2, 7 / 3, 2, 5 / 3, 8 / 3];
    for (const [i, v] of got.entries())
      assert.ok(Object.is(v, want[i]) || Math.abs(v - want[i]) < 1e-12, `bar ${i}: ${v}`);
  });

  test('a rule reading a warming-up indicator is false, also under not', () => {
    assert.deepEqual(rule('close > sma(close, 3)', b), [0, 0, 1, 0, 0, 1, 1]);
    assert.deepEqual(rule('not close > sma(close, 3)', b), [0, 0, 0, 1, 1, 0, 0]);
    assert.deepEqual(rule('close > sma(close, 3) or close > 0', b), [0, 0, 1, 1, 1, 1, 1]);
  });

  test('crosses_above and crosses_below need the previous bar', () => {
    // close - 2: -1 0 1 0 -1 0 3
    assert.deepEqual(rule('crosses_above(close, 2)', b), [0, 0, 1, 0, 0, 0, 1]);
    assert.deepEqual(rule('crosses_below(close, 2)', b), [0, 0, 0, 0, 1, 0, 0]);
  });

  test('previous values, arithmetic, division by zero has no value', () => {
    assert.deepEqual(col('close - close[1]', b), [NaN, 1, 1, -1, -1, 1, 3]);
    assert.deepEqual(col('-close * 2 + 1', b), [-1, -3, -5, -3, -1, -3, -9]);
    assert.deepEqual(col('close / (close - 2)', b), [-1, NaN, 3, NaN, -1, NaN, 5 / 3]);
    assert.deepEqual(rule('close == 2 and volume != 3', b), [0, 1, 0, 1, 0, 1, 0]);
  });

  test('parameters take their values, and a missing one is an error at its column', () => {
    assert.deepEqual(rule('close >= $level', b, { level: 3 }), [0, 0, 1, 0, 0, 0, 1]);
    assert.throws(
      () => rule('close >= $level', b),
      (err: unknown) => err instanceof StrategySyntaxError && err.message.endsWith('at column 10'),
    );
    assert.deepEqual(col('sma(close, $n)', b, { n: 2 }), [NaN, 1.5, 2.5, 2.5, 1.5, 1.5, 3.5]);
  });

  test('indicator parameters are checked by the indicator', () => {
    assert.throws(
      () => rule('sma(close, 1) > 0', b),
      /sma: period must be an integer >= 2.*at column 1|period.*at column 1/,
    );
  });

  test('an indicator of an indicator starts where its source is defined', () => {
    assert.deepEqual(col('sma(sma(close, 2), 2)', b), [NaN, NaN, 2, 2.5, 2, 1.5, 2.5]);
  });

  test('@interval reads the last closed bar of the other interval (no look-ahead)', () => {
    // Hourly bars from 22:00 on day 0 to 03:00 on day 1; daily bars for day 0 (close 10) and day 1 (close 20).
    const hourly = bars([1, 2, 3, 4, 5, 6], HOUR, T0 + 22 * HOUR);
    const daily = bars([10, 20], 24 * HOUR, T0);
    const ctx = { bars: hourly, interval: '1h' as const, params: {}, other: () => daily };
    // The 22:00 bar closes at 23:00, before day 0 closes: nothing closed yet. The 23:00 bar closes with day 0.
    // Day 1 is never closed within these bars.
    assert.deepEqual(Array.from(evaluateColumn(parseExpression('close@1d').node, ctx)), [NaN, 10, 10, 10, 10, 10]);
    assert.deepEqual(Array.from(evaluateRule(parseRule('close@1d > 5'), ctx)), [0, 1, 1, 1, 1, 1]);
  });
});
