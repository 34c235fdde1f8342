import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adx } from './adx.ts';
import { bbands } from './bbands.ts';
import { macd } from './macd.ts';
import { stoch } from './stoch.ts';
import { INDICATORS, INDICATOR_TYPES, getIndicator, isIndicatorType, parseIndicatorName } from './registry.ts';
import type { IndicatorInput, IndicatorParams, IndicatorType } from './registry.ts';
import { assertClose, firstDefined, maxRelativeError } from './testing/compare.ts';
import { SERIES } from './testing/fixtures.ts';
import { generateSeries } from './testing/series.ts';

const walk = SERIES.walk;

/** Every field of the series from index `from` on (views, no copies). */
function tail(series: IndicatorInput, from: number): IndicatorInput {
  return {
    open: series.open.subarray(from),
    high: series.high.subarray(from),
    low: series.low.subarray(from),
    close: series.close.subarray(from),
    volume: series.volume.subarray(from),
  };
}

/** Default parameters plus a non-default set per type. */
const PARAM_SETS: Record<IndicatorType, unknown[]> = {
  sma: [undefined, { period: 50 }],
  ema: [undefined, { period: 5 }, { period: 100 }],
  rsi: [undefined, { period: 2 }, { period: 30 }],
  macd: [undefined, { fast: 5, slow: 35, signal: 5 }, { fast: 12, slow: 26, signal: 1 }],
  bbands: [undefined, { period: 10, stddev: 1.5 }],
  atr: [undefined, { period: 1 }, { period: 30 }],
  obv: [undefined],
  stoch: [undefined, { period: 5, smoothK: 1, smoothD: 1 }, { period: 50, smoothK: 5, smoothD: 4 }],
  adx: [undefined, { period: 5 }, { period: 30 }],
  cci: [undefined, { period: 100 }],
};

