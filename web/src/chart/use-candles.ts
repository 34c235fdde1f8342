/**
 * The chart's bars of one symbol and interval: the newest page first, older pages on scroll-back, and
 * live changes (new bars, batches, corrections, deletions) refetched from the API for the changed range
 * and merged in, so what is drawn is what a reload would draw.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, qs } from '../api.ts';
import { errorText } from '../hooks.ts';
import { feeds, onCandlesChanged } from '../live.ts';
import { type CandleRow, candlePage, candleSpan, firstWindow, mergeFrom, PAGE, toBar } from './candles.ts';
import { INTERVAL_SECONDS } from './catalog.ts';
import type { Bar } from './view.ts';

/** How the bars last changed: the view fits the newest bars after a first page and keeps its place otherwise. */
export type BarsChange = 'first' | 'older' | 'live';

export interface Candles {
  bars: Bar[];
  change: BarsChange;
  assetId: string | null;
  simulated: boolean;
  loading: boolean;
  older: 'idle' | 'loading' | 'done';
  error: string | null;
  /** The time window covered (indicators are computed for it), epoch seconds. */
  range: { from: number; to: number } | null;
  /** Bumped by every live change: indicators reload. */
  version: number;
  loadOlder: () => Promise<void>;
}

export function useCandles(symbol: string, interval: string): Candles {
  const [bars, setBars] = useState<{ bars: Bar[]; change: BarsChange }>({ bars: [], change: 'first' });
  const [assetId, setAssetId] = useState<string | null>(null);
  const [simulated, setSimulated] = useState(false);
  const [loading, setLoading] = useState(true);
  const [older, setOlder] = useState<'idle' | 'loading' | 'done'>('idle');
  const [error, setError] = useState<string | null>(null);
  const [range, setRange] = useState<{ from: number; to: number } | null>(null);
  const [version, setVersion] = useState(0);
  // What async work reads: the current bars and series, so a late answer for another series is dropped.
  const s = useRef({
    bars: [] as Bar[],
    range,
    loadingOlder: false,
    exhausted: false,
    /** The series' oldest bar time once asked (infinity: nothing before the first loaded bar). */
    oldest: null as number | null,
    key: '',
    chain: Promise.resolve(),
  });
  const key = `${symbol} ${interval}`;
  s.current.key = key;
  const step = INTERVAL_SECONDS[interval];

  const show = (next: Bar[], change: BarsChange) => {
    s.current.bars = next;
    setBars({ bars: next, change });
  };
  const widen = (from: number, to: number) => {
    const r = s.current.range;
    const next = r ? { from: Math.min(r.from, from), to: Math.max(r.to, to) } : { from, to };
    if (!r || next.from !== r.from || next.to !== r.to) {
      s.current.range = next;
      setRange(next);
    }
  };

  // First page: the newest bars of the interval.
  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    setOlder('idle');
    setAssetId(null);
    s.current.exhausted = false;
    s.current.oldest = null;
    s.current.range = null;
    show([], 'first');
    (async () => {
      // The window ending now is asked at once (indicators for it in parallel); only when it is empty
      // is the series' last bar looked up, for data that ends in the past.
      let to = firstWindow(step).to;
      widen(to - PAGE * step, to);
      let page = await candlePage(symbol, interval, to - PAGE * step, to);
      if (page.candles.length === 0) {
        const latest = await get<{ items: CandleRow[] }>(
          `/api/queries/latest-candles?${qs({ symbol, interval, limit: 1 })}`,
        );
        if (latest.items.length) {
          to = Math.floor(Date.parse(latest.items[0].ts) / 1000) + step;
          if (!live) return;
          s.current.range = null;
          widen(to - PAGE * step, to);
          page = await candlePage(symbol, interval, to - PAGE * step, to);
        }
      }
      if (!live) return;
      setAssetId(page.asset.id);
      setSimulated(page.simulated === true);
      show(page.candles.map(toBar), 'first');
    })()
      .catch((err: unknown) => live && setError(errorText(err)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [symbol, interval]);

  // Scrolled back to the oldest bar: fetch the page before it. When that window is empty, the series'
  // oldest bar is asked once (a one-row page from 1970): at the start of the history that settles it
  // with one request, and past a long gap it bounds the windows that follow.
  const loadOlder = async (): Promise<void> => {
    const c = s.current;
    if (c.loadingOlder || c.exhausted || c.bars.length === 0) return;
    const mine = c.key;
    c.loadingOlder = true;
    setOlder('loading');
    try {
      let to = c.bars[0].time;
      while (c.oldest === null || to > c.oldest) {
        const from = Math.max(c.oldest ?? 0, to - PAGE * step);
        const page = await candlePage(symbol, interval, from, to);
        if (c.key !== mine) return;
        if (page.candles.length) {
          const first = c.bars[0].time;
          show([...page.candles.map(toBar).filter((b) => b.time < first), ...c.bars], 'older');
          widen(from, to);
          c.exhausted = c.oldest !== null && c.bars[0].time <= c.oldest;
          setOlder(c.exhausted ? 'done' : 'idle');
          return;
        }
        if (c.oldest === null && from <= 0) c.oldest = Number.POSITIVE_INFINITY;
        if (c.oldest === null) {
          const probe = await candlePage(symbol, interval, 0, from, 1);
          if (c.key !== mine) return;
          c.oldest = probe.candles.length ? toBar(probe.candles[0]).time : Number.POSITIVE_INFINITY;
        }
        to = from;
      }
      c.exhausted = true;
      setOlder('done');
    } catch (err) {
      setError(errorText(err));
      setOlder('idle');
    } finally {
      c.loadingOlder = false;
    }
  };

  // Live: the changed range (from a bucket before its first write, so the bucket holding it is whole)
  // to past the newest bar is fetched again and replaces what was loaded there; one refetch at a time.
  useEffect(() => {
    if (!assetId) return;
    const mine = key;
    const refetch = async (span: { from: number; to: number }) => {
      const c = s.current;
      const loaded = c.bars;
      const last = loaded.length ? loaded[loaded.length - 1].time : 0;
      let from = Math.floor(span.from / 1000) - step;
      if (loaded.length) from = Math.max(from, loaded[0].time);
      else if (c.range) from = Math.max(from, c.range.from);
      const to = Math.max(c.range?.to ?? 0, Math.floor(span.to / 1000) + 2 * step, last + 2 * step);
      const fresh = await candleSpan(symbol, interval, step, from, to);
      if (c.key !== mine) return;
      show(mergeFrom(c.bars, from, fresh), 'live');
      widen(from, to);
      setVersion((v) => v + 1);
    };
    return onCandlesChanged(
      (e) => e.asset_id === assetId && feeds(e.interval, interval),
      (span) => {
        s.current.chain = s.current.chain.then(() => refetch(span)).catch((err: unknown) => setError(errorText(err)));
      },
    );
  }, [assetId, key]);

  return { ...bars, assetId, simulated, loading, older, error, range, version, loadOlder };
}
