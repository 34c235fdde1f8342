// Bollinger reversion: after closes outside a band, the first close back inside signals a move back
// toward the middle (buy on re-entry above the lower band, sell on re-entry below the upper band).
import { atr } from '../indicators/atr.ts';
import { bbands } from '../indicators/bbands.ts';
import { INDICATORS } from '../indicators/registry.ts';
import { checkCandles, fromIndex } from './candles.ts';
import { NOISE, clamp01, directionalSignal, fmt } from './levels.ts';
import { RISK_DEFAULTS, RISK_SPECS, parseParams } from './params.ts';
import type { SignalCandidate, Strategy, StrategyParams } from './types.ts';

const NAME = 'bollinger';
/** How far back the excursion outside the band is measured. */
export const BAND_EXCURSION_SCAN = 50;

const DEFAULTS: Readonly<StrategyParams> = Object.freeze({ period: 20, stddev: 2, ...RISK_DEFAULTS });
const SPECS = {
  period: { kind: 'int', min: 2, max: 10_000 },
  stddev: { kind: 'real', min: 0, max: 100 },
  ...RISK_SPECS,
} as const;

const parse = (input?: unknown): StrategyParams => parseParams(NAME, DEFAULTS, SPECS, input);

export const bollinger: Strategy = {
  name: NAME,
  description:
    'Bollinger reversion: close back inside the lower band after closing below it (buy), or inside the upper band (sell)',
  defaults: DEFAULTS,
  parseParams: parse,
  warmup(params) {
    const p = parse(params);
    return (
      Math.max(
        INDICATORS.bbands.warmup({ period: p.period, stddev: p.stddev }) + BAND_EXCURSION_SCAN,
        INDICATORS.atr.warmup({ period: p.atrPeriod }),
      ) + 1
    );
  },
  generate(series, params, opts) {
    const p = parse(params);
    const n = checkCandles(NAME, series);
    const start = Math.max(1, fromIndex(NAME, opts));
    const close = series.close;
    const { upper, middle, lower } = bbands(close, p.period, p.stddev);
    const range = atr(series.high, series.low, close, p.atrPeriod);
    // Outside a band by more than rounding noise (flat prices collapse the bands onto the close).
    const below = (j: number): boolean => lower[j] - close[j] > NOISE * close[j];
    const above = (j: number): boolean => close[j] - upper[j] > NOISE * close[j];
    const out: SignalCandidate[] = [];

    for (let i = start; i < n; i++) {
      const c0 = close[i - 1];
      const c1 = close[i];
      let dir: 1 | -1;
      if (below(i - 1) && !below(i)) dir = 1;
      else if (above(i - 1) && !above(i)) dir = -1;
      else continue;
      const a = range[i];
      if (!(a > 0)) continue;

      // The excursion: consecutive closes before i outside the band, and the most extreme %b among them.
      let bars = 0;
      let extremeB = dir === 1 ? Infinity : -Infinity;
      let first = i - 1;
      for (let j = i - 1; j >= 0 && i - j <= BAND_EXCURSION_SCAN; j--) {
        const outside = dir === 1 ? below(j) : above(j);
        if (!outside) break;
        const b = (close[j] - lower[j]) / (upper[j] - lower[j]);
        extremeB = dir === 1 ? Math.min(extremeB, b) : Math.max(extremeB, b);
        bars++;
        first = j;
      }
      // Strength: how far outside the band the closes went, in %b; half a band width out gives 1.
      const strength = clamp01((dir === 1 ? -extremeB : extremeB - 1) / 0.5);
      // Confidence: 0.5, +0.25 for a quick rejection (outside 3 bars or fewer),
      // +0.25 if the bands did not widen during the excursion (no volatility breakout under way).
      const quick = bars <= 3;
      const notWidening = upper[i] - lower[i] <= upper[first] - lower[first];
      const confidence = 0.5 + 0.25 * (+quick + +notWidening);
      const band = dir === 1 ? lower : upper;
      const suffix = `${p.period}_${p.stddev}`;
      out.push(
        directionalSignal({
          strategy: NAME,
          index: i,
          ts: series.ts[i],
          dir,
          price: c1,
          atr: a,
          params: p,
          strength,
          confidence,
          rationale:
            `Close re-entered ${dir === 1 ? 'above the lower' : 'below the upper'} Bollinger band (${p.period}, ${p.stddev}) ` +
            `(${fmt(c0)} → ${fmt(c1)} vs band ${fmt(band[i - 1])} → ${fmt(band[i])}) after ${bars} bar${bars === 1 ? '' : 's'} outside, ` +
            `extreme %b ${fmt(extremeB)}`,
          indicatorsUsed: {
            [`bbands_${suffix}_upper`]: upper[i],
            [`bbands_${suffix}_middle`]: middle[i],
            [`bbands_${suffix}_lower`]: lower[i],
            [`bbands_${suffix}_band_prev`]: band[i - 1],
            pct_b_extreme: extremeB,
            bars_outside: bars,
            close_prev: c0,
          },
        }),
      );
    }
    return out;
  },
};
