// One descriptor per indicator type: parameter names, defaults and checks,
// storage naming, output order, computation, and how many bars an incremental
// computation must read. Storage, CLI and API use these instead of calling
// the functions directly. See docs/indicators.md.
import { adx, adxLookback } from './adx.ts';
import { atr, atrLookback } from './atr.ts';
import { bbands, bbandsLookback } from './bbands.ts';
import { cci, cciLookback } from './cci.ts';
import { ema, emaLookback } from './ema.ts';
import { macd, macdLookback } from './macd.ts';
import { obv, obvLookback } from './obv.ts';
import { rsi, rsiLookback } from './rsi.ts';
import { sma, smaLookback } from './sma.ts';
import { stoch, stochLookback } from './stoch.ts';
import type { OhlcvColumns } from '../../ohlcv.ts';
import { INDICATOR_TYPES, type IndicatorType } from './names.ts';
import { parseParams, type ParamSpec } from './params.ts';
import { decayBars, emaFactor, wilderFactor } from './warmup.ts';

export { INDICATOR_TYPES, type IndicatorType };

/** Parameters of each indicator type, by their canonical names. */
export interface ParamsByType {
  sma: { period: number };
  ema: { period: number };
  rsi: { period: number };
  macd: { fast: number; slow: number; signal: number };
  bbands: { period: number; stddev: number };
  atr: { period: number };
  obv: Record<string, never>;
  stoch: { period: number; smoothK: number; smoothD: number };
  adx: { period: number };
  cci: { period: number };
}
export type IndicatorParams = ParamsByType[IndicatorType];

/** The bar columns an indicator may read. */
export type IndicatorInput = OhlcvColumns;

export interface IndicatorDescriptor<T extends IndicatorType = IndicatorType> {
  type: T;
  /** One line for listings. */
  description: string;
  defaults: Readonly<ParamsByType[T]>;
  /** Output names in stored order (value, value2, value3). */
  outputs: readonly string[];
  /** True when values depend on the whole history (OBV): see warmup(). */
  cumulative: boolean;
  /** Validates untrusted input (undefined = defaults); missing keys take defaults, unknown keys are rejected. */
  parseParams(input: unknown): ParamsByType[T];
  /** Storage name, e.g. rsi_14, macd_12_26_9, bbands_20_2, obv. */
  name(params: ParamsByType[T]): string;
  /** 1 to 3 arrays aligned to the input, in `outputs` order. */
  compute(series: IndicatorInput, params: ParamsByType[T]): Float64Array[];
  /** Index of the first bar where every output is defined. */
  lookback(params: ParamsByType[T]): number;
  /**
   * Bars to read before the first bar to compute so that the result matches a
   * full-history computation (~1e-10 relative): the lookback for exact windows;
   * lookback + seed-decay bars for recursive ones; Infinity for cumulative ones.
   */
  warmup(params: ParamsByType[T]): number;
}

/** TA-Lib's upper bound for every period. */
export const MAX_PERIOD = 100_000;
/** Upper bound for the Bollinger deviation multiplier. */
export const MAX_STDDEV = 100;

/** Builds parseParams from a spec (see params.ts); `check` adds cross-parameter rules. */
function paramParser<P extends Record<string, number>>(
  type: IndicatorType,
  defaults: Readonly<P>,
  specs: Record<keyof P & string, ParamSpec>,
  check?: (params: P) => void,
): (input: unknown) => P {
  return (input: unknown): P => parseParams(type, defaults, specs, input, check);
}

const period = (min: number): ParamSpec => ({ kind: 'int', min, max: MAX_PERIOD });

const SMA: IndicatorDescriptor<'sma'> = {
  type: 'sma',
  description: 'Simple moving average of the close',
  defaults: Object.freeze({ period: 20 }),
  outputs: ['value'],
  cumulative: false,
  parseParams: paramParser<ParamsByType['sma']>('sma', { period: 20 }, { period: period(2) }),
  name: (p) => `sma_${p.period}`,
  compute: (s, p) => [sma(s.close, p.period)],
  lookback: (p) => smaLookback(p.period),
  warmup: (p) => smaLookback(p.period),
};