describe('indicator registry', () => {
  test('lists the ten types, each with its own descriptor', () => {
    assert.deepEqual(
      [...INDICATOR_TYPES],
      ['sma', 'ema', 'rsi', 'macd', 'bbands', 'atr', 'obv', 'stoch', 'adx', 'cci'],
    );
    for (const type of INDICATOR_TYPES) {
      assert.equal(getIndicator(type).type, type);
      assert.ok(isIndicatorType(type));
    }
    assert.ok(!isIndicatorType('vwap'));
  });

  test('getIndicator rejects unknown types and lists the valid ones', () => {
    assert.throws(() => getIndicator('vwap'), {
      name: 'RangeError',
      message: "unknown indicator type 'vwap' (valid: sma, ema, rsi, macd, bbands, atr, obv, stoch, adx, cci)",
    });
  });

  test('defaults use the canonical parameter names', () => {
    const names = Object.fromEntries(INDICATOR_TYPES.map((t) => [t, INDICATORS[t].defaults]));
    assert.deepEqual(names, {
      sma: { period: 20 },
      ema: { period: 20 },
      rsi: { period: 14 },
      macd: { fast: 12, slow: 26, signal: 9 },
      bbands: { period: 20, stddev: 2 },
      atr: { period: 14 },
      obv: {},
      stoch: { period: 14, smoothK: 3, smoothD: 3 },
      adx: { period: 14 },
      cci: { period: 20 },
    });
    assert.ok(Object.isFrozen(INDICATORS.rsi.defaults));
  });

  test('outputs name value, value2, value3 in stored order', () => {
    const outputs = Object.fromEntries(INDICATOR_TYPES.map((t) => [t, INDICATORS[t].outputs]));
    assert.deepEqual(outputs, {
      sma: ['value'],
      ema: ['value'],
      rsi: ['value'],
      macd: ['macd', 'signal', 'histogram'],
      bbands: ['upper', 'middle', 'lower'],
      atr: ['value'],
      obv: ['value'],
      stoch: ['k', 'd'],
      adx: ['adx', 'plus_di', 'minus_di'],
      cci: ['value'],
    });
  });

  test('storage names', () => {
    assert.equal(INDICATORS.sma.name({ period: 20 }), 'sma_20');
    assert.equal(INDICATORS.rsi.name({ period: 14 }), 'rsi_14');
    assert.equal(INDICATORS.macd.name({ fast: 12, slow: 26, signal: 9 }), 'macd_12_26_9');
    assert.equal(INDICATORS.bbands.name({ period: 20, stddev: 2 }), 'bbands_20_2');
    assert.equal(INDICATORS.bbands.name({ period: 20, stddev: 2.5 }), 'bbands_20_2.5');
    assert.equal(INDICATORS.stoch.name({ period: 14, smoothK: 3, smoothD: 3 }), 'stoch_14_3_3');
    assert.equal(INDICATORS.adx.name({ period: 14 }), 'adx_14');
    assert.equal(INDICATORS.obv.name({}), 'obv');
  });

  test('parseIndicatorName inverts name()', () => {
    for (const type of INDICATOR_TYPES) {
      for (const input of PARAM_SETS[type]) {
        const d = getIndicator(type);
        const params = d.parseParams(input);
        assert.deepEqual(parseIndicatorName(d.name(params)), { type, params });
      }
    }
    assert.throws(() => parseIndicatorName('rsi_14_3'), {
      name: 'RangeError',
      message: "rsi: name 'rsi_14_3' must have 1 value(s) after the type (period)",
    });
    assert.throws(() => parseIndicatorName('rsi_abc'), {
      name: 'RangeError',
      message: 'rsi: period must be an integer from 2 to 100000, got NaN',
    });
    assert.throws(() => parseIndicatorName('rsi_014'), {
      name: 'RangeError',
      message: "rsi: 'rsi_014' is not a canonical name (expected 'rsi_14')",
    });
    assert.throws(() => parseIndicatorName('foo_1'), { name: 'RangeError' });
  });

  test('compute returns the functions outputs in stored order', () => {
    const [u, m, l] = INDICATORS.bbands.compute(walk, { period: 20, stddev: 2 });
    assert.deepEqual({ upper: u, middle: m, lower: l }, bbands(walk.close, 20, 2));
    const [line, signal, hist] = INDICATORS.macd.compute(walk, { fast: 12, slow: 26, signal: 9 });
    assert.deepEqual({ macd: line, signal, histogram: hist }, macd(walk.close));
    const [k, d] = INDICATORS.stoch.compute(walk, { period: 14, smoothK: 3, smoothD: 3 });
    assert.deepEqual({ k, d }, stoch(walk.high, walk.low, walk.close));
    const [a, p, n] = INDICATORS.adx.compute(walk, { period: 14 });
    assert.deepEqual({ adx: a, plusDI: p, minusDI: n }, adx(walk.high, walk.low, walk.close));
  });

  test('lookback is the first index where every output is defined', () => {
    for (const type of INDICATOR_TYPES) {
      const d = getIndicator(type);
      for (const input of PARAM_SETS[type]) {
        const params = d.parseParams(input);
        const outputs = d.compute(walk, params);
        assert.equal(outputs.length, d.outputs.length, `${type}: output count`);
        for (const out of outputs) assert.equal(out.length, walk.close.length);
        assert.equal(Math.max(...outputs.map(firstDefined)), d.lookback(params), `${d.name(params)}: lookback`);
      }
    }
  });
});

