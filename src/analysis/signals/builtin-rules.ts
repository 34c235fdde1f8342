// The built-in strategies written in the strategy language (docs/signals.md, "As rules"). Their buy and sell
// bars equal the native strategies' (a test compares them on the demo data); strength, confidence and the
// rationale are the native strategies' own and stay there. composite cannot be written as rules (see docs).
import { RISK_DEFAULTS } from './params.ts';

export interface BuiltinRules {
  name: string;
  description: string;
  entry: string;
  exit: string;
  params: Record<string, number>;
  /** Where the rules may differ from the native strategy, or null when they are exact. */
  caveat: string | null;
}

const NOISE_CAVEAT =
  'exact except after bars where the two lines coincide to 1e-9 of the price: the native strategy remembers ' +
  'the side they were on before, a rule sees one bar back';

export const BUILTIN_RULES: readonly BuiltinRules[] = [
  {
    name: 'ma-crossover',
    description: 'Fast/slow SMA crossover: buy on a cross above, sell on a cross below',
    entry: 'crosses_above(sma(close, $fast), sma(close, $slow))',
    exit: 'crosses_below(sma(close, $fast), sma(close, $slow))',
    params: { fast: 20, slow: 50, ...RISK_DEFAULTS },
    caveat: NOISE_CAVEAT,
  },
  {
    name: 'rsi-reversal',
    description: 'RSI back above oversold (buy) or below overbought (sell)',
    entry: 'rsi(close, $period)[1] < $oversold and rsi(close, $period) >= $oversold',
    exit: 'rsi(close, $period)[1] > $overbought and rsi(close, $period) <= $overbought',
    params: { period: 14, oversold: 30, overbought: 70, ...RISK_DEFAULTS },
    caveat: null,
  },
  {
    name: 'macd-crossover',
    description: 'MACD line crossing its signal line',
    entry: 'crosses_above(macd(close, $fast, $slow, $signal).hist, 0)',
    exit: 'crosses_below(macd(close, $fast, $slow, $signal).hist, 0)',
    params: { fast: 12, slow: 26, signal: 9, ...RISK_DEFAULTS },
    caveat: NOISE_CAVEAT,
  },
  {
    name: 'bollinger',
    description: 'Bollinger reversion: the first close back inside a band after closes outside it',
    entry:
      'bbands(close, $period, $stddev).lower[1] - close[1] > 1e-9 * close[1] and bbands(close, $period, $stddev).lower - close <= 1e-9 * close',
    exit: 'close[1] - bbands(close, $period, $stddev).upper[1] > 1e-9 * close[1] and close - bbands(close, $period, $stddev).upper <= 1e-9 * close',
    params: { period: 20, stddev: 2, ...RISK_DEFAULTS },
    caveat: null,
  },
];

export function builtinRules(name: string): BuiltinRules {
  const r = BUILTIN_RULES.find((b) => b.name === name);
  if (!r) {
    const valid = BUILTIN_RULES.map((b) => b.name).join(', ');
    throw new RangeError(
      name === 'composite'
        ? "composite has no rule version: its votes count other strategies' signals over a window (docs/signals.md)"
        : `no built-in strategy named '${name}' has rules (valid: ${valid})`,
    );
  }
  return r;
}
