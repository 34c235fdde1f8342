// Test helper: compares an aligned output with a reference output.
import assert from 'node:assert/strict';

/** Index of the first non-NaN entry, or the length when all are NaN. */
export function firstDefined(values: Float64Array): number {
  let i = 0;
  while (i < values.length && Number.isNaN(values[i])) i++;
  return i;
}

/**
 * Asserts same length, NaN at exactly the same positions, and agreement within
 * `rel` relative tolerance. The relative error is measured against
 * max(|expected|, mean |expected|) so that values crossing zero (MACD
 * histogram, CCI) are judged against the series' own scale, not against ~0.
 */
export function assertClose(actual: Float64Array, expected: Float64Array, label: string, rel = 1e-9): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let absSum = 0;
  let count = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    if (!Number.isNaN(e)) {
      absSum += Math.abs(e);
      count++;
    }
  }
  const scale = count > 0 ? absSum / count : 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      assert.ok(Number.isNaN(a) && Number.isNaN(e), `${label}[${i}]: got ${a}, expected ${e}`);
      continue;
    }
    const tol = rel * Math.max(Math.abs(e), scale);
    assert.ok(Math.abs(a - e) <= tol, `${label}[${i}]: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${tol})`);
  }
}

/** Largest relative error (same measure as assertClose), for reporting. */
export function maxRelativeError(actual: Float64Array, expected: Float64Array): number {
  let absSum = 0;
  let count = 0;
  for (const e of expected) {
    if (!Number.isNaN(e)) {
      absSum += Math.abs(e);
      count++;
    }
  }
  const scale = count > 0 ? absSum / count : 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(actual[i])) continue;
    const denom = Math.max(Math.abs(e), scale);
    if (denom > 0) worst = Math.max(worst, Math.abs(actual[i] - e) / denom);
  }
  return worst;
}
