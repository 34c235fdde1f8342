/**
 * Polygon.io stock aggregates, GET /v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{from}/{to}
 * with an API key (sent as a Bearer token, never in the URL). `from`/`to` accept epoch ms; up to
 * 50,000 rows a call (`limit`), `next_url` when more remain; rows {t ms, o, h, l, c, v, vw, n}.
 * Daily bars start at midnight New York time: they are stored at 00:00 UTC of their trading date.
 */
import { bucketStart, intervalMs, type Interval } from '../../intervals.ts';
import { getJson, Pacer, type RetryPolicy } from './http.ts';
import {
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

export class PolygonProvider implements Provider {
  readonly name = 'polygon' as const;
  readonly assetType = 'stock' as const;
  readonly intervals = Object.keys(SPANS) as Interval[];
  readonly pageSize = 50_000;
  readonly continuous = false;
  private pacer: Pacer;

  constructor(
    private baseUrl: string,
    private policy: RetryPolicy,
    private apiKey: string | undefined,
    minGapMs = 0,
  ) {
    this.pacer = new Pacer(minGapMs);
  }

  async fetchPage(req: PageRequest): Promise<Page> {
    if (!this.apiKey)
      throw new ProviderError(
        this.name,
        'config',
        'no API key: set POLYGON_API_KEY (or TM_POLYGON_API_KEY_FILE to a file holding it)',
      );
    const [mult, span] = SPANS[req.interval] as [number, string];
    const end = windowEnd(req.interval, req.from, this.pageSize, req.to);
    const path = `/v2/aggs/ticker/${encodeURIComponent(req.market)}/range/${mult}/${span}/${req.from}/${end - 1}`;
    await this.pacer.take();
    const r = await getJson(`${this.baseUrl}${path}?adjusted=true&sort=asc&limit=${this.pageSize}`, {
      provider: this.name,
      policy: this.policy,
      headers: { authorization: `Bearer ${this.apiKey}` },
      classify: ({ status, body }) => {
        const b = body as { status?: string; error?: string; message?: string } | undefined;
        if (status === 401 || status === 403)
          return new ProviderError(this.name, 'config', `the API key was refused (${status}): check POLYGON_API_KEY`);
        if (status === 404)
          return new ProviderError(this.name, 'unknown_symbol', `Polygon does not list the ticker "${req.market}"`);
        if (status >= 400 && status < 500 && status !== 429 && (b?.error || b?.message))
          return new ProviderError(this.name, 'rejected', `request refused (${status}): ${b.error ?? b.message}`);
        return undefined;
      },
    });
    const body = r.body as { results?: unknown; next_url?: string; status?: string } | undefined;
    if (!body || typeof body !== 'object')
      throw new ProviderError(this.name, 'malformed', 'aggregates answer is not an object');
    const rows = body.results ?? [];
    if (!Array.isArray(rows)) throw new ProviderError(this.name, 'malformed', 'aggregates "results" is not an array');
    const candles: ProviderCandle[] = rows.map((a: Agg) => ({
      ts: req.interval === '1d' ? bucketStart('1d', Number(a.t)) : Number(a.t),
      open: a.o,
      high: a.h,
      low: a.l,
      close: a.c,
      volume: a.v,
      vwap: a.vw ?? null,
      trades: a.n ?? null,
    }));
    // More rows than one answer holds: the page ends after the last row received.
    const coveredTo =
      body.next_url && candles.length
        ? Math.min(end, Math.max(...candles.map((c) => c.ts)) + intervalMs(req.interval))
        : end;
    return { candles, coveredTo };
  }
}
