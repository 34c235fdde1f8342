/**
 * A local HTTP server answering like Binance (klines), Coinbase Exchange (candles), Kraken (OHLC)
 * and Polygon (aggregates), in the formats their documentation gives, over deterministic candles.
 * Tests script failures (status, headers, raw body) for the next requests, remove buckets (no
 * trades), shuffle or duplicate rows, and see every request.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bucketStart, intervalMs, nextBucket, type Interval } from '../../src/intervals.ts';
import { ProviderError } from '../../src/sync/providers/provider.ts';

export interface FakeMarket {
  /** First bucket listed (epoch ms). */
  listedFrom: number;
  /** Buckets without trades: no candle. */
  missing?: (ts: number) => boolean;
  /**
   * Buckets without trades that Kraken still lists, as [t, c, c, c, c, "0.00000", "0.00000000", 0]
   * (the previous close, vwap and volume 0): https://docs.kraken.com/api-reference/market-data/get-ohlc-data
   * and Kraken's support note on OHLC rows for intervals without trades.
   */
  zeroTrades?: (ts: number) => boolean;
  /**
   * A stock split (Polygon): once the provider's clock reaches `at`, `adjusted=true` answers divide the
   * prices of bars before `at` by `ratio` (and multiply volume); `adjusted=false` answers stay as traded.
   * https://polygon.io/docs/rest/stocks/aggregates/custom-bars (query parameter `adjusted`)
   */
  split?: { at: number; ratio: number };
}

export interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body: string;
  /** Sends the headers, then one space every this many ms and never ends (a stalled provider). */
  trickleMs?: number;
}

/**
 * Documented provider answers the normal path does not produce, for `script`. Each names where the
 * behaviour is documented.
 */
export const answers = {
  /**
   * Binance's firewall: "HTTP 403 return code is used when the WAF Limit (Web Application Firewall) has
   * been violated." https://developers.binance.com/docs/binance-spot-api-docs/rest-api/limits
   */
  binanceWaf: (): Scripted => ({ status: 403, body: '<html><body>403 Forbidden</body></html>' }),
  /**
   * Kraken's rate limit names the time to come back: "EService: Throttled: [UNIX timestamp]", as HTTP 200
   * with an error list. https://docs.kraken.com/api/docs/guides/spot-ratelimits
   */
  krakenThrottled: (unixSeconds: number): Scripted => ({
    status: 200,
    body: JSON.stringify({ error: [`EService: Throttled: ${unixSeconds}`] }),
  }),
  /**
   * Polygon, data the plan does not include: 403 {"status":"NOT_AUTHORIZED","message":"You are not
   * entitled to this data. Please upgrade your plan at https://polygon.io/pricing"}.
   * https://polygon.io/docs/rest/quickstart (errors) and the plan comparison at https://polygon.io/pricing
   */
  polygonNotAuthorized: (): Scripted => ({
    status: 403,
    body: JSON.stringify({
      status: 'NOT_AUTHORIZED',
      request_id: 'r403',
      message: 'You are not entitled to this data. Please upgrade your plan at https://polygon.io/pricing',
    }),
  }),
  /**
   * Polygon's empty-but-OK answer: status OK, resultsCount 0 and no `results` at all; seen transiently
   * for liquid tickers and normal on delayed or end-of-day plans before the data is published.
   * https://polygon.io/docs/rest/stocks/aggregates/custom-bars (response attributes: results is optional)
   */
  polygonEmpty: (ticker: string): Scripted => ({
    status: 200,
    body: JSON.stringify({ ticker, queryCount: 0, resultsCount: 0, adjusted: true, status: 'OK', request_id: 'r0' }),
  }),
};

