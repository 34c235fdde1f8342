import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSeries } from '../indicators/testing/series.ts';
import { parseRule } from '../strategy/index.ts';
import { generateRuleSignals, ruleSignalWarmup, type RuleStrategy } from './rules.ts';
import type { CandleSeries } from './types.ts';

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

function strategy(entry: string, exit: string, params: Record<string, number> = {}): RuleStrategy {
  return {
    name: 'u/s',
    entry: { text: entry, node: parseRule(entry) },
    exit: { text: exit, node: parseRule(exit) },
    params,
  };
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

describe('rule signals', () => {
  test('a buy where the entry rule turns true, a sell where the exit rule does, never while it stays true', () => {
    const s = generateSeries(800, { seed: 4 });
    const out = generateRuleSignals(s, strategy('close > sma(close, 20)', 'close < sma(close, 20)'), {
      interval: '1d',
    });
    assert.ok(out.length > 10);
    // Level rules alternate: each turn of one is a turn of the other.
    for (let k = 1; k < out.length; k++) assert.notEqual(out[k].signalType, out[k - 1].signalType);
    for (const c of out) {
      assert.equal(c.strength, 1);
      assert.equal(c.confidence, 1);
      assert.match(c.rationale, /^(Entry|Exit) rule turned true: close [<>] sma\(close, 20\); ATR\(14\)/);
      assert.equal(typeof c.indicatorsUsed['sma(close, 20)'], 'number');
      assert.ok(c.stopLoss !== null && c.targetPrice !== null);
      assert.ok(c.signalType === 'buy' ? c.stopLoss < c.price : c.stopLoss > c.price);
    }
  });

  test("the strategy's own atrPeriod, stopAtr and targetAtr place the stop and target", () => {
    const s = generateSeries(400, { seed: 6 });
    const rules = ['crosses_above(close, sma(close, 10))', 'crosses_below(close, sma(close, 10))'] as const;
    const a = generateRuleSignals(s, strategy(...rules), { interval: '1d' });
    const b = generateRuleSignals(s, strategy(...rules, { atrPeriod: 14, stopAtr: 1, targetAtr: 6 }), {
      interval: '1d',
    });
    assert.deepEqual(
      a.map((c) => c.index),
      b.map((c) => c.index),
    );
    const c = a[0];
    const d = b[0];
    const atr = c.indicatorsUsed.atr_14 as number;
    assert.ok(close(d.stopLoss as number, d.price - (d.signalType === 'buy' ? 1 : -1) * atr));
    assert.ok(close(c.stopLoss as number, c.price - (c.signalType === 'buy' ? 2 : -2) * atr));
    assert.ok(close(d.targetPrice as number, d.price + (d.signalType === 'buy' ? 6 : -6) * atr));
  });

  describe('warm-up: generating on the last warmup + k bars gives the full-history signals', () => {
    const s = generateSeries(5000, { seed: 23, gapProbability: 0.01 });
    const n = s.close.length;
    const cases: [string, string, Record<string, number>][] = [
      [
        'crosses_above(ema(close, $f), sma(close, $s))',
        'crosses_below(ema(close, $f), sma(close, $s))',
        { f: 12, s: 40 },
      ],
      ['sma(rsi(close, 14), 5) < 35 and adx(14) > 20', 'macd(close, 12, 26, 9).hist[2] > 0 and cci(20) > 100', {}],
      ['stoch(14, 3, 3).k < 20 and close > bbands(close, 20, 2).lower', 'atr(14) / close > 0.02', {}],
      ['obv() > obv()[5]', 'obv() < obv()[5]', {}],
    ];
    for (const [entry, exit, params] of cases) {
      test(`${entry} / ${exit}`, () => {
        const st = strategy(entry, exit, params);
        const full = generateRuleSignals(s, st, { interval: '1d' });
        const warmup = ruleSignalWarmup(st);
        for (const k of [300, 1500]) {
          const start = n - k;
          const from = Number.isFinite(warmup) ? Math.max(0, start - warmup) : 0;
          const part = generateRuleSignals(tail(s, from), st, { interval: '1d', fromIndex: start - from });
          const expected = full.filter((c) => c.index >= start);
          assert.ok(expected.length > 0, 'the rules fire');
          assert.deepEqual(
            part.map((c) => `${c.index + from} ${c.signalType}`),
            expected.map((c) => `${c.index} ${c.signalType}`),
          );
          part.forEach((c, j) => {
            assert.ok(close(c.stopLoss as number, expected[j].stopLoss as number));
          });
        }
      });
    }
  });
});
