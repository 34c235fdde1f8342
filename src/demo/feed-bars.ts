/**
 * The simulated feed's bars: a random walk of 1m bars continuing from an asset's last close, and the
 * coarser bars that contain them (the bar already stored for a bucket merged with the new minutes).
 * Pure and deterministic in (seed, asset, minute), so a catch-up after a restart draws the same minutes.
 */
import { gaussian, mulberry32 } from '../random.ts';
import { bucketStart, type Interval } from '../intervals.ts';
import type { SyntheticBar } from '../ohlcv.ts';

export type FeedBar = SyntheticBar;

const MINUTE = 60_000;
/** Standard deviation of a minute's log return: visible on a chart within minutes, as a demo should be. */
const MINUTE_SIGMA = 0.0015;

/** 1m bars for every minute in [from, to) (both on minute boundaries), continuing from `lastClose`. */
export function walkMinutes(
  seed: number,
  asset: number,
  from: number,
  to: number,
  lastClose: number,
  volumePerMinute: number,
): FeedBar[] {
  const out: FeedBar[] = [];
  let price = lastClose;
  for (let ts = from; ts < to; ts += MINUTE) {
    const rand = mulberry32(seed * 7919 + asset * 104729 + Math.floor(ts / MINUTE));
    const open = price;
    const close = open * Math.exp(MINUTE_SIGMA * gaussian(rand));
    const round = (v: number) => Math.round(v * 10_000) / 10_000;
    const [o, c] = [round(open), round(close)];
    const wiggle = MINUTE_SIGMA * 0.5;
    const volume = Math.max(1, Math.round(volumePerMinute * Math.exp(0.5 * gaussian(rand))));
    out.push({
      ts,
      open: o,
      high: Math.max(round(Math.max(open, close) * (1 + Math.abs(gaussian(rand)) * wiggle)), o, c),
      low: Math.min(round(Math.min(open, close) * (1 - Math.abs(gaussian(rand)) * wiggle)), o, c),
      close: c,
      volume,
      trades: Math.max(1, Math.round(volume / 120)),
    });
    price = c;
  }
  return out;
}

/**
 * The bars of `interval` holding these minutes (in time order): each bucket's stored bar, when there is
 * one, extended by the minutes after it; otherwise a new bar of the minutes alone.
 */
export function rollUp(minutes: FeedBar[], interval: Interval, stored: Map<number, FeedBar>): FeedBar[] {
  const out = new Map<number, FeedBar>();
  for (const m of minutes) {
    const b = bucketStart(interval, m.ts);
    const cur = out.get(b) ?? (stored.has(b) ? { ...(stored.get(b) as FeedBar) } : undefined);
    if (!cur) {
      out.set(b, { ...m, ts: b });
      continue;
    }
    cur.high = Math.max(cur.high, m.high);
    cur.low = Math.min(cur.low, m.low);
    cur.close = m.close;
    cur.volume += m.volume;
    cur.trades += m.trades;
    out.set(b, cur);
  }
  return [...out.values()];
}
