import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { atr } from '../indicators/atr.ts';
import { rsi } from '../indicators/rsi.ts';
import { fmt } from './levels.ts';
import { rsiReversal } from './rsi-reversal.ts';
import { candlesFromCloses, checkInvariants, ramp } from './testing/candles.ts';

/** 60 bars wiggling around a slow rise, `drop` per bar for 8 bars, then 15 bars up by 1.5. */
function dipSeries(drop: number): number[] {
  const wiggle = Array.from({ length: 60 }, (_, i) => 100 + (i % 2 ? 0.5 : -0.5) + i * 0.02);
  const down = ramp(wiggle[59], -drop, 8);
  return [...wiggle, ...down, ...ramp(down[7], 1.5, 15)];
}

function crossesAbove(r: Float64Array, level: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < r.length; i++) if (r[i - 1] < level && r[i] >= level) out.push(i);
  return out;
}

describe('rsi-reversal', () => {
  test('buys when the RSI climbs back above 30 after a dip', () => {
    const s = candlesFromCloses(dipSeries(2));
    const r = rsi(s.close, 14);
    const expected = crossesAbove(r, 30);
    assert.equal(expected.length, 1);
    assert.ok(Math.min(...r.subarray(60, 70)) < 30);
    const out = checkInvariants(rsiReversal.generate(s), s);
    assert.deepEqual(
      out.map((c) => [c.index, c.signalType]),
      [[expected[0], 'buy']],
    );
  });

  test('sells when the RSI falls back below 70 after a spike', () => {
    const s = candlesFromCloses(dipSeries(2).map((c) => 200 - c));
    const r = rsi(s.close, 14);
    const expected: number[] = [];
    for (let i = 1; i < r.length; i++) if (r[i - 1] > 70 && r[i] <= 70) expected.push(i);
    const out = rsiReversal.generate(s);
    assert.deepEqual(
      out.map((c) => [c.index, c.signalType]),
      expected.map((i) => [i, 'sell']),
    );
    assert.equal(out.length, 1);
  });

  test('the rationale names the RSI move, the excursion low and the levels', () => {
    const s = candlesFromCloses(dipSeries(2));
    const [c] = rsiReversal.generate(s);
    const r = rsi(s.close, 14);
    const i = c.index;
    let low = Infinity;
    let bars = 0;
    for (let j = i - 1; r[j] < 30; j--, bars++) low = Math.min(low, r[j]);
    const a = atr(s.high, s.low, s.close, 14)[i];
    assert.deepEqual(c.indicatorsUsed, {
      rsi_14: r[i],
      rsi_14_prev: r[i - 1],
      rsi_14_low: low,
      bars_beyond: bars,
      atr_14: a,
      close: s.close[i],
    });
    assert.equal(
      c.rationale,
      `RSI(14) crossed above 30 (${fmt(r[i - 1])} → ${fmt(r[i])}) after ${bars} bars below it, low ${fmt(low)}; ` +
        `ATR(14) ${fmt(a)} sets stop ${fmt(c.price - 2 * a)} and target ${fmt(c.price + 3 * a)}`,
    );
    // Strength: depth below 30 against 15 points.
    assert.ok(Math.abs(c.strength - Math.min(1, (30 - low) / 15)) < 1e-12);
    assert.ok(c.confidence >= 0.5 && c.confidence <= 1);
  });

  test('a deeper dip gives a stronger signal', () => {
    const [shallow] = rsiReversal.generate(candlesFromCloses(dipSeries(1.2)));
    const [deep] = rsiReversal.generate(candlesFromCloses(dipSeries(3)));
    assert.ok(shallow && deep);
    assert.ok(deep.strength > shallow.strength, `${deep.strength} vs ${shallow.strength}`);
  });

  test('thresholds are parameters', () => {
    const s = candlesFromCloses(dipSeries(2));
    const [at30] = rsiReversal.generate(s);
    const [at40] = rsiReversal.generate(s, { oversold: 40 });
    // The RSI has to climb further to get back above 40, so that comes later.
    assert.ok(at40.index > at30.index);
    assert.match(at40.rationale, /^RSI\(14\) crossed above 40 /);
  });

  test('stays quiet when the RSI hovers around 50', () => {
    const alternating = Array.from({ length: 300 }, (_, i) => 100 + (i % 2 ? 0.5 : -0.5));
    assert.deepEqual(rsiReversal.generate(candlesFromCloses(alternating)), []);
  });

  test('validates params', () => {
    assert.throws(() => rsiReversal.parseParams({ oversold: 60 }), { name: 'RangeError' });
    assert.throws(() => rsiReversal.parseParams({ period: '14' }), {
      name: 'TypeError',
      message: 'rsi-reversal: period must be a number, got string',
    });
  });
});
