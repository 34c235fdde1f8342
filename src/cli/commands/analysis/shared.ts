/** What the tm indicators and tm signals commands share: lazy imports of the analysis code, option parsing, cells. */
import { UsageError } from '../../../errors.ts';

// The indicators, strategies and their repositories load only when an analysis command runs.
export const service = () => import('../../../analysis/service.ts');
export const indicatorsRepo = () => import('../../../analysis/indicators-repository.ts');
export const signalsRepo = () => import('../../../analysis/signals-repository.ts');
export const calc = () => import('../../../analysis/calc.ts');
export const specs = () => import('../../../analysis/compute-indicators.ts');

export function parseJson(text: string | undefined, what: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/** A repeatable option's values. */
export const collect = (v: string, prev: string[] = []) => [...prev, v];
/** A comma-separated option's values. */
export const list = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
/** A number cell rounded to `d` places; empty for none. */
export const fixed = (v: number | null | undefined, d = 4) =>
  v === null || v === undefined ? '' : Number(v.toFixed(d));
