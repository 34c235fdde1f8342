// The indicator calls the language knows: which take a source series, their arguments, and their outputs.
import type { IndicatorType } from '../indicators/index.ts';

export interface CallSpec {
  /** Whether the first argument is a series (sma(close, 20)); the others read the bar columns themselves. */
  source: boolean;
  /** Constant arguments in order, named as the indicator registry names its parameters. */
  args: readonly string[];
  /** Outputs readable with `.field`; the first is read when no field is given, unless `fieldRequired`. */
  fields: readonly string[];
  fieldRequired: boolean;
}

export const CALLS: Record<IndicatorType, CallSpec> = {
  sma: { source: true, args: ['period'], fields: ['value'], fieldRequired: false },
  ema: { source: true, args: ['period'], fields: ['value'], fieldRequired: false },
  rsi: { source: true, args: ['period'], fields: ['value'], fieldRequired: false },
  macd: { source: true, args: ['fast', 'slow', 'signal'], fields: ['line', 'signal', 'hist'], fieldRequired: true },
  bbands: { source: true, args: ['period', 'stddev'], fields: ['upper', 'middle', 'lower'], fieldRequired: true },
  atr: { source: false, args: ['period'], fields: ['value'], fieldRequired: false },
  adx: { source: false, args: ['period'], fields: ['adx', 'plus_di', 'minus_di'], fieldRequired: false },
  cci: { source: false, args: ['period'], fields: ['value'], fieldRequired: false },
  stoch: { source: false, args: ['period', 'smoothK', 'smoothD'], fields: ['k', 'd'], fieldRequired: true },
  obv: { source: false, args: [], fields: ['value'], fieldRequired: false },
};
