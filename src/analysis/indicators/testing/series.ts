// Deterministic OHLCV series for tests and benchmarks: a seeded PRNG
// (mulberry32) drives a geometric random walk with valid candles.
import { gaussian, mulberry32 } from '../../../random.ts';

export interface OhlcvSeries {
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

export interface SeriesOptions {
  /** PRNG seed (default 42). */
  seed?: number;
  /** First open (default 100). */
  start?: number;
  /** Per-bar log-return standard deviation (default 0.01). */
  volatility?: number;
  /** Probability that a bar opens with a gap of 5-15 % (default 0). */
  gapProbability?: number;
  /** Probability that a bar has zero volume (default 0). */
  zeroVolumeProbability?: number;
  /** First timestamp, epoch ms (default 2024-01-01T00:00:00Z). */
  startTs?: number;
  /** Bar spacing in ms (default one minute). */
  stepMs?: number;
}

/**
 * A geometric random walk of `bars` candles: open = previous close (or a gap
 * away from it), close = open * exp(N(0, volatility)), high/low stretched past
 * max/min(open, close), volume positive (or sometimes zero when asked).
 */
export function generateSeries(bars: number, options: SeriesOptions = {}): OhlcvSeries {
  const rand = mulberry32(options.seed ?? 42);
  const vol = options.volatility ?? 0.01;
  const gapP = options.gapProbability ?? 0;
  const zeroVolP = options.zeroVolumeProbability ?? 0;
  const t0 = options.startTs ?? Date.UTC(2024, 0, 1);
  const step = options.stepMs ?? 60_000;
  const ts = new Float64Array(bars);
  const open = new Float64Array(bars);
  const high = new Float64Array(bars);
  const low = new Float64Array(bars);
  const close = new Float64Array(bars);
  const volume = new Float64Array(bars);
  let prev = options.start ?? 100;
  for (let i = 0; i < bars; i++) {
    let o = prev;
    if (gapP > 0 && rand() < gapP) {
      const size = 0.05 + 0.1 * rand();
      o = rand() < 0.5 ? o * (1 + size) : o * (1 - size);
    }
    const c = o * Math.exp(vol * gaussian(rand));
    const top = Math.max(o, c);
    const bottom = Math.min(o, c);
    ts[i] = t0 + i * step;
    open[i] = o;
    close[i] = c;
    high[i] = top * (1 + vol * 0.5 * rand());
    low[i] = bottom * (1 - vol * 0.5 * rand());
    volume[i] = zeroVolP > 0 && rand() < zeroVolP ? 0 : Math.round(1000 + 9000 * rand());
    prev = c;
  }
  return { ts, open, high, low, close, volume };
}

/** A series whose every bar is the same price (open = high = low = close). */
export function constantSeries(bars: number, price: number, volume = 1000): OhlcvSeries {
  const series = generateSeries(bars);
  series.open.fill(price);
  series.high.fill(price);
  series.low.fill(price);
  series.close.fill(price);
  series.volume.fill(volume);
  return series;
}