describe('indicator registry: parseParams', () => {
  test('undefined, null and {} give the defaults; missing keys take defaults', () => {
    assert.deepEqual(INDICATORS.macd.parseParams(undefined), { fast: 12, slow: 26, signal: 9 });
    assert.deepEqual(INDICATORS.macd.parseParams(null), { fast: 12, slow: 26, signal: 9 });
    assert.deepEqual(INDICATORS.macd.parseParams({ signal: 5 }), { fast: 12, slow: 26, signal: 5 });
    assert.deepEqual(INDICATORS.bbands.parseParams({ stddev: 2.5 }), { period: 20, stddev: 2.5 });
    assert.deepEqual(INDICATORS.obv.parseParams({}), {});
  });

  test('rejects unknown keys, naming the valid ones', () => {
    assert.throws(() => INDICATORS.rsi.parseParams({ perod: 14 }), {
      name: 'RangeError',
      message: "rsi: unknown parameter 'perod' (valid: period)",
    });
    assert.throws(() => INDICATORS.stoch.parseParams({ period: 14, smooth: 3 }), {
      name: 'RangeError',
      message: "stoch: unknown parameter 'smooth' (valid: period, smoothK, smoothD)",
    });
    assert.throws(() => INDICATORS.obv.parseParams({ period: 1 }), {
      name: 'RangeError',
      message: "obv: unknown parameter 'period' (it takes no parameters)",
    });
  });

  test('rejects wrong types and out-of-range values', () => {
    assert.throws(() => INDICATORS.sma.parseParams('20'), {
      name: 'TypeError',
      message: 'sma: params must be an object, got string',
    });
    assert.throws(() => INDICATORS.sma.parseParams([20]), {
      name: 'TypeError',
      message: 'sma: params must be an object, got array',
    });
    assert.throws(() => INDICATORS.sma.parseParams({ period: '20' }), {
      name: 'TypeError',
      message: 'sma: period must be a number, got string',
    });
    assert.throws(() => INDICATORS.sma.parseParams({ period: 1 }), {
      name: 'RangeError',
      message: 'sma: period must be an integer from 2 to 100000, got 1',
    });
    assert.throws(() => INDICATORS.ema.parseParams({ period: 14.5 }), { name: 'RangeError' });
    assert.throws(() => INDICATORS.atr.parseParams({ period: 100001 }), { name: 'RangeError' });
    assert.throws(() => INDICATORS.bbands.parseParams({ stddev: 0 }), {
      name: 'RangeError',
      message: 'bbands: stddev must be a number > 0 and <= 100, got 0',
    });
    assert.throws(() => INDICATORS.bbands.parseParams({ stddev: Infinity }), { name: 'RangeError' });
    assert.throws(() => INDICATORS.macd.parseParams({ fast: 26, slow: 12 }), {
      name: 'RangeError',
      message: 'macd: fast (26) must be less than slow (12)',
    });
    assert.deepEqual(INDICATORS.atr.parseParams({ period: 1 }), { period: 1 });
    assert.deepEqual(INDICATORS.stoch.parseParams({ period: 1, smoothK: 1, smoothD: 1 }), {
      period: 1,
      smoothK: 1,
      smoothD: 1,
    });
  });
});

describe('indicator registry, warmup: computing on the last warmup + k bars matches the full history (1e-9)', () => {
  const series = generateSeries(4000, { seed: 11, gapProbability: 0.01 });
  const n = series.close.length;
  for (const type of INDICATOR_TYPES) {
    const d = getIndicator(type);
    for (const input of PARAM_SETS[type]) {
      const params: IndicatorParams = d.parseParams(input);
      test(d.name(params), () => {
        const full = d.compute(series, params);
        const warmup = d.warmup(params);
        assert.ok(warmup >= d.lookback(params));
        for (const k of [1, 25, 400]) {
          const start = n - k;
          const from = Math.max(0, start - warmup);
          const part = d.compute(tail(series, from), params);
          part.forEach((out, j) => {
            assertClose(
              out.subarray(start - from),
              full[j].subarray(start),
              `${d.name(params)} ${d.outputs[j]} k=${k}`,
            );
          });
        }
      });
    }
  }

  test('the warm-up matters: recursive indicators started at their bare lookback differ by more than 1e-9', () => {
    const k = 25;
    for (const type of ['ema', 'rsi', 'macd', 'atr', 'adx'] as const) {
      const d = getIndicator(type);
      const params = d.parseParams(undefined);
      const full = d.compute(series, params);
      const from = n - k - d.lookback(params);
      const part = d.compute(tail(series, from), params);
      const worst = Math.max(
        ...part.map((out, j) => maxRelativeError(out.subarray(n - k - from), full[j].subarray(n - k))),
      );
      assert.ok(worst > 1e-9, `${type}: ${worst}`);
    }
  });

  test('obv is cumulative: warmup is Infinity; one bar of overlap plus the stored value rebases it', () => {
    const d = INDICATORS.obv;
    assert.equal(d.warmup({}), Number.POSITIVE_INFINITY);
    assert.equal(d.cumulative, true);
    const full = d.compute(series, {})[0];
    const start = n - 100;
    const part = d.compute(tail(series, start - 1), {})[0];
    const offset = full[start - 1] - part[0];
    for (let i = 0; i < 100; i++) assert.equal(part[i + 1] + offset, full[start + i]);
  });
});
