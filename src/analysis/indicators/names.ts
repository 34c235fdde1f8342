/** The indicator types, apart from their code: the CLI lists them in its help without loading the indicators. */
export const INDICATOR_TYPES = ['sma', 'ema', 'rsi', 'macd', 'bbands', 'atr', 'obv', 'stoch', 'adx', 'cci'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];
