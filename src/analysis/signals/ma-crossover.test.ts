import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { atr } from '../indicators/atr.ts';
import { ema } from '../indicators/ema.ts';
import { sma } from '../indicators/sma.ts';
import { fmt } from './levels.ts';
import { maCrossover } from './ma-crossover.ts';
import { candlesFromCloses, checkInvariants, ramp } from './testing/candles.ts';
import { must } from '../../../test/helpers/must.ts';

/** Bars where `fast` goes from at or below `slow` to above it (up) or the reverse (down). */
function crosses(fast: Float64Array, slow: Float64Array): { up: number[]; down: number[] } {
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 1; i < fast.length; i++) {
    if (fast[i - 1] <= slow[i - 1] && fast[i] > slow[i]) up.push(i);
    if (fast[i - 1] >= slow[i - 1] && fast[i] < slow[i]) down.push(i);
  }
  return { up, down };
}

// 100 bars down from 150 to 100, then 100 bars up to 160.
const V = [...ramp(150, -0.5, 100), ...ramp(100, 0.6, 100)];
const INVERTED_V = V.map((c) => 250 - c);

describe('ma-crossover', () => {
  test('buys where SMA(20) crosses above SMA(50), once, on a V-shaped series', () => {
    const s = candlesFromCloses(V);
    const out = checkInvariants(maCrossover.generate(s), s);
    const expected = crosses(sma(s.close, 20), sma(s.close, 50));
    assert.equal(expected.up.length, 1);
    assert.deepEqual(
      out.map((c) => [c.index, c.signalType]),
      [[expected.up[0], 'buy']],
    );
  });

  test('sells where the fast SMA crosses below the slow one', () => {
    const s = candlesFromCloses(INVERTED_V);
    const out = maCrossover.generate(s);
    const expected = crosses(sma(s.close, 20), sma(s.close, 50));
    assert.deepEqual(
      out.map((c) => [c.index, c.signalType]),
      [[expected.down[0], 'sell']],
    );
  });

  test('rationale and indicatorsUsed carry the values that triggered it; ATR levels', () => {
    const s = candlesFromCloses(V);
    const [c] = maCrossover.generate(s, { stopAtr: 1.5, targetAtr: 4 });
    const i = c.index;
    const f = sma(s.close, 20);
    const sl = sma(s.close, 50);
    const a = atr(s.high, s.low, s.close, 14)[i];
    assert.deepEqual(c.indicatorsUsed, {
      sma_20: f[i],
      sma_20_prev: f[i - 1],
      sma_50: sl[i],
      sma_50_prev: sl[i - 1],
      atr_14: a,
      close: s.close[i],
      volume: 1000,
      volume_sma_20: 1000,
    });
    assert.equal(c.price, s.close[i]);
    assert.ok(Math.abs(must(c.stopLoss) - (c.price - 1.5 * a)) < 1e-12);
    assert.ok(Math.abs(must(c.targetPrice) - (c.price + 4 * a)) < 1e-12);
    assert.equal(
      c.rationale,
      `SMA(20) crossed above SMA(50) (${fmt(f[i - 1])} → ${fmt(f[i])} vs ${fmt(sl[i - 1])} → ${fmt(sl[i])}); ` +
        `ATR(14) ${fmt(a)} sets stop ${fmt(must(c.stopLoss))} and target ${fmt(must(c.targetPrice))}`,
    );
  });

  test('confidence is 0.4 + 0.2 per confirmation; a volume spike adds one', () => {
    const plain = candlesFromCloses(V);
    const [c] = maCrossover.generate(plain);
    const i = c.index;
    const f = sma(plain.close, 20)[i];
    const sl = sma(plain.close, 50);
    const confirmations = +(plain.close[i] > Math.max(f, sl[i])) + +(sl[i] > sl[i - 1]); // volume flat: no third
    assert.ok(Math.abs(c.confidence - (0.4 + 0.2 * confirmations)) < 1e-12);
    const volume = V.map((_, k) => (k === i ? 5000 : 1000));
    const [spiked] = maCrossover.generate(candlesFromCloses(V, { volume }));
    assert.equal(spiked.index, i);
    assert.ok(Math.abs(spiked.confidence - c.confidence - 0.2) < 1e-12);
    assert.ok(c.strength > 0 && c.strength <= 1);
  });

  test('EMA variant uses EMAs (exponential = 1)', () => {
    const s = candlesFromCloses(V);
    const out = maCrossover.generate(s, { exponential: 1, fast: 10, slow: 30 });
    const expected = crosses(ema(s.close, 10), ema(s.close, 30));
    assert.deepEqual(
      out.map((c) => c.index),
      expected.up,
    );
    assert.match(out[0].rationale, /^EMA\(10\) crossed above EMA\(30\)/);
    assert.ok('ema_10' in out[0].indicatorsUsed && 'ema_30_prev' in out[0].indicatorsUsed);
  });

  test('stays quiet on a steady uptrend and on flat prices', () => {
    const up = Array.from({ length: 300 }, (_, i) => 100 * 1.002 ** i + (i % 2 ? 0.05 : -0.05));
    assert.deepEqual(maCrossover.generate(candlesFromCloses(up)), []);
    assert.deepEqual(maCrossover.generate(candlesFromCloses(Array(300).fill(100.37))), []);
  });

  test('fromIndex skips earlier bars', () => {
    const s = candlesFromCloses(V);
    const [c] = maCrossover.generate(s);
    assert.equal(maCrossover.generate(s, undefined, { fromIndex: c.index }).length, 1);
    assert.equal(maCrossover.generate(s, undefined, { fromIndex: c.index + 1 }).length, 0);
  });

  test('validates params', () => {
    assert.throws(() => maCrossover.parseParams({ fast: 50, slow: 20 }), {
      name: 'RangeError',
      message: 'ma-crossover: fast (50) must be less than slow (20)',
    });
    assert.throws(() => maCrossover.parseParams({ exponential: 2 }), { name: 'RangeError' });
    assert.throws(() => maCrossover.parseParams({ period: 5 }), {
      name: 'RangeError',
      message:
        "ma-crossover: unknown parameter 'period' (valid: fast, slow, exponential, volumePeriod, atrPeriod, stopAtr, targetAtr)",
    });
    assert.deepEqual(maCrossover.parseParams(), {
      fast: 20,
      slow: 50,
      exponential: 0,
      volumePeriod: 20,
      atrPeriod: 14,
      stopAtr: 2,
      targetAtr: 3,
    });
  });
});
