// The strategies by name.
import { bollinger } from './bollinger.ts';
import { composite } from './composite.ts';
import { macdCrossover } from './macd-crossover.ts';
import { maCrossover } from './ma-crossover.ts';
import { rsiReversal } from './rsi-reversal.ts';
import type { Strategy } from './types.ts';

export const STRATEGIES: Readonly<Record<string, Strategy>> = Object.freeze({
  [maCrossover.name]: maCrossover,
  [rsiReversal.name]: rsiReversal,
  [macdCrossover.name]: macdCrossover,
  [bollinger.name]: bollinger,
  [composite.name]: composite,
});

export const STRATEGY_NAMES: readonly string[] = Object.freeze(Object.keys(STRATEGIES));

/** The strategy called `name`; throws a RangeError listing the valid names otherwise. */
export function getStrategy(name: string): Strategy {
  const s = Object.hasOwn(STRATEGIES, name) ? STRATEGIES[name] : undefined;
  if (!s) throw new RangeError(`unknown strategy '${name}' (valid: ${STRATEGY_NAMES.join(', ')})`);
  return s;
}
