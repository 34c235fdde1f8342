import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bbands } from './bbands.ts';
import { assertClose, firstDefined } from './testing/compare.ts';
import { SERIES, allNaN, expectTalibMatch, withValue } from './testing/fixtures.ts';
import { constantSeries } from './testing/series.ts';
import { runTalib } from './testing/talib.ts';

const KEYS = ['outRealUpperBand', 'outRealMiddleBand', 'outRealLowerBand'];
const talibOptions = (period: number, stddev: number) => ({
  optInTimePeriod: period,
  optInNbDevUp: stddev,
  optInNbDevDn: stddev,
  optInMAType: 0,
});

/** Population standard deviation of each window, two-pass, straight from the definition. */
function exactSigma(values: Float64Array, period: number): Float64Array {
  const out = new Float64Array(values.length).fill(NaN);
  for (let i = period - 1; i < values.length; i++) {
    let mean = 0;
    for (let j = i - period + 1; j <= i; j++) mean += values[j];
    mean /= period;
    let ss = 0;
    for (let j = i - period + 1; j <= i; j++) ss += (values[j] - mean) ** 2;
    out[i] = Math.sqrt(ss / period);
  }
  return out;
}

describe('bbands', () => {
  for (const [name, s] of Object.entries(SERIES)) {
    for (const [period, stddev] of [
      [20, 2],
      [2, 1],
      [10, 2.5],
      [50, 0.5],
    ]) {
      test(`matches TA-Lib BBANDS(${period}, ${stddev}) on ${name}`, () => {
        const r = bbands(s.close, period, stddev);
        const ref = runTalib('BBANDS', { inReal: s.close }, talibOptions(period, stddev));
        assert.equal(firstDefined(r.middle), ref.begIndex);
        assertClose(r.middle, ref.outputs.outRealMiddleBand, 'middle');
        // Bands: 1e-9 relative, plus whatever error TA-Lib's own deviation has
        // against the exact two-pass value (its E[x²] - E[x]² loses digits on
        // calm, high-priced series; see the accuracy test below).
        const sigma = exactSigma(s.close, period);
        const tU = ref.outputs.outRealUpperBand;
        const tM = ref.outputs.outRealMiddleBand;
        const tL = ref.outputs.outRealLowerBand;
        for (let i = 0; i < s.close.length; i++) {
          if (i < period - 1) {
            assert.ok(Number.isNaN(r.upper[i]) && Number.isNaN(r.lower[i]) && Number.isNaN(tU[i]));
            continue;
          }
          const talibError = Math.abs((tU[i] - tM[i]) / stddev - sigma[i]) * stddev;
          const tol = 1e-9 * Math.abs(tM[i]) + talibError;
          assert.ok(Math.abs(r.upper[i] - tU[i]) <= tol, `upper[${i}]: ${r.upper[i]} vs TA-Lib ${tU[i]}`);
          assert.ok(Math.abs(r.lower[i] - tL[i]) <= tol, `lower[${i}]: ${r.lower[i]} vs TA-Lib ${tL[i]}`);
        }
      });
    }
  }

  test('the band half-width is stddev times the population standard deviation (two-pass oracle, 1e-11)', () => {
    for (const s of Object.values(SERIES)) {
      for (const period of [2, 20]) {
        const r = bbands(s.close, period, 2);
        const sigma = exactSigma(s.close, period);
        for (let i = period - 1; i < s.close.length; i++) {
          const half = (r.upper[i] - r.lower[i]) / 4;
          assert.ok(
            Math.abs(half - sigma[i]) <= 1e-11 * sigma[i] + 1e-12 * r.middle[i],
            `sigma[${i}]: ${half} vs ${sigma[i]}`,
          );
        }
      }
    }
  });

  test('our deviation is at least as accurate as TA-Lib (which uses E[x²] - E[x]²)', () => {
    const s = SERIES.calm;
    const ours = bbands(s.close, 20, 1);
    const ref = runTalib('BBANDS', { inReal: s.close }, talibOptions(20, 1)).outputs;
    const sigma = exactSigma(s.close, 20);
    let worstOurs = 0;
    let worstTalib = 0;
    for (let i = 19; i < s.close.length; i++) {
      worstOurs = Math.max(worstOurs, Math.abs(ours.upper[i] - ours.middle[i] - sigma[i]) / sigma[i]);
      worstTalib = Math.max(
        worstTalib,
        Math.abs(ref.outRealUpperBand[i] - ref.outRealMiddleBand[i] - sigma[i]) / sigma[i],
      );
    }
    assert.ok(worstOurs <= worstTalib, `ours ${worstOurs} vs TA-Lib ${worstTalib}`);
  });

  test('constant prices: zero width (TA-Lib agrees at 100; at 100.37 TA-Lib reports a spurious width)', () => {
    const c = constantSeries(60, 100).close;
    const r = bbands(c);
    expectTalibMatch('bbands const', [r.upper, r.middle, r.lower], 'BBANDS', { inReal: c }, talibOptions(20, 2), KEYS);
    const odd = bbands(constantSeries(60, 100.37).close);
    for (let i = 19; i < 60; i++) {
      assert.equal(odd.upper[i], odd.middle[i]);
      assert.equal(odd.lower[i], odd.middle[i]);
      assert.ok(Math.abs(odd.middle[i] - 100.37) < 1e-12);
    }
  });

  test('a flat stretch after volatile bars gets zero width again', () => {
    const c = SERIES.gaps.close.slice(0, 200);
    c.fill(c[99], 100);
    const r = bbands(c, 20, 2);
    // Bars 99..199 are equal: every window from [99, 118] on is flat.
    for (let i = 118; i < 200; i++) assert.equal(r.upper[i], r.lower[i]);
    assert.ok(r.upper[117] > r.lower[117]);
  });

  test('fewer bars than the period: all NaN', () => {
    const r = bbands(SERIES.walk.close.subarray(0, 19));
    assert.ok(allNaN(r.upper) && allNaN(r.middle) && allNaN(r.lower));
  });

  test('validates parameters and input', () => {
    const c = SERIES.walk.close;
    assert.throws(() => bbands(c, 1), { name: 'RangeError', message: 'bbands: period must be an integer >= 2, got 1' });
    assert.throws(() => bbands(c, 20, 0), {
      name: 'RangeError',
      message: 'bbands: stddev must be a finite number > 0, got 0',
    });
    assert.throws(() => bbands(c, 20, NaN), {
      name: 'RangeError',
      message: 'bbands: stddev must be a finite number > 0, got NaN',
    });
    assert.throws(() => bbands(withValue(c, 5, NaN)), { name: 'RangeError', message: 'bbands: close[5] is NaN' });
  });
});
