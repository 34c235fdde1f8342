export { sma, smaLookback } from './sma.ts';
export { ema, emaLookback } from './ema.ts';
export { rsi, rsiLookback } from './rsi.ts';
export { macd, macdLookback } from './macd.ts';
export type { MacdResult } from './macd.ts';
export { bbands, bbandsLookback } from './bbands.ts';
export type { BbandsResult } from './bbands.ts';
export { atr, atrLookback } from './atr.ts';
export { obv, obvLookback } from './obv.ts';
export { stoch, stochLookback } from './stoch.ts';
export type { StochResult } from './stoch.ts';
export { adx, adxLookback, diLookback } from './adx.ts';
export type { AdxResult } from './adx.ts';
export { cci, cciLookback } from './cci.ts';
export {
  INDICATORS,
  INDICATOR_TYPES,
  MAX_PERIOD,
  MAX_STDDEV,
  getIndicator,
  isIndicatorType,
  parseIndicatorName,
} from './registry.ts';
export type { IndicatorDescriptor, IndicatorInput, IndicatorParams, IndicatorType, ParamsByType } from './registry.ts';
export { SEED_DECAY, decayBars, emaFactor, wilderFactor } from './warmup.ts';
