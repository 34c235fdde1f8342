// Shared argument checks. Every message starts with the indicator name and
// names the offending parameter or input so callers can fix the request.

/** Checks that `value` is an integer >= `min` (TypeError if not a number, RangeError otherwise). */
export function checkInteger(fn: string, name: string, value: unknown, min: number): void {
  if (typeof value !== 'number') {
    throw new TypeError(`${fn}: ${name} must be a number, got ${typeof value}`);
  }
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${fn}: ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
}

/** Checks that `value` is a finite number > 0. */
export function checkPositive(fn: string, name: string, value: unknown): void {
  if (typeof value !== 'number') {
    throw new TypeError(`${fn}: ${name} must be a number, got ${typeof value}`);
  }
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${fn}: ${name} must be a finite number > 0, got ${String(value)}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/**
 * Checks that `values` is a Float64Array of finite numbers.
 * The fast path multiplies every value by 0: the sum stays 0 unless a NaN or
 * an infinity is present, and only then do we rescan to report the index.
 */
export function checkSeries(fn: string, name: string, values: unknown): asserts values is Float64Array {
  if (!(values instanceof Float64Array)) {
    throw new TypeError(`${fn}: ${name} must be a Float64Array, got ${describe(values)}`);
  }
  const n = values.length;
  let acc = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    acc += values[i] * 0 + values[i + 1] * 0 + values[i + 2] * 0 + values[i + 3] * 0;
  }
  for (; i < n; i++) acc += values[i] * 0;
  if (acc === 0) return;
  for (let j = 0; j < n; j++) {
    const v = values[j];
    if (Number.isNaN(v)) throw new RangeError(`${fn}: ${name}[${j}] is NaN`);
    if (!Number.isFinite(v)) throw new RangeError(`${fn}: ${name}[${j}] is ${v > 0 ? 'Infinity' : '-Infinity'}`);
  }
}

/** Checks that every named series has the same length as the first one. */
export function checkSameLength(fn: string, series: Record<string, Float64Array>): number {
  const names = Object.keys(series);
  const n = series[names[0]].length;
  for (const name of names) {
    if (series[name].length !== n) {
      const detail = names.map((k) => `${k} (${series[k].length})`).join(', ');
      throw new RangeError(`${fn}: inputs must have the same length, got ${detail}`);
    }
  }
  return n;
}

/** A Float64Array of length n whose first `lookback` entries (the warm-up) are NaN. */
export function alignedOutput(n: number, lookback: number): Float64Array {
  const out = new Float64Array(n);
  out.fill(NaN, 0, Math.min(lookback, n));
  return out;
}
