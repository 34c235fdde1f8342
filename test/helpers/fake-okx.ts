/**
 * A local HTTP server answering like OKX's public REST API v5, in its documented formats, for ccxt's
 * okx class pointed at it (TM_CCXT_OKX_URL):
 * - GET /api/v5/public/instruments?instType=SPOT: {"code":"0","msg":"","data":[{instId, instType,
 *   baseCcy, quoteCcy, state, tickSz, lotSz, minSz, ...}]}
 *   https://www.okx.com/docs-v5/en/#public-data-rest-api-get-instruments
 * - GET /api/v5/market/candles and /market/history-candles?instId&bar&after&before&limit: rows newest
 *   first, [ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm] as strings, confirm "0" for the bar still
 *   forming; `after` = older than this ts, `before` = newer than this ts; limit at most 300.
 *   https://www.okx.com/docs-v5/en/#order-book-trading-market-data-get-candlesticks
 * - Errors: HTTP 429 {"code":"50011","msg":"Too Many Requests"}; an unknown instId {"code":"51001",
 *   "msg":"Instrument ID does not exist"}. https://www.okx.com/docs-v5/en/#error-code-rest-api-public
 * Other paths (instrument lists of other types) answer an empty list.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bucketStart, nextBucket, type Interval } from '../../src/intervals.ts';
import { fakeCandle, type FakeMarket, type Scripted } from './fake-markets.ts';

/** OKX's bar names (hours and longer are upper case; ccxt adds "utc" from 6H on). */
const BARS: Record<string, Interval> = {
  '1m': '1m',
  '5m': '5m',
  '15m': '15m',
  '30m': '30m',
  '1H': '1h',
  '4H': '4h',
  '1Dutc': '1d',
  '1Wutc': '1w',
  '1Mutc': '1M',
};

export interface FakeOkx {
  url: string;
  /** By OKX instrument id (BTC-USDT). */
  markets: Map<string, FakeMarket>;
  requests: { path: string; query: URLSearchParams }[];
  script: Scripted[];
  now: () => number;
  close(): Promise<void>;
}

export const okxAnswers = {
  tooManyRequests: (retryAfterS?: number): Scripted => ({
    status: 429,
    headers: retryAfterS !== undefined ? { 'retry-after': String(retryAfterS) } : {},
    body: JSON.stringify({ code: '50011', msg: 'Too Many Requests' }),
  }),
};

export async function startFakeOkx(): Promise<FakeOkx> {
  const state: Omit<FakeOkx, 'url' | 'close'> = {
    markets: new Map(),
    requests: [],
    script: [],
    now: () => Date.now(),
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const q = u.searchParams;
    state.requests.push({ path: u.pathname, query: q });
    const now = state.now();
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', date: new Date(now).toUTCString(), ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const ok = (data: unknown[]) => send(200, { code: '0', msg: '', data });
    if (u.pathname === '/api/v5/public/instruments') {
      if (q.get('instType') !== 'SPOT') return ok([]);
      return ok(
        [...state.markets.keys()].map((instId) => ({
          instType: 'SPOT',
          instId,
          baseCcy: instId.split('-')[0],
          quoteCcy: instId.split('-')[1],
          state: 'live',
          tickSz: '0.0001',
          lotSz: '0.00000001',
          minSz: '0.00001',
          listTime: '1548133413000',
        })),
      );
    }
    if (u.pathname !== '/api/v5/market/candles' && u.pathname !== '/api/v5/market/history-candles') return ok([]);
    const scripted = state.script.shift();
    if (scripted) return send(scripted.status, scripted.body, scripted.headers);
    const m = state.markets.get(q.get('instId') ?? '');
    if (!m) return send(200, { code: '51001', msg: 'Instrument ID does not exist', data: [] });
    const interval = BARS[q.get('bar') ?? '1m'];
    if (!interval) return send(200, { code: '51000', msg: 'Parameter bar error', data: [] });
    const limit = Math.min(Number(q.get('limit') ?? 100), 300);
    const after = q.has('after') ? Number(q.get('after')) : Number.POSITIVE_INFINITY;
    const before = q.has('before') ? Number(q.get('before')) : Number.NEGATIVE_INFINITY;
    const open = bucketStart(interval, now);
    const rows: string[][] = [];
    // Newest first: from the bar before `after` (or the one forming now) back, `limit` rows.
    const newest = Math.min(open, bucketStart(interval, Math.min(after - 1, open)));
    const ts: number[] = [];
    for (let t = Math.max(m.listedFrom, bucketStart(interval, Math.max(before + 1, m.listedFrom))); t <= newest; ) {
      ts.push(t);
      t = nextBucket(interval, t);
    }
    for (const t of ts.reverse()) {
      if (rows.length >= limit) break;
      if (t <= before || t >= after || m.missing?.(t)) continue;
      const c = fakeCandle(interval, t);
      const f = (v: number) => String(v);
      rows.push([
        String(t),
        f(c.open),
        f(c.high),
        f(c.low),
        f(c.close),
        f(c.volume),
        f(c.volume * c.close),
        f(c.volume * c.close),
        t === open ? '0' : '1',
      ]);
    }
    return ok(rows);
  });
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  }) as FakeOkx;
}
