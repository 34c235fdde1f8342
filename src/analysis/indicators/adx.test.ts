import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adx } from './adx.ts';
import { SERIES, allNaN, expectTalibMatch, withValue } from './testing/fixtures.ts';
import { constantSeries } from './testing/series.ts';

describe('adx', () => {
  for (const [name, s] of Object.entries(SERIES)) {
    for (const period of [14, 2, 5, 50]) {
      test(`matches TA-Lib ADX, PLUS_DI and MINUS_DI(${period}) on ${name}`, () => {
        const hlc = { high: s.high, low: s.low, close: s.close };
        const r = adx(s.high, s.low, s.close, period);
        const opts = { optInTimePeriod: period };
        expectTalibMatch(`adx(${period})`, [r.adx], 'ADX', hlc, opts, ['outReal']);
        expectTalibMatch(`plusDI(${period})`, [r.plusDI], 'PLUS_DI', hlc, opts, ['outReal']);
        expectTalibMatch(`minusDI(${period})`, [r.minusDI], 'MINUS_DI', hlc, opts, ['outReal']);
      });
    }
  }

  test('a steady uptrend has +DI > -DI and a high ADX', () => {
    const n = 100;
    const high = Float64Array.from({ length: n }, (_, i) => 101 + i);
    const low = Float64Array.from({ length: n }, (_, i) => 99 + i);
    const close = Float64Array.from({ length: n }, (_, i) => 100.5 + i);
    const r = adx(high, low, close);
    assert.ok(r.plusDI[99] > r.minusDI[99]);
    assert.equal(r.minusDI[99], 0);
    assert.ok(r.adx[99] > 99);
    expectTalibMatch('adx trend', [r.adx], 'ADX', { high, low, close }, { optInTimePeriod: 14 }, ['outReal']);
  });

  test('constant prices (zero true range) give 0, as TA-Lib', () => {
    const s = constantSeries(60, 100.37);
    const hlc = { high: s.high, low: s.low, close: s.close };
    const r = adx(s.high, s.low, s.close);
    expectTalibMatch('adx const', [r.adx], 'ADX', hlc, { optInTimePeriod: 14 }, ['outReal']);
    expectTalibMatch('plusDI const', [r.plusDI], 'PLUS_DI', hlc, { optInTimePeriod: 14 }, ['outReal']);
    assert.equal(r.adx[59], 0);
  });

  test('a flat stretch keeps the ADX where it was (TA-Lib skips bars with zero TR)', () => {
    const s = SERIES.walk;
    const high = s.high.slice(0, 300);
    const low = s.low.slice(0, 300);
    const close = s.close.slice(0, 300);
    // From bar 200 on, every price equals the close of bar 199, so the smoothed TR decays towards 0.
    high.fill(close[199], 200);
    low.fill(close[199], 200);
    close.fill(close[199], 200);
    const r = adx(high, low, close);
    expectTalibMatch('adx flat', [r.adx], 'ADX', { high, low, close }, { optInTimePeriod: 14 }, ['outReal']);
  });

  test('warm-up: DI from bar period, ADX from bar 2*period-1; fewer bars give all NaN', () => {
    const s = SERIES.walk;
    const r = adx(s.high.subarray(0, 40), s.low.subarray(0, 40), s.close.subarray(0, 40), 14);
    assert.ok(allNaN(r.adx.subarray(0, 27)) && !Number.isNaN(r.adx[27]));
    assert.ok(allNaN(r.plusDI.subarray(0, 14)) && !Number.isNaN(r.plusDI[14]));
    const short = adx(s.high.subarray(0, 14), s.low.subarray(0, 14), s.close.subarray(0, 14));
    assert.ok(allNaN(short.adx) && allNaN(short.plusDI) && allNaN(short.minusDI));
  });

  test('validates parameters and input', () => {
    const s = SERIES.walk;
    assert.throws(() => adx(s.high, s.low, s.close, 1), {
      name: 'RangeError',
      message: 'adx: period must be an integer >= 2, got 1',
    });
    assert.throws(() => adx(s.high, s.low, withValue(s.close, 4000, NaN)), {
      name: 'RangeError',
      message: 'adx: close[4000] is NaN',
    });
    assert.throws(() => adx(s.high.subarray(0, 5), s.low, s.close), {
      name: 'RangeError',
      message: 'adx: inputs must have the same length, got high (5), low (6000), close (6000)',
    });
  });
});
