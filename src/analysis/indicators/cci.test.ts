import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cci } from './cci.ts';
import { SERIES, allNaN, expectTalibMatch, withValue } from './testing/fixtures.ts';
import { constantSeries } from './testing/series.ts';
import { runTalib } from './testing/talib.ts';

describe('cci', () => {
  for (const [name, s] of Object.entries(SERIES)) {
    for (const period of [20, 2, 14, 100]) {
      test(`matches TA-Lib CCI(${period}) on ${name}`, () => {
        const hlc = { high: s.high, low: s.low, close: s.close };
        expectTalibMatch(
          `cci(${period})`,
          [cci(s.high, s.low, s.close, period)],
          'CCI',
          hlc,
          { optInTimePeriod: period },
          ['outReal'],
        );
      });
    }
  }

  test('uses the 0.015 constant and the mean absolute deviation', () => {
    // TPs 1, 2, 3 (period 3): mean 2, mean deviation 2/3, CCI = (3 - 2) / (0.015 * 2/3) = 100.
    const v = Float64Array.from([1, 2, 3]);
    assert.ok(Math.abs(cci(v, v, v, 3)[2] - 100) < 1e-12);
  });

  test('constant prices give 0 (TA-Lib agrees at 100; at 100.37 TA-Lib returns ±66.67 from rounding)', () => {
    const s = constantSeries(60, 100);
    const hlc = { high: s.high, low: s.low, close: s.close };
    expectTalibMatch('cci const', [cci(s.high, s.low, s.close)], 'CCI', hlc, { optInTimePeriod: 20 }, ['outReal']);
    const odd = constantSeries(60, 100.37);
    const ours = cci(odd.high, odd.low, odd.close);
    for (let i = 19; i < 60; i++) assert.equal(ours[i], 0);
    const ref = runTalib('CCI', { high: odd.high, low: odd.low, close: odd.close }, { optInTimePeriod: 20 }).outputs
      .outReal;
    // Documented divergence: TA-Lib's mean of 20 equal values is off by one ulp, so it divides rounding noise by itself.
    assert.ok(Math.abs(Math.abs(ref[19]) - 200 / 3) < 1e-9, `TA-Lib gave ${ref[19]}`);
  });

  test('fewer bars than the period: all NaN', () => {
    const s = SERIES.walk;
    assert.ok(allNaN(cci(s.high.subarray(0, 19), s.low.subarray(0, 19), s.close.subarray(0, 19))));
  });

  test('validates parameters and input', () => {
    const s = SERIES.walk;
    assert.throws(() => cci(s.high, s.low, s.close, 1), {
      name: 'RangeError',
      message: 'cci: period must be an integer >= 2, got 1',
    });
    assert.throws(() => cci(s.high, s.low, withValue(s.close, 0, NaN)), {
      name: 'RangeError',
      message: 'cci: close[0] is NaN',
    });
    assert.throws(() => cci(s.high, s.low, new Float32Array(6000) as unknown as Float64Array), {
      name: 'TypeError',
      message: 'cci: close must be a Float64Array, got Float32Array',
    });
  });
});
