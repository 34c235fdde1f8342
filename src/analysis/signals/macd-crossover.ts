// MACD crossover: buy when the MACD line crosses above its signal line, sell when it crosses below.
import { atr } from '../indicators/atr.ts';
import { macd } from '../indicators/macd.ts';
import { INDICATORS } from '../indicators/registry.ts';
import { checkCandles, fromIndex } from './candles.ts';
import { clamp01, directionalSignal, fmt, signBeyondNoise } from './levels.ts';
import { RISK_DEFAULTS, RISK_SPECS, parseParams } from './params.ts';
import type { SignalCandidate, Strategy, StrategyParams } from './types.ts';

const NAME = 'macd-crossover';
const DEFAULTS: Readonly<StrategyParams> = Object.freeze({ fast: 12, slow: 26, signal: 9, ...RISK_DEFAULTS });
const SPECS = {
  fast: { kind: 'int', min: 2, max: 10_000 },
  slow: { kind: 'int', min: 3, max: 10_000 },
  signal: { kind: 'int', min: 1, max: 10_000 },
  ...RISK_SPECS,
} as const;

function parse(input?: unknown): StrategyParams {
  return parseParams(NAME, DEFAULTS, SPECS, input, (p) => {
    if (p.fast >= p.slow) throw new RangeError(`${NAME}: fast (${p.fast}) must be less than slow (${p.slow})`);
  });
}

export const macdCrossover: Strategy = {
  name: NAME,
  description: 'MACD line crosses its signal line (histogram changes sign): above = buy, below = sell',
  defaults: DEFAULTS,
  parseParams: parse,
  warmup(params) {
    const p = parse(params);
    const macdWarmup = INDICATORS.macd.warmup({ fast: p.fast, slow: p.slow, signal: p.signal });
    // +2: the cross reads the previous bar, the acceleration check the one before.
    return Math.max(macdWarmup, INDICATORS.atr.warmup({ period: p.atrPeriod })) + 2;
  },
  generate(series, params, opts) {
    const p = parse(params);
    const n = checkCandles(NAME, series);
    const start = Math.max(1, fromIndex(NAME, opts));
    const m = macd(series.close, p.fast, p.slow, p.signal);
    const hist = m.histogram;
    const range = atr(series.high, series.low, series.close, p.atrPeriod);
    const out: SignalCandidate[] = [];

    // Side of the signal line the MACD line was last on (beyond noise); a cross is a change of side.
    let side = 0;
    for (let i = 1; i < n; i++) {
      const h0 = hist[i - 1];
      const h1 = hist[i];
      const now = signBeyondNoise(h1, series.close[i]); // 0 while the histogram is NaN
      if (now === 0) continue;
      const before = side;
      side = now;
      if (before === 0 || before === now || i < start) continue;
      const dir = now;
      const a = range[i];
      if (!(a > 0)) continue;

      // Strength: the histogram's move through zero on this bar, against a tenth of an ATR.
      const strength = clamp01(Math.abs(h1 - h0) / (0.1 * a));
      // Confidence: 0.5, +0.25 if the MACD line is on the signal's side of zero (trend agrees),
      // +0.25 if the histogram moved faster than on the bar before (momentum building).
      const trendAgrees = dir * m.macd[i] > 0;
      const hPrev = i >= 2 ? hist[i - 2] : NaN;
      const accelerating = Math.abs(h1 - h0) > Math.abs(h0 - hPrev);
      const confidence = 0.5 + 0.25 * (+trendAgrees + +accelerating);
      const price = series.close[i];
      const key = `macd_${p.fast}_${p.slow}_${p.signal}`;
      out.push(
        directionalSignal({
          strategy: NAME,
          index: i,
          ts: series.ts[i],
          dir,
          price: price,
          atr: a,
          params: p,
          strength,
          confidence,
          rationale:
            `MACD(${p.fast},${p.slow},${p.signal}) crossed ${dir === 1 ? 'above' : 'below'} its signal line ` +
            `(histogram ${fmt(h0)} → ${fmt(h1)}; MACD ${fmt(m.macd[i])}, signal ${fmt(m.signal[i])})`,
          indicatorsUsed: {
            [key]: m.macd[i],
            [`${key}_signal`]: m.signal[i],
            [`${key}_histogram`]: h1,
            [`${key}_histogram_prev`]: h0,
          },
        }),
      );
    }
    return out;
  },
};
