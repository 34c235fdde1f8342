// Shared test fixtures: seeded series and a one-call TA-Lib comparison.
import assert from 'node:assert/strict';
import { assertClose, firstDefined } from './compare.ts';
import { generateSeries } from './series.ts';
import type { OhlcvSeries } from './series.ts';
import { runTalib } from './talib.ts';

/** 6,000-bar seeded series: a plain walk, one with gaps and zero-volume bars, and a calm high-priced one. */
export const SERIES: Record<string, OhlcvSeries> = {
  walk: generateSeries(6000, { seed: 1 }),
  gaps: generateSeries(6000, { seed: 2, gapProbability: 0.02, zeroVolumeProbability: 0.05 }),
  calm: generateSeries(6000, { seed: 3, volatility: 0.001, start: 25_000 }),
};

/**
 * Runs TA-Lib `name` and asserts each of `ours` matches the TA-Lib output of the
 * same position in `keys`: NaN exactly in the warm-up, first defined index =
 * TA-Lib's begIndex, values within `rel` (1e-9) after it.
 */
export function expectTalibMatch(
  label: string,
  ours: Float64Array[],
  name: string,
  inputs: Record<string, Float64Array>,
  options: Record<string, number>,
  keys: string[],
  rel = 1e-9,
): void {
  const ref = runTalib(name, inputs, options);
  keys.forEach((key, i) => {
    const expected = ref.outputs[key];
    assert.ok(expected, `${label}: TA-Lib ${name} has no output ${key}`);
    assertClose(ours[i], expected, `${label} ${key}`, rel);
    const first = firstDefined(ours[i]);
    assert.equal(first, firstDefined(expected), `${label} ${key}: first defined index`);
    if (ref.nbElement > 0) assert.equal(first, ref.begIndex, `${label} ${key}: first defined index = TA-Lib begIndex`);
  });
}

/** A copy of `values` with `values[index]` replaced. */
export function withValue(values: Float64Array, index: number, value: number): Float64Array {
  const copy = values.slice();
  copy[index] = value;
  return copy;
}

/** True when every entry is NaN. */
export function allNaN(values: Float64Array): boolean {
  return values.every((v) => Number.isNaN(v));
}
