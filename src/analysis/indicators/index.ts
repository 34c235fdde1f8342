export { sma, smaInto, smaLookback } from './sma.ts';
export { ema, emaInto, emaLookback } from './ema.ts';
export { rsi, rsiInto, rsiLookback } from './rsi.ts';
export { macd, macdInto, macdLookback } from './macd.ts';
export type { MacdResult } from './macd.ts';
export { bbands, bbandsInto, bbandsLookback } from './bbands.ts';
export type { BbandsResult } from './bbands.ts';
export { atr, atrInto, atrLookback } from './atr.ts';
export { obv, obvInto, obvLookback } from './obv.ts';
export { stoch, stochInto, stochLookback } from './stoch.ts';
export type { StochResult } from './stoch.ts';
export { adx, adxInto, adxLookback, diLookback } from './adx.ts';
export type { AdxResult } from './adx.ts';
export { cci, cciInto, cciLookback } from './cci.ts';
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
