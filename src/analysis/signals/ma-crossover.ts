// Moving-average crossover: buy when the fast MA crosses above the slow one, sell when it crosses below.
import { atr } from '../indicators/atr.ts';
import { ema } from '../indicators/ema.ts';
import { INDICATORS } from '../indicators/registry.ts';
import { sma } from '../indicators/sma.ts';
import { checkCandles, fromIndex } from './candles.ts';
import { clamp01, directionalSignal, fmt, signBeyondNoise } from './levels.ts';
import { RISK_DEFAULTS, RISK_SPECS, parseParams } from './params.ts';
import type { SignalCandidate, Strategy, StrategyParams } from './types.ts';

const NAME = 'ma-crossover';
const DEFAULTS: Readonly<StrategyParams> = Object.freeze({
  fast: 20,
  slow: 50,
  exponential: 0,
  volumePeriod: 20,
  ...RISK_DEFAULTS,
});
const SPECS = {
  fast: { kind: 'int', min: 2, max: 10_000 },
  slow: { kind: 'int', min: 3, max: 10_000 },
  exponential: { kind: 'int', min: 0, max: 1 },
  volumePeriod: { kind: 'int', min: 2, max: 10_000 },
  ...RISK_SPECS,
} as const;

function parse(input?: unknown): StrategyParams {
  return parseParams(NAME, DEFAULTS, SPECS, input, (p) => {
    if (p.fast >= p.slow) throw new RangeError(`${NAME}: fast (${p.fast}) must be less than slow (${p.slow})`);
  });
}

/** Bars one MA needs before its values match a full-history run. */
function maWarmup(period: number, exponential: boolean): number {
  return exponential ? INDICATORS.ema.warmup({ period }) : INDICATORS.sma.warmup({ period });
}

export const maCrossover: Strategy = {
  name: NAME,
  description:
    'Fast/slow moving-average crossover (SMA, or EMA with exponential=1): buy on a cross above, sell on a cross below',
  defaults: DEFAULTS,
  parseParams: parse,
  warmup(params) {
    const p = parse(params);
    const ex = p.exponential === 1;
    // +1: the cross compares each bar with the previous one.
    return (
      Math.max(
        maWarmup(p.slow, ex),
        maWarmup(p.fast, ex),
        INDICATORS.atr.warmup({ period: p.atrPeriod }),
        p.volumePeriod - 1,
      ) + 1
    );
  },
  generate(series, params, opts) {
    const p = parse(params);
    const n = checkCandles(NAME, series);
    const start = Math.max(1, fromIndex(NAME, opts));
    const ex = p.exponential === 1;
    const label = ex ? 'EMA' : 'SMA';
    const key = ex ? 'ema' : 'sma';
    const ma = ex ? ema : sma;
    const fast = ma(series.close, p.fast);
    const slow = ma(series.close, p.slow);
    const range = atr(series.high, series.low, series.close, p.atrPeriod);
    const volAvg = sma(series.volume, p.volumePeriod);
    const out: SignalCandidate[] = [];

    // Side of the slow MA the fast one was last on (beyond noise); a cross is a change of side.
    let side = 0;
    for (let i = 1; i < n; i++) {
      const f0 = fast[i - 1];
      const s0 = slow[i - 1];
      const f1 = fast[i];
      const s1 = slow[i];
      const spread0 = f0 - s0;
      const spread1 = f1 - s1;
      const now = signBeyondNoise(spread1, series.close[i]); // 0 while either MA is NaN
      if (now === 0) continue;
      const before = side;
      side = now;
      if (before === 0 || before === now || i < start) continue;
      const dir = now;
      const a = range[i];
      if (!(a > 0)) continue;

      const price = series.close[i];
      // Strength: how fast the spread moved through zero on this bar, against a quarter of an ATR.
      const strength = clamp01(Math.abs(spread1 - spread0) / (0.25 * a));
      // Confidence: 0.4 plus 0.2 for each confirmation.
      const beyondBoth = dir === 1 ? price > Math.max(f1, s1) : price < Math.min(f1, s1);
      const slowAgrees = dir * (s1 - s0) > 0;
      const volumeAbove = series.volume[i] > volAvg[i];
      const confidence = 0.4 + 0.2 * (+beyondBoth + +slowAgrees + +volumeAbove);
      const fastName = `${key}_${p.fast}`;
      const slowName = `${key}_${p.slow}`;
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
            `${label}(${p.fast}) crossed ${dir === 1 ? 'above' : 'below'} ${label}(${p.slow}) ` +
            `(${fmt(f0)} → ${fmt(f1)} vs ${fmt(s0)} → ${fmt(s1)})`,
          indicatorsUsed: {
            [fastName]: f1,
            [`${fastName}_prev`]: f0,
            [slowName]: s1,
            [`${slowName}_prev`]: s0,
            volume: series.volume[i],
            [`volume_sma_${p.volumePeriod}`]: volAvg[i],
          },
        }),
      );
    }
    return out;
  },
};
