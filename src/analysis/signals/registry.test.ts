import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSeries } from '../indicators/testing/series.ts';
import { STRATEGIES, STRATEGY_NAMES, getStrategy } from './registry.ts';
import { checkInvariants } from './testing/candles.ts';
import type { CandleSeries, SignalCandidate } from './types.ts';
import { must } from '../../../test/helpers/must.ts';

function tail(s: CandleSeries, from: number): CandleSeries {
  return {
    ts: s.ts.subarray(from),
    open: s.open.subarray(from),
    high: s.high.subarray(from),
    low: s.low.subarray(from),
    close: s.close.subarray(from),
    volume: s.volume.subarray(from),
  };
}

function closeTo(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number')
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  return a === b;
}

describe('strategy registry', () => {
  test('lists the five strategies', () => {
    assert.deepEqual([...STRATEGY_NAMES], ['ma-crossover', 'rsi-reversal', 'macd-crossover', 'bollinger', 'composite']);
    for (const name of STRATEGY_NAMES) assert.equal(getStrategy(name).name, name);
  });

  test('getStrategy rejects unknown names with the list', () => {
    assert.throws(() => getStrategy('turtle'), {
      name: 'RangeError',
      message: "unknown strategy 'turtle' (valid: ma-crossover, rsi-reversal, macd-crossover, bollinger, composite)",
    });
    assert.throws(() => getStrategy('toString'), { name: 'RangeError' });
  });

  test('every strategy: defaults parse to themselves, invariants hold on random data', () => {
    const s = generateSeries(3000, { seed: 21, gapProbability: 0.01 });
    for (const strategy of Object.values(STRATEGIES)) {
      assert.deepEqual(strategy.parseParams(), { ...strategy.defaults });
      const out = checkInvariants(strategy.generate(s), s);
      assert.ok(out.length > 0, `${strategy.name} fired on 3000 random bars`);
      for (const c of out) {
        assert.equal(c.strategy, strategy.name);
        if (c.signalType !== 'hold') {
          const up = c.signalType.endsWith('buy');
          assert.ok(
            up
              ? must(c.stopLoss) < c.price && must(c.targetPrice) > c.price
              : must(c.stopLoss) > c.price && must(c.targetPrice) < c.price,
          );
        }
      }
    }
  });

  describe('warmup: generating on the last warmup + k bars gives the full-history candidates', () => {
    const s = generateSeries(6000, { seed: 22, gapProbability: 0.01 });
    const n = s.close.length;
    for (const strategy of Object.values(STRATEGIES)) {
      test(strategy.name, () => {
        const full = strategy.generate(s);
        const warmup = strategy.warmup();
        for (const k of [300, 1500]) {
          const start = n - k;
          const from = start - warmup;
          const part = strategy.generate(tail(s, from), undefined, { fromIndex: warmup });
          const expected = full.filter((c) => c.index >= start);
          assert.ok(expected.length > 0);
          assert.equal(part.length, expected.length, `${strategy.name} k=${k}: count`);
          part.forEach((c: SignalCandidate, j) => {
            const e = expected[j];
            assert.equal(c.index + from, e.index);
            assert.equal(c.signalType, e.signalType);
            for (const key of ['ts', 'strength', 'confidence', 'price', 'targetPrice', 'stopLoss'] as const) {
              assert.ok(closeTo(c[key], e[key]), `${strategy.name} ${key} at ${e.index}: ${c[key]} vs ${e[key]}`);
            }
            for (const [key, value] of Object.entries(e.indicatorsUsed)) {
              const v = key.endsWith('.index') ? (c.indicatorsUsed[key] as number) + from : c.indicatorsUsed[key];
              assert.ok(closeTo(v, value), `${strategy.name} ${key} at ${e.index}`);
            }
          });
        }
      });
    }
  });
});
