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

/** Checks that `values` is a Float64Array (its values are checked by checkFinite or by the kernel). */
export function checkType(fn: string, name: string, values: unknown): asserts values is Float64Array {
  if (!(values instanceof Float64Array)) {
    throw new TypeError(`${fn}: ${name} must be a Float64Array, got ${describe(values)}`);
  }
}

/**
 * Throws a RangeError naming the first NaN or infinite value of the named series (in order), if any.
 * The kernels call it only when their own in-loop test (`bad += x * 0`, which
 * stays 0 unless a NaN or an infinity went through) saw one, so valid input is
 * read once, not twice.
 */
export function checkFinite(fn: string, series: Record<string, Float64Array>): void {
  for (const [name, values] of Object.entries(series)) {
    for (let j = 0; j < values.length; j++) {
      const v = values[j];
      if (Number.isNaN(v)) throw new RangeError(`${fn}: ${name}[${j}] is NaN`);
      if (!Number.isFinite(v)) throw new RangeError(`${fn}: ${name}[${j}] is ${v > 0 ? 'Infinity' : '-Infinity'}`);
    }
  }
}

/** Checks that every named series is a Float64Array (in order) and has the same length as the first one. */
export function checkSameLength(fn: string, series: Record<string, Float64Array>): number {
  const names = Object.keys(series);
  for (const name of names) checkType(fn, name, series[name]);
  const n = series[names[0]].length;
  for (const name of names) {
    if (series[name].length !== n) {
      const detail = names.map((k) => `${k} (${series[k].length})`).join(', ');
      throw new RangeError(`${fn}: inputs must have the same length, got ${detail}`);
    }
  }
  return n;
}

/** Sets the first `lookback` entries of `out` (the warm-up) to NaN; returns `out`. */
export function warmupNaN(out: Float64Array, lookback: number): Float64Array {
  out.fill(NaN, 0, Math.min(lookback, out.length));
  return out;
}

function overlaps(a: Float64Array, b: Float64Array): boolean {
  return (
    a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength
  );
}

/**
 * Checks the caller's output arrays of an `...Into` function: Float64Arrays of
 * the input length `n`, sharing no memory with an input or with each other
 * (a kernel reads inputs after writing earlier outputs).
 */
export function checkOutputs(
  fn: string,
  n: number,
  outputs: Record<string, unknown>,
  inputs: Record<string, Float64Array>,
): void {
  const seen: [string, Float64Array][] = Object.entries(inputs);
  for (const [name, out] of Object.entries(outputs)) {
    if (!(out instanceof Float64Array)) {
      throw new TypeError(`${fn}: output ${name} must be a Float64Array, got ${describe(out)}`);
    }
    if (out.length !== n) {
      throw new RangeError(`${fn}: output ${name} must have the input length ${n}, got ${out.length}`);
    }
    const clash = seen.find(([, other]) => overlaps(out, other));
    if (clash) throw new RangeError(`${fn}: output ${name} shares memory with ${clash[0]}`);
    seen.push([name, out]);
  }
}
