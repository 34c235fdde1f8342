import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stoch } from './stoch.ts';
import { SERIES, allNaN, expectTalibMatch, withValue } from './testing/fixtures.ts';
import { constantSeries } from './testing/series.ts';

const KEYS = ['outSlowK', 'outSlowD'];
const talibOptions = (period: number, smoothK: number, smoothD: number) => ({
  optInFastK_Period: period,
  optInSlowK_Period: smoothK,
  optInSlowK_MAType: 0,
  optInSlowD_Period: smoothD,
  optInSlowD_MAType: 0,
});

describe('stoch', () => {
  for (const [name, s] of Object.entries(SERIES)) {
    for (const [period, smoothK, smoothD] of [
      [14, 3, 3],
      [5, 1, 1],
      [1, 1, 1],
      [21, 5, 4],
      [200, 3, 3],
    ]) {
      test(`matches TA-Lib STOCH(${period},${smoothK},${smoothD}) on ${name}`, () => {
        const r = stoch(s.high, s.low, s.close, period, smoothK, smoothD);
        const hlc = { high: s.high, low: s.low, close: s.close };
        expectTalibMatch(
          `stoch(${period},${smoothK},${smoothD})`,
          [r.k, r.d],
          'STOCH',
          hlc,
          talibOptions(period, smoothK, smoothD),
          KEYS,
        );
      });
    }
  }

  test('rolling extremes are right in steady trends (window edges, block boundaries)', () => {
    const n = 500;
    const high = Float64Array.from({ length: n }, (_, i) => 1000 - i + (i % 7) * 0.3);
    const low = Float64Array.from(high, (h) => h - 2);
    const close = Float64Array.from(high, (h) => h - 1);
    for (const period of [3, 14, 64]) {
      const r = stoch(high, low, close, period, 1, 1);
      expectTalibMatch(
        `stoch trend ${period}`,
        [r.k, r.d],
        'STOCH',
        { high, low, close },
        talibOptions(period, 1, 1),
        KEYS,
      );
      for (let i = period - 1; i < n; i += 37) {
        let hh = -Infinity;
        let ll = Infinity;
        for (let j = i - period + 1; j <= i; j++) {
          hh = Math.max(hh, high[j]);
          ll = Math.min(ll, low[j]);
        }
        assert.ok(Math.abs(r.k[i] - (100 * (close[i] - ll)) / (hh - ll)) < 1e-9);
      }
    }
  });

  test('stays within [0, 100]', () => {
    const r = stoch(SERIES.gaps.high, SERIES.gaps.low, SERIES.gaps.close);
    for (let i = 17; i < r.k.length; i++) {
      assert.ok(r.k[i] >= -1e-9 && r.k[i] <= 100 + 1e-9, `k[${i}] = ${r.k[i]}`);
      assert.ok(r.d[i] >= -1e-9 && r.d[i] <= 100 + 1e-9, `d[${i}] = ${r.d[i]}`);
    }
  });

  test('constant prices (zero range) give 0, as TA-Lib', () => {
    const s = constantSeries(50, 100.37);
    const r = stoch(s.high, s.low, s.close);
    expectTalibMatch(
      'stoch const',
      [r.k, r.d],
      'STOCH',
      { high: s.high, low: s.low, close: s.close },
      talibOptions(14, 3, 3),
      KEYS,
    );
    assert.equal(r.k[49], 0);
  });

  test('fewer bars than the warm-up: all NaN', () => {
    const s = SERIES.walk;
    const r = stoch(s.high.subarray(0, 17), s.low.subarray(0, 17), s.close.subarray(0, 17));
    assert.ok(allNaN(r.k) && allNaN(r.d));
  });

  test('validates parameters and input', () => {
    const s = SERIES.walk;
    assert.throws(() => stoch(s.high, s.low, s.close, 0), {
      name: 'RangeError',
      message: 'stoch: period must be an integer >= 1, got 0',
    });
    assert.throws(() => stoch(s.high, s.low, s.close, 14, 0), {
      name: 'RangeError',
      message: 'stoch: smoothK must be an integer >= 1, got 0',
    });
    assert.throws(() => stoch(s.high, s.low, s.close, 14, 3, 1.5), {
      name: 'RangeError',
      message: 'stoch: smoothD must be an integer >= 1, got 1.5',
    });
    assert.throws(() => stoch(withValue(s.high, 2, Infinity), s.low, s.close), {
      name: 'RangeError',
      message: 'stoch: high[2] is Infinity',
    });
  });
});
