// Parameter parsing shared by the strategies.
import type { StrategyParams } from './types.ts';

export interface ParamSpec {
  /** 'int' or 'real'; a real must lie in (min, max), an int in [min, max]. */
  kind: 'int' | 'real';
  min: number;
  max: number;
}

/** Parameters every strategy takes to place its stop and target. */
export const RISK_DEFAULTS = { atrPeriod: 14, stopAtr: 2, targetAtr: 3 } as const;
export const RISK_SPECS: Record<keyof typeof RISK_DEFAULTS, ParamSpec> = {
  atrPeriod: { kind: 'int', min: 1, max: 1000 },
  stopAtr: { kind: 'real', min: 0, max: 100 },
  targetAtr: { kind: 'real', min: 0, max: 100 },
};

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Merges `input` over `defaults`, checking keys, types and ranges; `check` adds cross-parameter rules. */
export function parseParams(
  strategy: string,
  defaults: Readonly<StrategyParams>,
  specs: Record<string, ParamSpec>,
  input: unknown,
  check?: (params: StrategyParams) => void,
): StrategyParams {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(`${strategy}: params must be an object, got ${describeValue(input)}`);
  }
  const given = input as Record<string, unknown>;
  const names = Object.keys(specs);
  for (const key of Object.keys(given)) {
    if (!names.includes(key))
      throw new RangeError(`${strategy}: unknown parameter '${key}' (valid: ${names.join(', ')})`);
  }
  const out: StrategyParams = {};
  for (const key of names) {
    const value = given[key] === undefined ? defaults[key] : given[key];
    const spec = specs[key];
    if (typeof value !== 'number')
      throw new TypeError(`${strategy}: ${key} must be a number, got ${describeValue(value)}`);
    if (spec.kind === 'int' && (!Number.isInteger(value) || value < spec.min || value > spec.max)) {
      throw new RangeError(`${strategy}: ${key} must be an integer from ${spec.min} to ${spec.max}, got ${value}`);
    }
    if (spec.kind === 'real' && (!Number.isFinite(value) || value <= spec.min || value >= spec.max)) {
      throw new RangeError(
        `${strategy}: ${key} must be a number between ${spec.min} and ${spec.max} (exclusive), got ${value}`,
      );
    }
    out[key] = value;
  }
  check?.(out);
  return out;
}