export interface SeenRequest {
  provider: 'binance' | 'coinbase' | 'kraken' | 'polygon';
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

export interface FakeMarkets {
  url: string;
  markets: Map<string, FakeMarket>;
  requests: SeenRequest[];
  /** Answers for the next requests, in order, before the normal ones. */
  script: Scripted[];
  /** The clock the server's "current unfinished candle" follows. */
  now: () => number;
  /** Reverse (or shuffle) row order and repeat rows, like a misbehaving proxy. */
  disorder: boolean;
  polygonKey: string;
  /** The base aggregates Polygon reads at most whatever `limit` asks (to make it page by next_url). */
  polygonMaxLimit: number;
  onRequest?: (r: SeenRequest) => void;
  close(): Promise<void>;
}

/** Deterministic OHLCV for a bucket. */
export function fakeCandle(interval: Interval, ts: number) {
  const price = (t: number) => 100 + 10 * Math.sin(t / 3_600_000);
  const open = Number(price(ts).toFixed(4));
  const close = Number(price(nextBucket(interval, ts)).toFixed(4));
  return {
    ts,
    open,
    high: Number((Math.max(open, close) + 0.5).toFixed(4)),
    low: Number((Math.min(open, close) - 0.5).toFixed(4)),
    close,
    volume: 1 + ((ts / 60_000) % 100),
    trades: 10 + ((ts / 60_000) % 7),
  };
}

/** Buckets with a candle in [from, to] (inclusive bounds on bucket starts), up to the open one at `now`. */
function candles(m: FakeMarket, interval: Interval, from: number, to: number, now: number) {
  const out: ReturnType<typeof fakeCandle>[] = [];
  const last = Math.min(to, bucketStart(interval, now));
  for (let t = Math.max(bucketStart(interval, from), m.listedFrom); t <= last; t = nextBucket(interval, t)) {
    if (t < from) continue;
    if (!m.missing?.(t)) out.push(fakeCandle(interval, t));
  }
  return out;
}

const KRAKEN_MIN: Record<string, Interval> = {
  1: '1m',
  5: '5m',
  15: '15m',
  30: '30m',
  60: '1h',
  240: '4h',
  1440: '1d',
};
const CB_SECONDS: Record<string, Interval> = { 60: '1m', 300: '5m', 900: '15m', 3600: '1h', 86400: '1d' };
const POLY: Record<string, Interval> = {
  '1/minute': '1m',
  '5/minute': '5m',
  '15/minute': '15m',
  '30/minute': '30m',
  '1/hour': '1h',
  '1/day': '1d',
};

export async function startFakeMarkets(): Promise<FakeMarkets> {
  const state: Omit<FakeMarkets, 'url' | 'close'> = {
    markets: new Map(),
    requests: [],
    script: [],
    now: () => Date.now(),
    disorder: false,
    polygonKey: 'test-key',
    polygonMaxLimit: 50_000,
  };
  const order = <T>(rows: T[]): T[] => (state.disorder ? [...rows].reverse().concat(rows.slice(0, 2)) : rows);

  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const provider = u.pathname.startsWith('/api/v3/')
      ? 'binance'
      : u.pathname.startsWith('/products/')
        ? 'coinbase'
        : u.pathname.startsWith('/0/public/')
          ? 'kraken'
          : 'polygon';
    const seen: SeenRequest = { provider, path: u.pathname, query: u.searchParams, headers: req.headers };
    state.requests.push(seen);
    state.onRequest?.(seen);
    const now = state.now();
    // Every provider's clock shows in its Date header (RFC 9110: whole seconds).
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', date: new Date(now).toUTCString(), ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const scripted = state.script.shift();
    if (scripted?.trickleMs) {
      res.writeHead(scripted.status, { 'content-type': 'application/json', ...scripted.headers });
      const timer = setInterval(() => res.write(' '), scripted.trickleMs);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (scripted) return send(scripted.status, scripted.body, scripted.headers);
    const q = u.searchParams;
    // https://developers.binance.com/docs/binance-spot-api-docs/rest-api/general-endpoints: {"serverTime": ms}
    if (u.pathname === '/api/v3/time') return send(200, { serverTime: now });
    if (provider === 'binance') {
      const m = state.markets.get(q.get('symbol') ?? '');
      if (!m) return send(400, { code: -1121, msg: 'Invalid symbol.' });
      const interval = q.get('interval') as Interval;
      const limit = Math.min(Number(q.get('limit') ?? 500), 1000);
      const rows = candles(m, interval, Number(q.get('startTime')), Number(q.get('endTime') ?? now), now).slice(
        0,
        limit,
      );
      return send(
        200,
        order(
          rows.map((c) => [
            c.ts,
            c.open.toFixed(8),
            c.high.toFixed(8),
            c.low.toFixed(8),
            c.close.toFixed(8),
            c.volume.toFixed(8),
            c.ts + intervalMs(interval) - 1,
            (c.volume * c.close).toFixed(8),
            c.trades,
            '0.0',
            '0.0',
            '0',
          ]),
        ),
        { 'x-mbx-used-weight-1m': '2' },
      );
    }
    if (provider === 'coinbase') {
      const id = decodeURIComponent(u.pathname.split('/')[2] ?? '');
      const m = state.markets.get(id);
      if (!m) return send(404, { message: 'NotFound' });
      const interval = CB_SECONDS[q.get('granularity') ?? ''];
      if (!interval) return send(400, { message: 'Unsupported granularity' });
      const from = Date.parse(q.get('start') ?? '');
      const to = Date.parse(q.get('end') ?? '');
      if ((to - from) / intervalMs(interval) + 1 > 300)
        return send(400, {
          message: 'granularity too small for the requested time range. Count of aggregations requested exceeds 300',
        });
      const rows = candles(m, interval, from, to, now).reverse(); // newest first
      return send(200, order(rows.map((c) => [c.ts / 1000, c.low, c.high, c.open, c.close, c.volume])));
    }
    if (provider === 'kraken') {
      const pair = q.get('pair') ?? '';
      const m = state.markets.get(pair);
      if (!m) return send(200, { error: ['EQuery:Unknown asset pair'] });
      const interval = KRAKEN_MIN[q.get('interval') ?? '1'];
      const len = intervalMs(interval);
      const open = bucketStart(interval, now);
      const oldest = open - 719 * len; // the latest 720 rows, the open one included
      const since = Number(q.get('since') ?? 0) * 1000;
      const rows = candles(m, interval, Math.max(oldest, since + 1), open, now);
      const name = `X${pair.slice(0, 3)}Z${pair.slice(3)}`;
      return send(200, {
        error: [],
        result: {
          [name]: order(
            rows.map((c) =>
              m.zeroTrades?.(c.ts)
                ? [c.ts / 1000, ...Array(4).fill(c.open.toFixed(5)), '0.00000', '0.00000000', 0]
                : [
                    c.ts / 1000,
                    c.open.toFixed(5),
                    c.high.toFixed(5),
                    c.low.toFixed(5),
                    c.close.toFixed(5),
                    ((c.open + c.close) / 2).toFixed(5),
                    c.volume.toFixed(8),
                    c.trades,
                  ],
            ),
          ),
          last: (open - len) / 1000,
        },
      });
    }
    // Polygon: /v2/aggs/ticker/{T}/range/{m}/{span}/{from}/{to}
    if (req.headers.authorization !== `Bearer ${state.polygonKey}`)
      return send(401, { status: 'ERROR', request_id: 'x', error: 'Unknown API Key' });
    const parts = u.pathname.split('/');
    const [ticker, mult, span, from, to] = [parts[4], parts[6], parts[7], Number(parts[8]), Number(parts[9])];
    const m = state.markets.get(decodeURIComponent(ticker));
    const interval = POLY[`${mult}/${span}`];
    // `limit` caps the BASE aggregates read (minutes for minute and hour bars, days for daily bars), not
    // the bars returned; the rest of the range comes by next_url.
    // https://massive.com/knowledge-base/article/what-is-the-function-of-the-limit-parameter-in-massives-aggregate-endpoint
    const limit = Math.min(Number(q.get('limit') ?? 5000), state.polygonMaxLimit);
    const base = span === 'day' ? 86_400_000 : 60_000;
    const readTo = Math.min(to, from + limit * base - 1);
    const rows = m && interval ? candles(m, interval, from, readTo, now) : [];
    // Daily bars start at midnight New York time (05:00 UTC in winter).
    const shift = interval === '1d' ? 5 * 3_600_000 : 0;
    const adjusted = q.get('adjusted') !== 'false';
    const split = m?.split;
    const factor = (ts: number) => (adjusted && split && now >= split.at && ts < split.at ? split.ratio : 1);
    return send(200, {
      ticker,
      queryCount: rows.length,
      resultsCount: rows.length,
      adjusted,
      status: 'OK',
      request_id: 'r1',
      results: rows.map((c) => ({
        t: c.ts + shift,
        o: c.open / factor(c.ts),
        h: c.high / factor(c.ts),
        l: c.low / factor(c.ts),
        c: c.close / factor(c.ts),
        v: c.volume * factor(c.ts),
        vw: c.close / factor(c.ts),
        n: c.trades,
      })),
      // The real next_url carries a cursor on Polygon's host; this one names the rest of the range.
      ...(readTo < to
        ? { next_url: `https://api.polygon.io${u.pathname.replace(/\/\d+\/\d+$/, `/${readTo + 1}/${to}`)}?${q}` }
        : {}),
    });
  });
  // Idle connections stay open longer than a slow test step: a socket the server closes just as fetch
  // reuses it would fail a request with ECONNRESET.
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
  }) as FakeMarkets;
}

