/**
 * Indicator series over the chart's window, fetched again when the choice, the window or the candles
 * (a live change: `version`) change. The whole window is fetched again rather than the part from the
 * first changed bar, so recursive indicators (EMA, RSI, MACD) start from the same warm-up as a reload
 * and match it to the last digit.
 */
import { useEffect, useState } from 'preact/hooks';
import { get, qs } from '../api.ts';
import { errorText } from '../hooks.ts';
import { type ActiveIndicator, INTERVAL_SECONDS } from './catalog.ts';
import { formatIndicators } from './url-state.ts';
import type { SeriesData } from './view.ts';

export type IndicatorData = { ind: ActiveIndicator; data: SeriesData }[];

/** The server computes at most this many bars a request: after a long scroll-back, the newest of them. */
const MAX_BARS = 20_000;
const iso = (sec: number) => new Date(sec * 1000).toISOString();

/** The request for one indicator over a window (its newest MAX_BARS bars at most). */
export function indicatorPath(
  symbol: string,
  interval: string,
  ind: ActiveIndicator,
  range: { from: number; to: number },
): string {
  const to = range.to;
  const from = Math.max(range.from, to - MAX_BARS * INTERVAL_SECONDS[interval]);
  return `/api/indicators/series?${qs({ symbol, interval, type: ind.type, params: JSON.stringify(ind.params), from: iso(from), to: iso(to) })}`;
}

export function useIndicators(p: {
  symbol: string;
  interval: string;
  indicators: ActiveIndicator[];
  range: { from: number; to: number } | null;
  version: number;
}): { data: IndicatorData | null; errors: Map<number, string> } {
  const { symbol, interval, indicators, range, version } = p;
  const [data, setData] = useState<IndicatorData | null>(null);
  // Per indicator: one refused (or failed) indicator leaves the others drawn and updating.
  const [errors, setErrors] = useState<Map<number, string>>(new Map());
  // Another series: nothing of the previous one may stay on the time scale.
  useEffect(() => setData(null), [symbol, interval]);
  useEffect(() => {
    if (!range) return;
    let live = true;
    Promise.allSettled(indicators.map((ind) => get<SeriesData>(indicatorPath(symbol, interval, ind, range)))).then(
      (results) => {
        if (!live) return;
        const ok: IndicatorData = [];
        const failed = new Map<number, string>();
        results.forEach((r, i) => {
          if (r.status === 'fulfilled') ok.push({ ind: indicators[i], data: r.value });
          else failed.set(indicators[i].id, errorText(r.reason));
        });
        setErrors(failed);
        setData(ok);
      },
    );
    return () => {
      live = false;
    };
  }, [formatIndicators(indicators), range?.from, range?.to, version, interval, symbol]);
  return { data, errors };
}

/** The indicators with no defined value at all (a period longer than the bars loaded). */
export function emptyIndicators(data: IndicatorData | null): Set<number> {
  const out = new Set<number>();
  for (const { ind, data: d } of data ?? [])
    if (d.ts.length > 0 && d.values.every((vals) => vals.every((v) => v === null))) out.add(ind.id);
  return out;
}

/** The last defined value of the first indicator's first output (what a test compares with a reload). */
export function lastIndicatorValue(data: IndicatorData | null): number | null {
  const vals = data?.[0]?.data.values[0];
  if (!vals) return null;
  for (let i = vals.length - 1; i >= 0; i--) if (vals[i] !== null) return vals[i];
  return null;
}
