// Entry, stop and target of a directional signal, and number formatting for rationales.
import type { SignalCandidate, StrategyParams } from './types.ts';

export interface Levels {
  stopLoss: number;
  targetPrice: number;
}

/**
 * ATR-based levels: for a buy, stop = price - stopAtr × ATR and target = price + targetAtr × ATR;
 * mirrored for a sell.
 */
export function atrLevels(dir: 1 | -1, price: number, atr: number, params: StrategyParams): Levels {
  return {
    stopLoss: price - dir * params.stopAtr * atr,
    targetPrice: price + dir * params.targetAtr * atr,
  };
}

/**
 * Formats a value for a rationale: two decimals from 1 up (prices, RSI, ATR),
 * four significant digits below 1 (MACD values, small ATRs).
 */
export function fmt(x: number): string {
  const a = Math.abs(x);
  if (a >= 1 || a === 0) return x.toFixed(2);
  return x.toPrecision(4);
}

/** The rationale's closing clause about stop and target. */
export function levelsClause(atrPeriod: number, atr: number, levels: Levels): string {
  return `ATR(${atrPeriod}) ${fmt(atr)} sets stop ${fmt(levels.stopLoss)} and target ${fmt(levels.targetPrice)}`;
}

/** What a strategy knows about a buy (dir 1) or sell (-1) at one bar. */
export interface DirectionalSignal {
  strategy: string;
  index: number;
  ts: number;
  dir: 1 | -1;
  price: number;
  atr: number;
  params: StrategyParams;
  strength: number;
  confidence: number;
  /** The trigger, without the stop/target clause this adds. */
  rationale: string;
  /** The trigger's values; ATR and close are added here. */
  indicatorsUsed: Record<string, unknown>;
}

/** A buy or sell candidate with ATR levels, the same way for every directional strategy. */
export function directionalSignal(d: DirectionalSignal): SignalCandidate {
  const levels = atrLevels(d.dir, d.price, d.atr, d.params);
  return {
    index: d.index,
    ts: d.ts,
    signalType: d.dir === 1 ? 'buy' : 'sell',
    strength: d.strength,
    confidence: d.confidence,
    price: d.price,
    targetPrice: levels.targetPrice,
    stopLoss: levels.stopLoss,
    rationale: `${d.rationale}; ${levelsClause(d.params.atrPeriod, d.atr, levels)}`,
    indicatorsUsed: { ...d.indicatorsUsed, [`atr_${d.params.atrPeriod}`]: d.atr, close: d.price },
    strategy: d.strategy,
  };
}

/**
 * Differences smaller than this share of the price are rounding noise, not
 * crossings: in a perfectly linear trend the MACD histogram and an MA spread
 * are constant in exact arithmetic but wobble around it by ~1e-15 in floating point.
 */
export const NOISE = 1e-9;

/** Sign of `x` with a dead zone of NOISE × |price| around 0. */
export function signBeyondNoise(x: number, price: number): -1 | 0 | 1 {
  const eps = NOISE * Math.abs(price);
  return x > eps ? 1 : x < -eps ? -1 : 0;
}

export function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