/** Points every native provider at the stand-in, with fast retries; `extra` adds or (with undefined) removes keys. */
export function fakeProviderEnv(fake: FakeMarkets, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {
    TM_BINANCE_URL: fake.url,
    TM_COINBASE_URL: fake.url,
    TM_KRAKEN_URL: fake.url,
    TM_POLYGON_URL: fake.url,
    POLYGON_API_KEY: fake.polygonKey,
    TM_SYNC_RETRY_BASE_MS: '5',
    TM_SYNC_RETRIES: '3',
    TM_POLYGON_MIN_GAP_MS: '0',
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
}

/** The stand-in as a test starts it: no requests seen, nothing scripted, rows in order, `now` as given. */
export function resetFakeMarkets(fake: FakeMarkets, now: () => number = () => Date.now()): void {
  fake.requests.length = 0;
  fake.script.length = 0;
  fake.disorder = false;
  fake.onRequest = undefined;
  fake.polygonMaxLimit = 50_000;
  fake.now = now;
}

/** Exactly one market per native provider (BTCUSDT, BTC-USD, XBTUSD, AAPL), each listed from `from`. */
export function listOneMarketEach(fake: FakeMarkets, from: number): void {
  fake.markets.clear();
  for (const m of ['BTCUSDT', 'BTC-USD', 'XBTUSD', 'AAPL']) fake.markets.set(m, { listedFrom: from });
}

/** The ProviderError `p` rejects with (fails the test when it resolves or rejects with anything else). */
export async function providerRejection(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected a ProviderError, got ${err}`);
    return err;
  }
  assert.fail('expected a rejection');
}
