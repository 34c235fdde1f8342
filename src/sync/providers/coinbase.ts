/**
 * Coinbase Exchange, GET /products/{product_id}/candles (public). Granularity in seconds, one of
 * 60, 300, 900, 3600, 21600, 86400; at most 300 candles a request (a larger range is refused);
 * rows are [time s, low, high, open, close, volume], newest first; no candle for a period without
 * trades. An unknown product is 404 {"message": "NotFound"}. Public rate: 10 requests a second.
 * Coinbase documents no closing rule: a bar counts as closed once its end is a grace period behind
 * Coinbase's clock (the Date header of its answers).
 */
import { intervalMs, type Interval } from '../../intervals.ts';
import { ProviderClock } from './clock.ts';
import { getJson, Pacer, type HttpSettings } from './http.ts';
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

export class CoinbaseProvider implements Provider {
  readonly name = 'coinbase' as const;
  readonly assetType = 'crypto' as const;
  readonly intervals: readonly Interval[] = ['1m', '5m', '15m', '1h', '1d'];
  readonly continuous = true;
  readonly clock: ProviderClock;
  private pacer: Pacer;

  constructor(
    private baseUrl: string,
    private http: HttpSettings,
    private graceMs: number,
  ) {
    this.clock = new ProviderClock(http.now);
    this.pacer = new Pacer(100, http);
  }

  pageBuckets(): number {
    return 300;
  }

  async fetchPage(req: PageRequest): Promise<Page> {
    const len = intervalMs(req.interval);
    const end = windowEnd(req.interval, req.from, 300, req.to);
    const q = new URLSearchParams({
      granularity: String(len / 1000),
      start: new Date(req.from).toISOString(),
      // Inclusive: the start of the last bucket wanted, so the range is at most 300 candles.
      end: new Date(end - len).toISOString(),
    });
    await this.pacer.take();
    const r = await getJson(`${this.baseUrl}/products/${encodeURIComponent(req.market)}/candles?${q}`, {
      provider: this.name,
      http: this.http,
      observe: (h) => this.clock.observeDateHeader(h.get('date')),
      classify: ({ status, body }) => {
        const msg = (body as { message?: string } | undefined)?.message;
        if (status === 404 || msg === 'NotFound')
          return new ProviderError(this.name, 'unknown_symbol', `Coinbase does not list the product "${req.market}"`);
        if (status >= 400 && status < 500 && status !== 429 && msg)
          return new ProviderError(this.name, 'rejected', `request refused (${status}): ${msg}`);
        return undefined;
      },
    });
    if (!Array.isArray(r.body)) throw new ProviderError(this.name, 'malformed', 'the candles answer is not an array');
    const candles: ProviderCandle[] = r.body.map((row: unknown, i) => {
      if (!Array.isArray(row) || row.length !== 6)
        throw new ProviderError(
          this.name,
          'malformed',
          `row ${i + 1} of the candles answer is not [time, low, high, open, close, volume]: ${JSON.stringify(row).slice(0, 200)}`,
        );
      return checkedCandle(this.name, 'candles', i, row, {
        ts: Number(row[0]) * 1000,
        low: row[1],
        high: row[2],
        open: row[3],
        close: row[4],
        volume: row[5],
      });
    });
    return { candles, coveredTo: end, finalTo: closedBefore(req.interval, this.clock.now(), this.graceMs) };
  }
}
