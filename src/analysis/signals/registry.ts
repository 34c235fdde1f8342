// The strategies by name.
import { bollinger } from './bollinger.ts';
import { composite } from './composite.ts';
import { macdCrossover } from './macd-crossover.ts';
import { maCrossover } from './ma-crossover.ts';
import { rsiReversal } from './rsi-reversal.ts';
import { STRATEGY_NAMES, type StrategyName } from './names.ts';
import type { Strategy } from './types.ts';

export { STRATEGY_NAMES };

const byName: Record<StrategyName, Strategy> = {
  'ma-crossover': maCrossover,
  'rsi-reversal': rsiReversal,
  'macd-crossover': macdCrossover,
  bollinger,
  composite,
};
for (const [name, s] of Object.entries(byName)) {
  if (s.name !== name) throw new Error(`strategy "${s.name}" is registered as "${name}"`);
}
export const STRATEGIES: Readonly<Record<string, Strategy>> = Object.freeze(byName);

/** The strategy called `name`; throws a RangeError listing the valid names otherwise. */
export function getStrategy(name: string): Strategy {
  const s = Object.hasOwn(STRATEGIES, name) ? STRATEGIES[name] : undefined;
  if (!s) throw new RangeError(`unknown strategy '${name}' (valid: ${STRATEGY_NAMES.join(', ')})`);
  return s;
}
