import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rsi } from './rsi.ts';
import { SERIES, allNaN, expectTalibMatch, withValue } from './testing/fixtures.ts';
import { constantSeries } from './testing/series.ts';

describe('rsi', () => {
  for (const [name, s] of Object.entries(SERIES)) {
    for (const period of [14, 2, 7, 100]) {
      test(`matches TA-Lib RSI(${period}) on ${name}`, () => {
        expectTalibMatch(
          `rsi(${period})`,
          [rsi(s.close, period)],
          'RSI',
          { inReal: s.close },
          { optInTimePeriod: period },
          ['outReal'],
        );
      });
    }
  }

  test('stays within [0, 100]', () => {
    const out = rsi(SERIES.gaps.close);
    for (let i = 14; i < out.length; i++) assert.ok(out[i] >= 0 && out[i] <= 100, `rsi[${i}] = ${out[i]}`);
  });

  test('constant prices give 0 (no gain, no loss), as TA-Lib', () => {
    const c = constantSeries(60, 100.37).close;
    const out = rsi(c);
    expectTalibMatch('rsi const', [out], 'RSI', { inReal: c }, { optInTimePeriod: 14 }, ['outReal']);
    assert.equal(out[59], 0);
  });

  test('only rises give 100, only falls give 0', () => {
    const up = Float64Array.from({ length: 40 }, (_, i) => 100 + i);
    const down = Float64Array.from({ length: 40 }, (_, i) => 100 - i);
    assert.equal(rsi(up)[39], 100);
    assert.equal(rsi(down)[39], 0);
    expectTalibMatch('rsi up', [rsi(up)], 'RSI', { inReal: up }, { optInTimePeriod: 14 }, ['outReal']);
  });

  test('needs period + 1 bars: fewer give all NaN', () => {
    const c = SERIES.walk.close;
    assert.ok(allNaN(rsi(c.subarray(0, 14), 14)));
    const out = rsi(c.subarray(0, 15), 14);
    assert.ok(allNaN(out.subarray(0, 14)));
    expectTalibMatch('rsi 15 bars', [out], 'RSI', { inReal: c.subarray(0, 15) }, { optInTimePeriod: 14 }, ['outReal']);
  });

  test('rejects NaN input and bad periods', () => {
    const c = SERIES.walk.close;
    assert.throws(() => rsi(withValue(c, 17, NaN)), { name: 'RangeError', message: 'rsi: close[17] is NaN' });
    assert.throws(() => rsi(withValue(c, 0, -Infinity)), { name: 'RangeError', message: 'rsi: close[0] is -Infinity' });
    assert.throws(() => rsi(c, 0), { name: 'RangeError', message: 'rsi: period must be an integer >= 2, got 0' });
    assert.throws(() => rsi(c, 1), { name: 'RangeError', message: 'rsi: period must be an integer >= 2, got 1' });
  });
});
