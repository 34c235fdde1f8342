/** The strategy names, apart from their code: the CLI lists them in its help without loading the strategies. */
export const STRATEGY_NAMES = ['ma-crossover', 'rsi-reversal', 'macd-crossover', 'bollinger', 'composite'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];
