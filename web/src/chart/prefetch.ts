/**
 * A chart opened by its URL asks for its first page of candles and its indicators while the app is still
 * starting (before the session is restored and the page rendered), and the Layout page for its chunk. The
 * page's own requests are the same paths and take these answers (api.ts `prefetchParts`): GET /api/chart
 * answers the candles and the indicators together, from one read of the candles (the embedded server
 * answers one query at a time, so three reads of the same candles cost three times as long).
 */
import { prefetchParts, qs } from '../api.ts';
import { firstWindow, candlePath } from './candles.ts';
import { INTERVAL_SECONDS } from './catalog.ts';
import { indicatorPath } from './use-indicators.ts';
import { readState } from './url-state.ts';

interface ChartAnswer {
  candles: unknown;
  indicators: (object | { error: string })[];
}

/** `signedIn`: a session may be restored, so the indicator choice (kept per user) is not known yet. */
export function prefetchChart(pathname: string, search: string, signedIn: boolean): void {
  const m = /^\/chart\/([^/]+)$/.exec(pathname);
  if (pathname === '/layout') void import('../pages/Layout.tsx');
  if (m) {
    const symbol = decodeURIComponent(m[1]);
    const state = readState(search, undefined);
    const step = INTERVAL_SECONDS[state.interval];
    const w = firstWindow(step);
    const known = !signedIn || new URLSearchParams(search).has('indicators');
    const indicators = known ? state.indicators : [];
    const candles = candlePath(symbol, state.interval, w.from, w.to);
    // One request: the server reads the candles once for the page and every indicator.
    prefetchParts(
      candles.replace('/api/candles?', '/api/chart?') +
        `&${qs({ indicators: JSON.stringify(indicators.map((i) => ({ type: i.type, params: i.params }))) })}`,
      [
        { path: candles, pick: (a) => (a as ChartAnswer).candles },
        ...indicators.map((ind, i) => ({
          path: indicatorPath(symbol, state.interval, ind, w),
          pick: (a: unknown) => {
            const part = (a as ChartAnswer).indicators[i];
            return part && !('error' in part) ? part : undefined;
          },
        })),
      ],
    );
  }
}
