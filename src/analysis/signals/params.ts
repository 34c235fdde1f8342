// Parameter parsing shared by the strategies: the analysis code's one parser (indicators/params.ts).
import { parseParams as parseWith, type ParamSpec } from '../indicators/params.ts';
import type { StrategyParams } from './types.ts';

export type { ParamSpec };

/** Parameters every strategy takes to place its stop and target. */
export const RISK_DEFAULTS = { atrPeriod: 14, stopAtr: 2, targetAtr: 3 } as const;
export const RISK_SPECS: Record<keyof typeof RISK_DEFAULTS, ParamSpec> = {
  atrPeriod: { kind: 'int', min: 1, max: 1000 },
  stopAtr: { kind: 'real', min: 0, max: 100 },
  targetAtr: { kind: 'real', min: 0, max: 100 },
};

/** Merges `input` over `defaults`, checking keys, types and ranges; `check` adds cross-parameter rules. */
export function parseParams(
  strategy: string,
  defaults: Readonly<StrategyParams>,
  specs: Record<string, ParamSpec>,
  input: unknown,
  check?: (params: StrategyParams) => void,
): StrategyParams {
  return parseWith(strategy, defaults, specs, input, check);
}
