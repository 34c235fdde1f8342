// RSI reversal: buy when the RSI climbs back above the oversold line, sell when it falls back below overbought.
import { atr } from '../indicators/atr.ts';
import { INDICATORS } from '../indicators/registry.ts';
import { rsi } from '../indicators/rsi.ts';
import { checkCandles, fromIndex } from './candles.ts';
import { clamp01, directionalSignal, fmt } from './levels.ts';
import { RISK_DEFAULTS, RISK_SPECS, parseParams } from './params.ts';
import type { SignalCandidate, Strategy, StrategyParams } from './types.ts';

const NAME = 'rsi-reversal';
/** How far back the excursion beyond the threshold is measured. */
export const RSI_EXCURSION_SCAN = 50;

const DEFAULTS: Readonly<StrategyParams> = Object.freeze({
  period: 14,
  oversold: 30,
  overbought: 70,
  ...RISK_DEFAULTS,
});
const SPECS = {
  period: { kind: 'int', min: 2, max: 1000 },
  oversold: { kind: 'real', min: 0, max: 50 },
  overbought: { kind: 'real', min: 50, max: 100 },
  ...RISK_SPECS,
} as const;

const parse = (input?: unknown): StrategyParams => parseParams(NAME, DEFAULTS, SPECS, input);

export const rsiReversal: Strategy = {
  name: NAME,
  description: 'RSI crosses back above oversold (buy) or back below overbought (sell)',
  defaults: DEFAULTS,
  parseParams: parse,
  warmup(params) {
    const p = parse(params);
    // The cross needs the previous bar; the excursion scan looks back RSI_EXCURSION_SCAN bars more.
    return (
      Math.max(
        INDICATORS.rsi.warmup({ period: p.period }) + RSI_EXCURSION_SCAN,
        INDICATORS.atr.warmup({ period: p.atrPeriod }),
      ) + 1
    );
  },
  generate(series, params, opts) {
    const p = parse(params);
    const n = checkCandles(NAME, series);
    const start = Math.max(1, fromIndex(NAME, opts));
    const r = rsi(series.close, p.period);
    const range = atr(series.high, series.low, series.close, p.atrPeriod);
    const out: SignalCandidate[] = [];

    for (let i = start; i < n; i++) {
      const r0 = r[i - 1];
      const r1 = r[i];
      let dir: 1 | -1;
      if (r0 < p.oversold && r1 >= p.oversold) dir = 1;
      else if (r0 > p.overbought && r1 <= p.overbought) dir = -1;
      else continue;
      const a = range[i];
      if (!(a > 0)) continue;

      // The excursion: consecutive bars before i beyond the threshold, and its extreme.
      let extreme = r0;
      let bars = 0;
      for (let j = i - 1; j >= 0 && i - j <= RSI_EXCURSION_SCAN; j--) {
        const v = r[j];
        if (dir === 1 ? !(v < p.oversold) : !(v > p.overbought)) break;
        bars++;
        extreme = dir === 1 ? Math.min(extreme, v) : Math.max(extreme, v);
      }
      // Strength: depth of the excursion, against half the distance from the threshold to the RSI bound
      // (defaults: an RSI low of 15, or a high of 85, gives 1).
      const depth =
        dir === 1 ? (p.oversold - extreme) / (p.oversold / 2) : (extreme - p.overbought) / ((100 - p.overbought) / 2);
      const strength = clamp01(depth);
      // Confidence: 0.5, +0.25 if the excursion lasted 2 bars or more (a stretch, not a one-bar spike),
      // +0.25 if the RSI turned by 5 points or more on the bar.
      const price = series.close[i];
      const sustained = bars >= 2;
      const sharpTurn = Math.abs(r1 - r0) >= 5;
      const confidence = 0.5 + 0.25 * (+sustained + +sharpTurn);
      const threshold = dir === 1 ? p.oversold : p.overbought;
      const key = `rsi_${p.period}`;
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
            `RSI(${p.period}) crossed ${dir === 1 ? 'above' : 'below'} ${threshold} (${fmt(r0)} → ${fmt(r1)}) ` +
            `after ${bars} bar${bars === 1 ? '' : 's'} ${dir === 1 ? 'below' : 'above'} it, ${dir === 1 ? 'low' : 'high'} ${fmt(extreme)}`,
          indicatorsUsed: {
            [key]: r1,
            [`${key}_prev`]: r0,
            [`${key}_${dir === 1 ? 'low' : 'high'}`]: extreme,
            bars_beyond: bars,
          },
        }),
      );
    }
    return out;
  },
};
