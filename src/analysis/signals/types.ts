// Shared types of the signal strategies (pure: no I/O, no clock).

import type { CandleSeries } from '../../ohlcv.ts';

/** Bars in time order; ts is the bar's open time in epoch ms. All columns have the same length. */
export type { CandleSeries };

export type SignalType = 'strong_buy' | 'buy' | 'hold' | 'sell' | 'strong_sell';

export interface SignalCandidate {
  /** Bar index in the series the strategy was given. */
  index: number;
  /** That bar's timestamp (epoch ms). */
  ts: number;
  signalType: SignalType;
  /** How decisive the trigger was, in [0, 1] (each strategy documents its measure). */
  strength: number;
  /** How much the surrounding data supports it, in [0, 1]. */
  confidence: number;
  /** The bar's close: the reference entry price. */
  price: number;
  /** price ± targetAtr × ATR in the signal's direction; null for hold. */
  targetPrice: number | null;
  /** price ∓ stopAtr × ATR against the signal's direction; null for hold. */
  stopLoss: number | null;
  /** One sentence naming the values that triggered the signal. */
  rationale: string;
  /** The values behind the signal, by name (e.g. rsi_14, rsi_14_prev, atr_14). */
  indicatorsUsed: Record<string, unknown>;
  /** Name of the strategy that produced it. */
  strategy: string;
}

export type StrategyParams = Record<string, number>;

export interface GenerateOptions {
  /** Only bars at or after this index produce candidates (earlier bars still feed the indicators). Default 0. */
  fromIndex?: number;
}

export interface Strategy {
  name: string;
  description: string;
  defaults: Readonly<StrategyParams>;
  /** Validates untrusted params: missing keys take defaults, unknown keys and bad values throw. */
  parseParams(input?: unknown): StrategyParams;
  /** Bars before `fromIndex` needed for the candidates to equal a full-history run. */
  warmup(params?: Partial<StrategyParams>): number;
  generate(series: CandleSeries, params?: Partial<StrategyParams>, opts?: GenerateOptions): SignalCandidate[];
}

/** +1 for buy-side signals, -1 for sell-side ones, 0 for hold. */
export function direction(type: SignalType): 1 | -1 | 0 {
  if (type === 'buy' || type === 'strong_buy') return 1;
  if (type === 'sell' || type === 'strong_sell') return -1;
  return 0;
}
