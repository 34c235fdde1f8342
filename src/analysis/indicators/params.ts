/**
 * The one parameter parser of the analysis code: indicators (registry.ts) and strategies
 * (signals/params.ts) check untrusted parameters the same way. Integers lie in [min, max]; reals
 * in (min, max]: a maximum is allowed for both, a real minimum is not (a zero multiplier is meaningless).
 */

export interface ParamSpec {
  /** 'int' for periods and counts, 'real' for multipliers and thresholds. */
  kind: 'int' | 'real';
  min: number;
  max: number;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Merges `input` over `defaults` (undefined or null = the defaults), rejecting unknown keys, non-numbers
 * (TypeError) and values out of range (RangeError); `check` adds cross-parameter rules.
 */
export function parseParams<P extends Record<string, number>>(
  owner: string,
  defaults: Readonly<P>,
  specs: Record<keyof P & string, ParamSpec>,
  input: unknown,
  check?: (params: P) => void,
): P {
  const names = Object.keys(specs) as (keyof P & string)[];
  const raw = input ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TypeError(`${owner}: params must be an object, got ${describeValue(raw)}`);
  }
  const given = raw as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(names as string[]).includes(key)) {
      const valid = names.length > 0 ? `valid: ${names.join(', ')}` : 'it takes no parameters';
      throw new RangeError(`${owner}: unknown parameter '${key}' (${valid})`);
    }
  }
  const out: Record<string, number> = {};
  for (const key of names) {
    const value = given[key] === undefined ? defaults[key] : given[key];
    const spec = specs[key];
    if (typeof value !== 'number') {
      throw new TypeError(`${owner}: ${key} must be a number, got ${describeValue(value)}`);
    }
    if (spec.kind === 'int' && (!Number.isInteger(value) || value < spec.min || value > spec.max)) {
      throw new RangeError(`${owner}: ${key} must be an integer from ${spec.min} to ${spec.max}, got ${value}`);
    }
    if (spec.kind === 'real' && (!Number.isFinite(value) || value <= spec.min || value > spec.max)) {
      throw new RangeError(`${owner}: ${key} must be a number > ${spec.min} and <= ${spec.max}, got ${value}`);
    }
    out[key] = value;
  }
  const params = out as P;
  check?.(params);
  return params;
}
