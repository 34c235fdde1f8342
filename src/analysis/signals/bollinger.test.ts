import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { atr } from '../indicators/atr.ts';
import { bbands } from '../indicators/bbands.ts';
import { INDICATORS } from '../indicators/registry.ts';
import { bollinger } from './bollinger.ts';
import { fmt } from './levels.ts';
import { candlesFromCloses, checkInvariants } from './testing/candles.ts';

// 60 bars alternating around 100, two closes far below, then back near the mean.
const alternating = Array.from({ length: 60 }, (_, i) => 100 + (i % 2 ? 0.5 : -0.5));
const tail = Array.from({ length: 20 }, (_, i) => 99.5 + (i % 2 ? 0.3 : -0.3));
const DIP = [...alternating, 97, 95, 99, ...tail];

describe('bollinger (reversion)', () => {
  test('buys on the first close back above the lower band', () => {
    const s = candlesFromCloses(DIP);
    const { lower } = bbands(s.close, 20, 2);
    assert.ok(s.close[60] < lower[60] && s.close[61] < lower[61] && s.close[62] >= lower[62]);
    const out = checkInvariants(bollinger.generate(s), s);
    assert.deepEqual(
      out.map((c) => [c.index, c.signalType]),
      [[62, 'buy']],
    );
  });

  test('sells on the first close back below the upper band', () => {
    const s = candlesFromCloses(DIP.map((c) => 200 - c));
    const { upper } = bbands(s.close, 20, 2);
    assert.ok(s.close[61] > upper[61] && s.close[62] <= upper[62]);
    assert.deepEqual(
      bollinger.generate(s).map((c) => [c.index, c.signalType]),
      [[62, 'sell']],
    );
  });

  test('rationale, strength from the extreme %b, confidence rules', () => {
    const s = candlesFromCloses(DIP);
    const [c] = bollinger.generate(s);
    const { upper, middle, lower } = bbands(s.close, 20, 2);
    const pctB = (j: number) => (s.close[j] - lower[j]) / (upper[j] - lower[j]);
    const extreme = Math.min(pctB(60), pctB(61));
    const a = atr(s.high, s.low, s.close, 14)[62];
    assert.deepEqual(c.indicatorsUsed, {
      bbands_20_2_upper: upper[62],
      bbands_20_2_middle: middle[62],
      bbands_20_2_lower: lower[62],
      bbands_20_2_band_prev: lower[61],
      pct_b_extreme: extreme,
      bars_outside: 2,
      atr_14: a,
      close: 99,
      close_prev: 95,
    });
    assert.equal(
      c.rationale,
      `Close re-entered above the lower Bollinger band (20, 2) (95.00 → 99.00 vs band ${fmt(lower[61])} → ${fmt(lower[62])}) ` +
        `after 2 bars outside, extreme %b ${fmt(extreme)}; ATR(14) ${fmt(a)} sets stop ${fmt(99 - 2 * a)} and target ${fmt(99 + 3 * a)}`,
    );
    assert.ok(Math.abs(c.strength - Math.min(1, -extreme / 0.5)) < 1e-12);
    // Quick rejection (2 bars) counts; the bands widened during the dip, which does not.
    const widened = upper[62] - lower[62] > upper[60] - lower[60];
    assert.equal(c.confidence, 0.75 + (widened ? 0 : 0.25));
  });

  test('stays quiet inside the bands: steady trend, flat prices', () => {
    const trend = Array.from({ length: 300 }, (_, i) => 100 + 0.1 * i + (i % 2 ? 0.05 : -0.05));
    assert.deepEqual(bollinger.generate(candlesFromCloses(trend)), []);
    assert.deepEqual(bollinger.generate(candlesFromCloses(Array(200).fill(100.37))), []);
  });

  test('validates params', () => {
    assert.throws(() => bollinger.parseParams({ stddev: 0 }), { name: 'RangeError' });
    assert.throws(() => bollinger.parseParams({ mode: 1 }), {
      name: 'RangeError',
      message: "bollinger: unknown parameter 'mode' (valid: period, stddev, atrPeriod, stopAtr, targetAtr)",
    });
  });

  test('takes the band width the bbands indicator takes: its maximum included, nothing above', () => {
    assert.equal(INDICATORS.bbands.parseParams({ stddev: 100 }).stddev, 100);
    assert.equal(bollinger.parseParams({ stddev: 100 }).stddev, 100);
    for (const parse of [
      () => INDICATORS.bbands.parseParams({ stddev: 100.5 }),
      () => bollinger.parseParams({ stddev: 100.5 }),
    ])
      assert.throws(parse, { name: 'RangeError', message: /stddev must be a number > 0 and <= 100, got 100.5/ });
  });
});
