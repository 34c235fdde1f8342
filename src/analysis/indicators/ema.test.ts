import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ema } from './ema.ts';
import { SERIES, allNaN, expectTalibMatch, withValue } from './testing/fixtures.ts';
import { constantSeries } from './testing/series.ts';

describe('ema', () => {
  for (const [name, s] of Object.entries(SERIES)) {
    for (const period of [20, 2, 12, 200]) {
      test(`matches TA-Lib EMA(${period}) on ${name}`, () => {
        expectTalibMatch(
          `ema(${period})`,
          [ema(s.close, period)],
          'EMA',
          { inReal: s.close },
          { optInTimePeriod: period },
          ['outReal'],
        );
      });
    }
  }

  test('is seeded with the SMA of the first period values', () => {
    const c = SERIES.walk.close;
    const out = ema(c, 10);
    const seed = c.subarray(0, 10).reduce((a, b) => a + b, 0) / 10;
    assert.ok(Math.abs(out[9] - seed) < 1e-12 * seed);
    const k = 2 / 11;
    assert.ok(Math.abs(out[10] - (seed + (c[10] - seed) * k)) < 1e-12 * seed);
  });

  test('constant prices give the constant, as TA-Lib', () => {
    const c = constantSeries(100, 64.5).close;
    expectTalibMatch('ema const', [ema(c, 20)], 'EMA', { inReal: c }, { optInTimePeriod: 20 }, ['outReal']);
  });

  test('fewer bars than the period: all NaN', () => {
    assert.ok(allNaN(ema(SERIES.walk.close.subarray(0, 19), 20)));
    assert.equal(ema(new Float64Array(0)).length, 0);
  });

  test('rejects NaN input and bad periods', () => {
    const c = SERIES.walk.close;
    assert.throws(() => ema(withValue(c, 100, NaN)), { name: 'RangeError', message: 'ema: values[100] is NaN' });
    assert.throws(() => ema(c, 1), { name: 'RangeError', message: 'ema: period must be an integer >= 2, got 1' });
    assert.throws(() => ema(c, -5), { name: 'RangeError', message: 'ema: period must be an integer >= 2, got -5' });
  });
});
