/** The chart's candles from the API: pages of a time window, and a changed range merged into loaded bars. */
import { get, qs } from '../api.ts';
import type { Bar } from './view.ts';

export interface CandleRow {
  ts: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}
export interface CandlePage {
  asset: { id: string; symbol: string };
  candles: CandleRow[];
  /** Set by a simulated demo feed (when the API says so). */
  simulated?: boolean;
}

/** Bars per page: the first page and each older page fetched on scroll-back. */
export const PAGE = 5000;

export const toBar = (c: CandleRow): Bar => ({
  time: Math.floor(Date.parse(c.ts) / 1000),
  open: Number(c.open),
  high: Number(c.high),
  low: Number(c.low),
  close: Number(c.close),
  volume: Number(c.volume),
});
const iso = (sec: number) => new Date(sec * 1000).toISOString();

/** The first page's window: PAGE bars ending with the bucket that holds now, epoch seconds. */
export function firstWindow(step: number, nowMs = Date.now()): { from: number; to: number } {
  const to = Math.floor(nowMs / 1000 / step) * step + step;
  return { from: to - PAGE * step, to };
}

export function candlePath(symbol: string, interval: string, fromSec: number, toSec: number, limit = 10_000): string {
  return `/api/candles?${qs({ symbol, interval, from: iso(fromSec), to: iso(toSec), limit })}`;
}

/** Candles whose bucket starts in [fromSec, toSec). */
export function candlePage(
  symbol: string,
  interval: string,
  fromSec: number,
  toSec: number,
  limit = 10_000,
): Promise<CandlePage> {
  return get<CandlePage>(candlePath(symbol, interval, fromSec, toSec, limit));
}

/** Every bar in [fromSec, toSec), fetched a page-sized window at a time (each under the API's limit). */
export async function candleSpan(
  symbol: string,
  interval: string,
  step: number,
  fromSec: number,
  toSec: number,
): Promise<Bar[]> {
  const out: Bar[] = [];
  for (let from = fromSec; from < toSec; from += PAGE * step) {
    const page = await candlePage(symbol, interval, from, Math.min(toSec, from + PAGE * step));
    for (const c of page.candles) out.push(toBar(c));
  }
  return out;
}

/** The loaded bars with everything at or after `fromSec` replaced by `fresh` (which starts there). */
export function mergeFrom(bars: Bar[], fromSec: number, fresh: Bar[]): Bar[] {
  let keep = bars.length;
  while (keep > 0 && bars[keep - 1].time >= fromSec) keep--;
  return keep === bars.length && fresh.length === 0 ? bars : [...bars.slice(0, keep), ...fresh];
}
