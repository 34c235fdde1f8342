import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { macd } from './macd.ts';
import { ema } from './ema.ts';
import { assertClose, firstDefined } from './testing/compare.ts';
import { SERIES, allNaN, expectTalibMatch, withValue } from './testing/fixtures.ts';
import { runTalib } from './testing/talib.ts';
import { constantSeries } from './testing/series.ts';

const KEYS = ['outMACD', 'outMACDSignal', 'outMACDHist'];

describe('macd', () => {
  for (const [name, s] of Object.entries(SERIES)) {
    for (const [fast, slow, signal] of [
      [12, 26, 9],
      [5, 35, 5],
      [2, 3, 2],
      [20, 60, 15],
    ]) {
      test(`matches TA-Lib MACD(${fast},${slow},${signal}) on ${name}`, () => {
        const r = macd(s.close, fast, slow, signal);
        expectTalibMatch(
          `macd(${fast},${slow},${signal})`,
          [r.macd, r.signal, r.histogram],
          'MACD',
          { inReal: s.close },
          {
            optInFastPeriod: fast,
            optInSlowPeriod: slow,
            optInSignalPeriod: signal,
          },
          KEYS,
        );
      });
    }
  }

  test('the fast EMA starts with the slow one (TA-Lib), unlike a standalone EMA(fast)', () => {
    const c = SERIES.walk.close;
    const r = macd(c, 12, 26, 9);
    const lineFromStandalone = ema(c, 12)[33] - ema(c, 26)[33];
    // Same idea, different seed for the fast EMA: close but not equal this early.
    assert.notEqual(r.macd[33], lineFromStandalone);
    assert.ok(Math.abs(r.macd[33] - lineFromStandalone) < 1);
    // Histogram is exactly macd - signal.
    for (let i = 33; i < c.length; i += 97) assert.equal(r.histogram[i], r.macd[i] - r.signal[i]);
  });

  test('signal period 1: signal = MACD line, histogram 0 (TA-Lib misaligns this case, so compare the line with signal 2)', () => {
    for (const s of Object.values(SERIES)) {
      const r = macd(s.close, 12, 26, 1);
      assert.equal(firstDefined(r.macd), 25);
      for (let i = 25; i < s.close.length; i++) {
        assert.equal(r.signal[i], r.macd[i]);
        assert.equal(r.histogram[i], 0);
      }
      // The MACD line does not depend on the signal period, only its start does.
      const ref = runTalib(
        'MACD',
        { inReal: s.close },
        { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 2 },
      );
      const line = r.macd.slice();
      line.fill(NaN, 0, ref.begIndex);
      assertClose(line, ref.outputs.outMACD, 'macd line (signal 1)');
    }
  });

  test('constant prices give 0 lines, as TA-Lib', () => {
    const c = constantSeries(80, 100).close;
    const r = macd(c);
    expectTalibMatch(
      'macd const',
      [r.macd, r.signal, r.histogram],
      'MACD',
      { inReal: c },
      {
        optInFastPeriod: 12,
        optInSlowPeriod: 26,
        optInSignalPeriod: 9,
      },
      KEYS,
    );
  });

  test('fewer bars than slow + signal - 1: all NaN', () => {
    const r = macd(SERIES.walk.close.subarray(0, 33));
    assert.ok(allNaN(r.macd) && allNaN(r.signal) && allNaN(r.histogram));
    assert.ok(!Number.isNaN(macd(SERIES.walk.close.subarray(0, 34)).signal[33]));
  });

  test('validates parameters and input', () => {
    const c = SERIES.walk.close;
    assert.throws(() => macd(c, 26, 12), {
      name: 'RangeError',
      message: 'macd: fast (26) must be less than slow (12)',
    });
    assert.throws(() => macd(c, 12, 12), {
      name: 'RangeError',
      message: 'macd: fast (12) must be less than slow (12)',
    });
    assert.throws(() => macd(c, 1), { name: 'RangeError', message: 'macd: fast must be an integer >= 2, got 1' });
    assert.throws(() => macd(c, 12, 26, 0), {
      name: 'RangeError',
      message: 'macd: signal must be an integer >= 1, got 0',
    });
    assert.throws(() => macd(withValue(c, 40, NaN)), { name: 'RangeError', message: 'macd: close[40] is NaN' });
  });
});
