import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { atr } from './atr.ts';
import { SERIES, allNaN, expectTalibMatch, withValue } from './testing/fixtures.ts';
import { constantSeries } from './testing/series.ts';

describe('atr', () => {
  for (const [name, s] of Object.entries(SERIES)) {
    for (const period of [14, 1, 2, 50]) {
      test(`matches TA-Lib ATR(${period}) on ${name}`, () => {
        const hlc = { high: s.high, low: s.low, close: s.close };
        expectTalibMatch(
          `atr(${period})`,
          [atr(s.high, s.low, s.close, period)],
          'ATR',
          hlc,
          { optInTimePeriod: period },
          ['outReal'],
        );
      });
    }
  }

  test('true range includes gaps from the previous close', () => {
    // Bar 1 gaps up from close 10 to a 20-21 range: TR = 21 - 10 = 11.
    const high = Float64Array.from([10, 21, 22]);
    const low = Float64Array.from([9, 20, 20.5]);
    const close = Float64Array.from([10, 20.5, 21]);
    const out = atr(high, low, close, 1);
    assert.ok(Number.isNaN(out[0]));
    assert.equal(out[1], 11);
    assert.equal(out[2], 1.5);
  });

  test('constant prices give 0, as TA-Lib', () => {
    const s = constantSeries(50, 100.37);
    expectTalibMatch(
      'atr const',
      [atr(s.high, s.low, s.close)],
      'ATR',
      { high: s.high, low: s.low, close: s.close },
      { optInTimePeriod: 14 },
      ['outReal'],
    );
  });

  test('fewer than period + 1 bars: all NaN', () => {
    const s = SERIES.walk;
    assert.ok(allNaN(atr(s.high.subarray(0, 14), s.low.subarray(0, 14), s.close.subarray(0, 14))));
  });

  test('validates lengths, values and period', () => {
    const s = SERIES.walk;
    assert.throws(() => atr(s.high, s.low.subarray(1), s.close), {
      name: 'RangeError',
      message: 'atr: inputs must have the same length, got high (6000), low (5999), close (6000)',
    });
    assert.throws(() => atr(s.high, withValue(s.low, 9, NaN), s.close), {
      name: 'RangeError',
      message: 'atr: low[9] is NaN',
    });
    assert.throws(() => atr(s.high, s.low, s.close, 0), {
      name: 'RangeError',
      message: 'atr: period must be an integer >= 1, got 0',
    });
  });
});