const EMA: IndicatorDescriptor<'ema'> = {
  type: 'ema',
  description: 'Exponential moving average of the close (SMA seed)',
  defaults: Object.freeze({ period: 20 }),
  outputs: ['value'],
  cumulative: false,
  parseParams: paramParser<ParamsByType['ema']>('ema', { period: 20 }, { period: period(2) }),
  name: (p) => `ema_${p.period}`,
  compute: (s, p) => [ema(s.close, p.period)],
  lookback: (p) => emaLookback(p.period),
  warmup: (p) => emaLookback(p.period) + decayBars(emaFactor(p.period)),
};

const RSI: IndicatorDescriptor<'rsi'> = {
  type: 'rsi',
  description: "Wilder's relative strength index of the close",
  defaults: Object.freeze({ period: 14 }),
  outputs: ['value'],
  cumulative: false,
  parseParams: paramParser<ParamsByType['rsi']>('rsi', { period: 14 }, { period: period(2) }),
  name: (p) => `rsi_${p.period}`,
  compute: (s, p) => [rsi(s.close, p.period)],
  lookback: (p) => rsiLookback(p.period),
  warmup: (p) => rsiLookback(p.period) + decayBars(wilderFactor(p.period)),
};

const MACD: IndicatorDescriptor<'macd'> = {
  type: 'macd',
  description: 'MACD line, signal line and histogram of the close',
  defaults: Object.freeze({ fast: 12, slow: 26, signal: 9 }),
  outputs: ['macd', 'signal', 'histogram'],
  cumulative: false,
  parseParams: paramParser<ParamsByType['macd']>(
    'macd',
    { fast: 12, slow: 26, signal: 9 },
    { fast: period(2), slow: period(2), signal: period(1) },
    (p) => {
      if (p.fast >= p.slow) throw new RangeError(`macd: fast (${p.fast}) must be less than slow (${p.slow})`);
    },
  ),
  name: (p) => `macd_${p.fast}_${p.slow}_${p.signal}`,
  compute: (s, p) => {
    const r = macd(s.close, p.fast, p.slow, p.signal);
    return [r.macd, r.signal, r.histogram];
  },
  lookback: (p) => macdLookback(p.slow, p.signal),
  // The slow EMA decays slowest; the signal EMA is cascaded on the line.
  warmup: (p) => macdLookback(p.slow, p.signal) + decayBars(Math.max(emaFactor(p.slow), emaFactor(p.signal)), 2),
};

const BBANDS: IndicatorDescriptor<'bbands'> = {
  type: 'bbands',
  description: 'Bollinger Bands (SMA middle, population standard deviation)',
  defaults: Object.freeze({ period: 20, stddev: 2 }),
  outputs: ['upper', 'middle', 'lower'],
  cumulative: false,
  parseParams: paramParser<ParamsByType['bbands']>(
    'bbands',
    { period: 20, stddev: 2 },
    { period: period(2), stddev: { kind: 'real', min: 0, max: MAX_STDDEV } },
  ),
  name: (p) => `bbands_${p.period}_${p.stddev}`,
  compute: (s, p) => {
    const r = bbands(s.close, p.period, p.stddev);
    return [r.upper, r.middle, r.lower];
  },
  lookback: (p) => bbandsLookback(p.period),
  warmup: (p) => bbandsLookback(p.period),
};

const ATR: IndicatorDescriptor<'atr'> = {
  type: 'atr',
  description: "Wilder's average true range",
  defaults: Object.freeze({ period: 14 }),
  outputs: ['value'],
  cumulative: false,
  parseParams: paramParser<ParamsByType['atr']>('atr', { period: 14 }, { period: period(1) }),
  name: (p) => `atr_${p.period}`,
  compute: (s, p) => [atr(s.high, s.low, s.close, p.period)],
  lookback: (p) => atrLookback(p.period),
  warmup: (p) => atrLookback(p.period) + decayBars(wilderFactor(p.period)),
};

const OBV: IndicatorDescriptor<'obv'> = {
  type: 'obv',
  description: 'On-balance volume (cumulative, starts at the first volume)',
  defaults: Object.freeze({}),
  outputs: ['value'],
  cumulative: true,
  parseParams: paramParser<ParamsByType['obv']>('obv', {}, {}),
  name: () => 'obv',
  compute: (s) => [obv(s.close, s.volume)],
  lookback: () => obvLookback(),
  // Every bar shifts all later values: only the full history reproduces the
  // level. Incrementally, start one bar before and add (stored - computed) at
  // that bar (docs/indicators.md).
  warmup: () => Number.POSITIVE_INFINITY,
};

