import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { obv } from './obv.ts';
import { SERIES, expectTalibMatch, withValue } from './testing/fixtures.ts';
import { constantSeries } from './testing/series.ts';

describe('obv', () => {
  for (const [name, s] of Object.entries(SERIES)) {
    test(`matches TA-Lib OBV on ${name}`, () => {
      expectTalibMatch('obv', [obv(s.close, s.volume)], 'OBV', { inReal: s.close, volume: s.volume }, {}, ['outReal']);
    });
  }

  test('starts at the first volume, adds on up closes, subtracts on down closes, keeps on equal', () => {
    const close = Float64Array.from([10, 11, 10.5, 10.5, 12]);
    const volume = Float64Array.from([100, 20, 30, 40, 0]);
    assert.deepEqual(Array.from(obv(close, volume)), [100, 120, 90, 90, 90]);
  });

  test('zero volume and constant prices, as TA-Lib', () => {
    const s = constantSeries(30, 100.37, 0);
    expectTalibMatch('obv const', [obv(s.close, s.volume)], 'OBV', { inReal: s.close, volume: s.volume }, {}, [
      'outReal',
    ]);
    const g = SERIES.gaps; // has 5 % zero-volume bars
    assert.ok(g.volume.some((v) => v === 0));
  });

  test('empty input gives an empty output; one bar gives its volume', () => {
    assert.equal(obv(new Float64Array(0), new Float64Array(0)).length, 0);
    assert.deepEqual(Array.from(obv(Float64Array.of(5), Float64Array.of(7))), [7]);
  });

  test('validates lengths and values', () => {
    const s = SERIES.walk;
    assert.throws(() => obv(s.close, s.volume.subarray(0, 10)), {
      name: 'RangeError',
      message: 'obv: inputs must have the same length, got close (6000), volume (10)',
    });
    assert.throws(() => obv(s.close, withValue(s.volume, 11, NaN)), {
      name: 'RangeError',
      message: 'obv: volume[11] is NaN',
    });
  });
});
