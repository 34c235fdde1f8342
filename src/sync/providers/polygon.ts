/**
 * Polygon.io stock aggregates, GET /v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{from}/{to}
 * with an API key (sent as a Bearer token, never in the URL); rows {t ms, o, h, l, c, v, vw, n}.
 * `limit` (at most 50,000) caps the BASE aggregates read to build the answer, not the bars returned:
 * minute and hour bars are built from minutes, so one call covers at most 50,000 minutes (~35 days),
 * whatever the interval; more is announced by `next_url`, which is followed, never skipped
 * (https://massive.com/knowledge-base/article/what-is-the-function-of-the-limit-parameter-in-massives-aggregate-endpoint).
 * Daily bars are built in US Eastern time and include after-hours trading until 20:00 ET: one is closed
 * at 20:00 ET of its day plus the plan's delay and a grace, on Polygon's clock (the Date header); it is
 * stored at 00:00 UTC of its trading date. The free plan allows 5 calls a minute (default gap 12 s).
 * A 403 NOT_AUTHORIZED is a plan limit (data the plan does not include), not a refused key (401).
 * Bars are asked for unadjusted (`adjusted=false`), so stored history and new bars share one basis.
 */
import { bucketStart, type Interval } from '../../intervals.ts';
import { ProviderClock } from './clock.ts';
import { getJson, Pacer, type HttpSettings, type JsonResponse } from './http.ts';
import {
  checkedCandle,
  closedBefore,
  ProviderError,
  windowEnd,
  type Page,
  type PageRequest,
  type Provider,
  type ProviderCandle,
} from './provider.ts';

const SPANS: Partial<Record<Interval, [number, string]>> = {
  '1m': [1, 'minute'],
  '5m': [5, 'minute'],
  '15m': [15, 'minute'],
  '30m': [30, 'minute'],
  '1h': [1, 'hour'],
  '1d': [1, 'day'],
};
/** Base aggregates one call may read (`limit`'s maximum). */
const BASE_LIMIT = 50_000;
/** next_url hops one page may follow before it is taken for a loop. */
const MAX_HOPS = 20;

interface Agg {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  vw?: number;
  n?: number;
}

export interface PolygonOptions {
  apiKey: string | undefined;
  /** Minimum gap between calls (the plan's rate: 12 s for the free plan's 5 calls a minute). */
  minGapMs: number;
  /** How late the plan's data is (15 min for delayed plans, 0 for real-time). */
  delayMs: number;
  graceMs: number;
}

/** 20:00 in New York on the calendar day of `dayUtc` (00:00 UTC of a trading date), as epoch ms. */
export function sessionEnd(dayUtc: number): number {
  const guess = dayUtc + 20 * 3_600_000 + 5 * 3_600_000; // 20:00 EST; EDT is an hour earlier
  const hourThere = Number(
    new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23' }).format(guess),
  );
  return guess - (hourThere - 20) * 3_600_000;
}

/** The first daily bar (00:00 UTC of its date) whose session has not ended by `now` (Polygon's clock). */
export function dailyFinalTo(now: number): number {
  let day = bucketStart('1d', now) - 86_400_000;
  while (sessionEnd(day) <= now) day += 86_400_000;
  return day;
}

export class PolygonProvider implements Provider {
  readonly name = 'polygon' as const;
  readonly assetType = 'stock' as const;
  readonly intervals = Object.keys(SPANS) as Interval[];
  readonly continuous = false;
  readonly clock: ProviderClock;
  private pacer: Pacer;

  constructor(
    private baseUrl: string,
    private http: HttpSettings,
    private opts: PolygonOptions,
  ) {
    this.clock = new ProviderClock(http.now);
    this.pacer = new Pacer(opts.minGapMs, http);
  }

  /** Buckets one call covers: 50,000 base aggregates (minutes for minute and hour bars, days for daily). */
  pageBuckets(interval: Interval): number {
    const [mult, span] = SPANS[interval] ?? [1, 'minute'];
    if (span === 'day') return BASE_LIMIT;
    return Math.floor(BASE_LIMIT / (span === 'hour' ? 60 * mult : mult));
  }

