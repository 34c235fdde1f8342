import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { atr } from '../indicators/atr.ts';
import { macd } from '../indicators/macd.ts';
import { fmt } from './levels.ts';
import { macdCrossover } from './macd-crossover.ts';
import { candlesFromCloses, checkInvariants, ramp } from './testing/candles.ts';
import { must } from '../../../test/helpers/must.ts';

// An accelerating decline (MACD under its signal line), then a steady rise.
const decline = Array.from({ length: 80 }, (_, i) => 150 - 0.005 * i * i);
const V = [...decline, ...ramp(decline[79], 0.8, 60)];

function histogramCrosses(h: Float64Array): { up: number[]; down: number[] } {
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 1; i < h.length; i++) {
    if (h[i - 1] < 0 && h[i] > 0) up.push(i);
    if (h[i - 1] > 0 && h[i] < 0) down.push(i);
  }
  return { up, down };
}

describe('macd-crossover', () => {
  test('buys where the MACD line crosses above its signal line', () => {
    const s = candlesFromCloses(V);
    const expected = histogramCrosses(macd(s.close).histogram);
    assert.equal(expected.up.length, 1);
    assert.equal(expected.down.length, 0);
    const out = checkInvariants(macdCrossover.generate(s), s);
    assert.deepEqual(
      out.map((c) => [c.index, c.signalType]),
      [[expected.up[0], 'buy']],
    );
  });

  test('sells on the mirrored series', () => {
    const s = candlesFromCloses(V.map((c) => 300 - c));
    const expected = histogramCrosses(macd(s.close).histogram);
    const out = macdCrossover.generate(s);
    assert.deepEqual(
      out.map((c) => [c.index, c.signalType]),
      expected.down.map((i) => [i, 'sell']),
    );
    assert.equal(out.length, 1);
  });

  test('rationale and indicatorsUsed hold the histogram move and the lines', () => {
    const s = candlesFromCloses(V);
    const [c] = macdCrossover.generate(s);
    const m = macd(s.close);
    const i = c.index;
    const a = atr(s.high, s.low, s.close, 14)[i];
    assert.deepEqual(c.indicatorsUsed, {
      macd_12_26_9: m.macd[i],
      macd_12_26_9_signal: m.signal[i],
      macd_12_26_9_histogram: m.histogram[i],
      macd_12_26_9_histogram_prev: m.histogram[i - 1],
      atr_14: a,
      close: s.close[i],
    });
    assert.equal(
      c.rationale,
      `MACD(12,26,9) crossed above its signal line (histogram ${fmt(m.histogram[i - 1])} → ${fmt(m.histogram[i])}; ` +
        `MACD ${fmt(m.macd[i])}, signal ${fmt(m.signal[i])}); ATR(14) ${fmt(a)} sets stop ${fmt(must(c.stopLoss))} and target ${fmt(must(c.targetPrice))}`,
    );
    assert.ok(Math.abs(c.strength - Math.min(1, Math.abs(m.histogram[i] - m.histogram[i - 1]) / (0.1 * a))) < 1e-12);
    // The MACD line is still below zero at this early reversal: no trend agreement.
    assert.ok(m.macd[i] < 0);
    assert.ok(c.confidence === 0.5 || c.confidence === 0.75);
  });

  test('stays quiet on smooth trends, including a straight line (rounding noise is not a cross)', () => {
    const growth = Array.from({ length: 300 }, (_, i) => 100 * 1.01 ** i);
    assert.deepEqual(macdCrossover.generate(candlesFromCloses(growth)), []);
    const line = Array.from({ length: 300 }, (_, i) => 100 + 0.3 * i);
    const h = macd(Float64Array.from(line)).histogram;
    assert.ok(
      h.subarray(40).some((x) => x !== 0),
      'the histogram of a line is only rounding noise around 0',
    );
    assert.deepEqual(macdCrossover.generate(candlesFromCloses(line)), []);
  });

  test('validates params', () => {
    assert.throws(() => macdCrossover.parseParams({ fast: 26, slow: 12 }), {
      name: 'RangeError',
      message: 'macd-crossover: fast (26) must be less than slow (12)',
    });
  });
});
