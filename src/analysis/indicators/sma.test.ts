import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sma } from './sma.ts';
import { SERIES, allNaN, expectTalibMatch, withValue } from './testing/fixtures.ts';
import { constantSeries } from './testing/series.ts';

describe('sma', () => {
  for (const [name, s] of Object.entries(SERIES)) {
    for (const period of [20, 2, 9, 200]) {
      test(`matches TA-Lib SMA(${period}) on ${name}`, () => {
        expectTalibMatch(
          `sma(${period})`,
          [sma(s.close, period)],
          'SMA',
          { inReal: s.close },
          { optInTimePeriod: period },
          ['outReal'],
        );
      });
    }
  }

  test('default period is 20', () => {
    assert.deepEqual(sma(SERIES.walk.close), sma(SERIES.walk.close, 20));
  });

  test('constant prices give the constant, as TA-Lib', () => {
    const c = constantSeries(100, 100).close;
    const out = sma(c, 20);
    expectTalibMatch('sma const', [out], 'SMA', { inReal: c }, { optInTimePeriod: 20 }, ['outReal']);
    assert.equal(out[99], 100);
  });

  test('fewer bars than the period: all NaN; exactly the period: one value', () => {
    const c = SERIES.walk.close;
    assert.ok(allNaN(sma(c.subarray(0, 19), 20)));
    assert.equal(sma(c.subarray(0, 19), 20).length, 19);
    const one = sma(c.subarray(0, 20), 20);
    assert.ok(allNaN(one.subarray(0, 19)));
    const mean = c.subarray(0, 20).reduce((a, b) => a + b, 0) / 20;
    assert.ok(Math.abs(one[19] - mean) < 1e-12 * mean);
    assert.equal(sma(new Float64Array(0), 20).length, 0);
  });

  test('rejects NaN and infinite values with their index', () => {
    const c = SERIES.walk.close;
    assert.throws(() => sma(withValue(c, 17, NaN)), { name: 'RangeError', message: 'sma: values[17] is NaN' });
    assert.throws(() => sma(withValue(c, 3, Infinity)), { name: 'RangeError', message: 'sma: values[3] is Infinity' });
  });

  test('validates the period and the input type', () => {
    const c = SERIES.walk.close;
    assert.throws(() => sma(c, 0), { name: 'RangeError', message: 'sma: period must be an integer >= 2, got 0' });
    assert.throws(() => sma(c, 1), { name: 'RangeError', message: 'sma: period must be an integer >= 2, got 1' });
    assert.throws(() => sma(c, 2.5), { name: 'RangeError', message: 'sma: period must be an integer >= 2, got 2.5' });
    assert.throws(() => sma(c, '20' as unknown as number), {
      name: 'TypeError',
      message: 'sma: period must be a number, got string',
    });
    assert.throws(() => sma([1, 2, 3] as unknown as Float64Array, 2), {
      name: 'TypeError',
      message: 'sma: values must be a Float64Array, got Array',
    });
  });
});
