// Test helpers: candle series built from a list of closes, and fake strategies with preset candidates.
import type { CandleSeries, SignalCandidate, SignalType, Strategy } from '../types.ts';

/**
 * Valid candles around the given closes: open = previous close, high/low a
 * `wick` beyond max/min(open, close), one-minute bars from 2024-01-01.
 */
export function candlesFromCloses(
  closes: readonly number[],
  options: { wick?: number; volume?: number | readonly number[] } = {},
): CandleSeries {
  const n = closes.length;
  const wick = options.wick ?? 0.2;
  const series: CandleSeries = {
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: Float64Array.from(closes),
    volume: new Float64Array(n),
  };
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    const c = closes[i];
    const o = i > 0 ? closes[i - 1] : c;
    series.ts[i] = t0 + i * 60_000;
    series.open[i] = o;
    series.high[i] = Math.max(o, c) + wick;
    series.low[i] = Math.min(o, c) - wick;
    const v = options.volume;
    series.volume[i] = v === undefined ? 1000 : typeof v === 'number' ? v : v[i];
  }
  return series;
}

/** Closes moving by `step` per bar for `bars` bars, starting after `from`. */
export function ramp(from: number, step: number, bars: number): number[] {
  return Array.from({ length: bars }, (_, i) => from + step * (i + 1));
}

/** A strategy returning preset candidates (for composite and backtest tests). */
export function fakeStrategy(
  name: string,
  signals: readonly { index: number; type: SignalType; strength?: number; confidence?: number }[],
): Strategy {
  return {
    name,
    description: 'preset signals',
    defaults: {},
    parseParams: () => ({}),
    warmup: () => 0,
    generate(series, _params, opts) {
      const from = opts?.fromIndex ?? 0;
      return signals
        .filter((s) => s.index >= from && s.index < series.close.length)
        .map(
          (s): SignalCandidate => ({
            index: s.index,
            ts: series.ts[s.index],
            signalType: s.type,
            strength: s.strength ?? 0.5,
            confidence: s.confidence ?? 0.5,
            price: series.close[s.index],
            targetPrice: null,
            stopLoss: null,
            rationale: `${name} preset ${s.type}`,
            indicatorsUsed: { preset: 1 },
            strategy: name,
          }),
        );
    },
  };
}

/** Asserts the common invariants of candidates; returns them for chaining. */
export function checkInvariants(
  candidates: readonly SignalCandidate[],
  series: CandleSeries,
): readonly SignalCandidate[] {
  let prev = -1;
  for (const c of candidates) {
    if (!(c.index > prev)) throw new Error(`candidates out of order at index ${c.index}`);
    prev = c.index;
    if (!(c.strength >= 0 && c.strength <= 1)) throw new Error(`strength ${c.strength} outside [0, 1] at ${c.index}`);
    if (!(c.confidence >= 0 && c.confidence <= 1))
      throw new Error(`confidence ${c.confidence} outside [0, 1] at ${c.index}`);
    if (c.ts !== series.ts[c.index]) throw new Error(`ts mismatch at ${c.index}`);
    if (c.price !== series.close[c.index]) throw new Error(`price is not the close at ${c.index}`);
    if (c.rationale.length === 0) throw new Error(`empty rationale at ${c.index}`);
  }
  return candidates;
}
