/**
 * Other symbols overlaid on the chart (`compare=MSFT,ETH-USD`): each one's candles of the same interval
 * over the chart's window, drawn as a labelled line on the price pane. While comparing, the price scale
 * is in percent from the first visible bar, each line from its own first visible value. A line keeps
 * only the times the chart's own bars have, so the time scale (and every bar index) stays the chart's.
 */
import { type ISeriesApi, LineSeries, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../hooks.ts';
import { candleSpan } from './candles.ts';
import { COMPARE_COLORS, INTERVAL_SECONDS } from './catalog.ts';
import type { Bar } from './types.ts';
import type { ChartView } from './view.ts';

export interface CompareLine {
  symbol: string;
  color: string;
  /** Closes at the chart's bar times (null until loaded). */
  bars: Bar[] | null;
  error: string | null;
}

export function useCompare(p: {
  view: ChartView | null;
  symbols: string[];
  interval: string;
  range: { from: number; to: number } | null;
  version: number;
  bars: Bar[];
}): CompareLine[] {
  const { view, symbols, interval, range, version, bars } = p;
  const [loaded, setLoaded] = useState<Map<string, { bars: Bar[] | null; error: string | null }>>(new Map());
  const key = symbols.join(',');
  useEffect(() => {
    if (!range || symbols.length === 0) return;
    let live = true;
    const step = INTERVAL_SECONDS[interval];
    Promise.allSettled(symbols.map((s) => candleSpan(s, interval, step, range.from, range.to))).then((results) => {
      if (!live) return;
      const next = new Map<string, { bars: Bar[] | null; error: string | null }>();
      results.forEach((r, i) => {
        next.set(
          symbols[i],
          r.status === 'fulfilled' ? { bars: r.value, error: null } : { bars: null, error: errorText(r.reason) },
        );
      });
      setLoaded(next);
    });
    return () => {
      live = false;
    };
  }, [key, interval, range?.from, range?.to, version]);
  useEffect(() => setLoaded(new Map()), [interval]);

  // Only the times the chart has: another market's extra hours would add points to the time scale.
  const lines: CompareLine[] = symbols.map((symbol, i) => {
    const got = loaded.get(symbol);
    const times = new Set(bars.map((b) => b.time));
    return {
      symbol,
      color: COMPARE_COLORS[i % COMPARE_COLORS.length],
      bars: got?.bars ? got.bars.filter((b) => times.has(b.time)) : null,
      error: got?.error ?? null,
    };
  });

  const series = useRef<ISeriesApi<'Line'>[]>([]);
  const drawnKey = lines.map((l) => `${l.symbol}:${l.bars?.length ?? '-'}:${l.bars?.at(-1)?.close ?? ''}`).join(',');
  useEffect(() => {
    if (!view) return;
    for (const s of series.current) view.chart.removeSeries(s);
    series.current = [];
    for (const l of lines) {
      if (!l.bars?.length) continue;
      const s = view.chart.addSeries(
        LineSeries,
        { color: l.color, lineWidth: 2, title: l.symbol, priceLineVisible: false, lastValueVisible: true },
        0,
      );
      s.setData(l.bars.map((b) => ({ time: b.time as UTCTimestamp, value: b.close })));
      series.current.push(s);
    }
  }, [view, drawnKey]);
  useEffect(
    () => () => {
      // The chart may be gone already (the page closed): its series went with it.
      series.current = [];
    },
    [],
  );
  return lines;
}