  private async get(url: string, market: string): Promise<JsonResponse> {
    await this.pacer.take();
    const key = this.opts.apiKey as string;
    return getJson(url, {
      provider: this.name,
      http: this.http,
      headers: { authorization: `Bearer ${key}` },
      secrets: [key],
      observe: (h) => this.clock.observeDateHeader(h.get('date')),
      classify: ({ status, body }) => {
        const b = body as { status?: string; error?: string; message?: string } | undefined;
        const said = b?.message ?? b?.error ?? '';
        if (status === 401)
          return new ProviderError(this.name, 'config', `the API key was refused (401): check POLYGON_API_KEY`);
        // 403 NOT_AUTHORIZED: "You are not entitled to this data. Please upgrade your plan" (a plan limit).
        if (status === 403)
          return new ProviderError(
            this.name,
            'plan_limit',
            `your Polygon plan does not include this data (403 ${b?.status ?? ''}): ${said}`,
          );
        if (status === 404)
          return new ProviderError(this.name, 'unknown_symbol', `Polygon does not list the ticker "${market}"`);
        if (status >= 400 && status < 500 && status !== 429 && said)
          return new ProviderError(this.name, 'rejected', `request refused (${status}): ${said}`);
        return undefined;
      },
    });
  }

  /** The path and query of a next_url, on our base URL (a proxy or a test server stands in for Polygon's host). */
  private follow(nextUrl: string): string {
    const u = new URL(nextUrl);
    return `${this.baseUrl}${u.pathname}${u.search}`;
  }

  private rows(r: JsonResponse, offset: number): { candles: ProviderCandle[]; next?: string } {
    const body = r.body as { results?: unknown; next_url?: unknown } | undefined;
    if (!body || typeof body !== 'object')
      throw new ProviderError(this.name, 'malformed', 'the aggregates answer is not an object');
    const rows = body.results ?? [];
    if (!Array.isArray(rows)) throw new ProviderError(this.name, 'malformed', 'aggregates "results" is not an array');
    const candles = rows.map((a: Agg, i) =>
      checkedCandle(this.name, 'aggregates', offset + i, a, {
        ts: Number(a?.t),
        open: a?.o,
        high: a?.h,
        low: a?.l,
        close: a?.c,
        volume: a?.v,
        vwap: a?.vw ?? null,
        trades: a?.n ?? null,
      }),
    );
    return { candles, next: typeof body.next_url === 'string' && body.next_url ? body.next_url : undefined };
  }

  async fetchPage(req: PageRequest): Promise<Page> {
    if (!this.opts.apiKey)
      throw new ProviderError(
        this.name,
        'config',
        'no API key: set POLYGON_API_KEY (or TM_POLYGON_API_KEY_FILE to a file holding it)',
      );
    const [mult, span] = SPANS[req.interval] as [number, string];
    const end = windowEnd(req.interval, req.from, this.pageBuckets(req.interval), req.to);
    const path = `/v2/aggs/ticker/${encodeURIComponent(req.market)}/range/${mult}/${span}/${req.from}/${end - 1}`;
    // Unadjusted, as traded: split-adjusted answers change every earlier bar at each split, while stored
    // history is never fetched again, so old and new bars would end up on different bases.
    let url: string | undefined = `${this.baseUrl}${path}?adjusted=false&sort=asc&limit=${BASE_LIMIT}`;
    const candles: ProviderCandle[] = [];
    for (let hop = 0; url; hop++) {
      if (hop > MAX_HOPS)
        throw new ProviderError(
          this.name,
          'malformed',
          `next_url was followed ${MAX_HOPS} times without reaching the end`,
        );
      const got = this.rows(await this.get(url, req.market), candles.length);
      candles.push(...got.candles);
      const next = got.next && this.follow(got.next);
      // A next_url back to the same answer would loop: fail rather than skip the rest.
      if (next === url) throw new ProviderError(this.name, 'malformed', 'next_url points back to the same answer');
      url = next;
    }
    for (const c of candles) if (req.interval === '1d') c.ts = bucketStart('1d', c.ts);
    const now = this.clock.now() - this.opts.delayMs - this.opts.graceMs;
    const finalTo = req.interval === '1d' ? dailyFinalTo(now) : closedBefore(req.interval, now, 0);
    return { candles, coveredTo: end, finalTo };
  }
}