const STOCH: IndicatorDescriptor<'stoch'> = {
  type: 'stoch',
  description: 'Slow stochastic %K and %D (SMA smoothing)',
  defaults: Object.freeze({ period: 14, smoothK: 3, smoothD: 3 }),
  outputs: ['k', 'd'],
  cumulative: false,
  parseParams: paramParser<ParamsByType['stoch']>(
    'stoch',
    { period: 14, smoothK: 3, smoothD: 3 },
    { period: period(1), smoothK: period(1), smoothD: period(1) },
  ),
  name: (p) => `stoch_${p.period}_${p.smoothK}_${p.smoothD}`,
  compute: (s, p) => {
    const r = stoch(s.high, s.low, s.close, p.period, p.smoothK, p.smoothD);
    return [r.k, r.d];
  },
  lookback: (p) => stochLookback(p.period, p.smoothK, p.smoothD),
  warmup: (p) => stochLookback(p.period, p.smoothK, p.smoothD),
};

const ADX: IndicatorDescriptor<'adx'> = {
  type: 'adx',
  description: "Wilder's ADX with +DI and -DI",
  defaults: Object.freeze({ period: 14 }),
  outputs: ['adx', 'plus_di', 'minus_di'],
  cumulative: false,
  parseParams: paramParser<ParamsByType['adx']>('adx', { period: 14 }, { period: period(2) }),
  name: (p) => `adx_${p.period}`,
  compute: (s, p) => {
    const r = adx(s.high, s.low, s.close, p.period);
    return [r.adx, r.plusDI, r.minusDI];
  },
  lookback: (p) => adxLookback(p.period),
  // DM/TR smoothing, then the ADX's own Wilder average: a cascade of two.
  warmup: (p) => adxLookback(p.period) + decayBars(wilderFactor(p.period), 2),
};

const CCI: IndicatorDescriptor<'cci'> = {
  type: 'cci',
  description: 'Commodity channel index (0.015, mean deviation)',
  defaults: Object.freeze({ period: 20 }),
  outputs: ['value'],
  cumulative: false,
  parseParams: paramParser<ParamsByType['cci']>('cci', { period: 20 }, { period: period(2) }),
  name: (p) => `cci_${p.period}`,
  compute: (s, p) => [cci(s.high, s.low, s.close, p.period)],
  lookback: (p) => cciLookback(p.period),
  warmup: (p) => cciLookback(p.period),
};

export const INDICATORS: { readonly [T in IndicatorType]: IndicatorDescriptor<T> } = {
  sma: SMA,
  ema: EMA,
  rsi: RSI,
  macd: MACD,
  bbands: BBANDS,
  atr: ATR,
  obv: OBV,
  stoch: STOCH,
  adx: ADX,
  cci: CCI,
};

export function isIndicatorType(type: unknown): type is IndicatorType {
  return typeof type === 'string' && (INDICATOR_TYPES as readonly string[]).includes(type);
}

/** The descriptor of `type`; throws a RangeError listing the valid types otherwise. */
export function getIndicator<T extends IndicatorType>(type: T): IndicatorDescriptor<T>;
export function getIndicator(type: string): IndicatorDescriptor;
export function getIndicator(type: string): IndicatorDescriptor {
  if (!isIndicatorType(type)) {
    throw new RangeError(`unknown indicator type '${type}' (valid: ${INDICATOR_TYPES.join(', ')})`);
  }
  return INDICATORS[type];
}

/**
 * Inverse of name(): 'macd_12_26_9' -> { type: 'macd', params: { fast: 12, slow: 26, signal: 9 } }.
 * Values are read in the order of the type's parameters and validated.
 */
export function parseIndicatorName(name: string): { type: IndicatorType; params: IndicatorParams } {
  const [type, ...values] = name.split('_');
  const descriptor = getIndicator(type);
  const keys = Object.keys(descriptor.defaults);
  if (values.length !== keys.length) {
    throw new RangeError(
      `${type}: name '${name}' must have ${keys.length} value(s) after the type (${keys.join(', ') || 'none'})`,
    );
  }
  const raw: Record<string, number> = {};
  keys.forEach((key, i) => {
    const v = values[i];
    raw[key] = v.trim() === '' ? NaN : Number(v);
  });
  const params = descriptor.parseParams(raw);
  if (descriptor.name(params) !== name) {
    throw new RangeError(`${type}: '${name}' is not a canonical name (expected '${descriptor.name(params)}')`);
  }
  return { type: descriptor.type, params };
}
