/**
 * A chart opened by its URL asks for its chunk (lightweight-charts), then its first page of candles and its
 * indicators, while the app is still starting (before the session is restored and the page rendered). The
 * chunk goes first: the embedded server answers one query at a time and serves files only between them,
 * so a chunk asked after the data would wait for all of it; it is compiled while the server works. The
 * page's own requests are the same paths and take these answers (api.ts `prefetch`).
 */
import { prefetch } from '../api.ts';
import { firstWindow, candlePath } from './candles.ts';
import { INTERVAL_SECONDS } from './catalog.ts';
import { indicatorPath } from './use-indicators.ts';
import { readState } from './url-state.ts';

/** `signedIn`: a session may be restored, so the indicator choice (kept per user) is not known yet. */
export function prefetchChart(pathname: string, search: string, signedIn: boolean): void {
  const m = /^\/chart\/([^/]+)$/.exec(pathname);
  if (m || pathname === '/layout') void import('./view.ts');
  if (pathname === '/layout') void import('../pages/Layout.tsx');
  if (m) {
    const symbol = decodeURIComponent(m[1]);
    const state = readState(search, undefined);
    const step = INTERVAL_SECONDS[state.interval];
    const w = firstWindow(step);
    prefetch(candlePath(symbol, state.interval, w.from, w.to));
    if (!signedIn || new URLSearchParams(search).has('indicators'))
      for (const ind of state.indicators) prefetch(indicatorPath(symbol, state.interval, ind, w));
  }
}
