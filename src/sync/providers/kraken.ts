/**
 * Kraken, GET /0/public/OHLC (public). Interval in minutes; `since` returns the rows after it, but
 * only the most recent 720 rows exist (older history cannot be fetched here), and the last row is
 * always the current, unfinished candle. Rows are [time s, open, high, low, close, vwap, volume,
 * count] under result[<pair name>]; an interval without trades comes as [t, c, c, c, c, "0.00000", "0.00000000", 0]
 * (vwap 0: stored as no vwap). Errors come as HTTP 200 with {"error": ["EQuery:Unknown asset pair"]};
 * "EService: Throttled: [UNIX timestamp]" names when to ask again. A bar is closed when it is not the last
 * row (Kraken's rule) and its end is a grace period behind Kraken's clock (the Date header).
 * https://docs.kraken.com/api-reference/market-data/get-ohlc-data, https://docs.kraken.com/api/docs/guides/spot-ratelimits
 */
import type { Interval } from '../../intervals.ts';
import { ProviderClock } from './clock.ts';
import { getJson, Pacer, type HttpSettings } from './http.ts';
import {
  checkedCandle,
  closedBefore,
  ProviderError,
  type Page,
  type PageRequest,
  type Provider,
  type ProviderCandle,
} from './provider.ts';

const MINUTES: Partial<Record<Interval, number>> = {
  '1m': 1,
  '5m': 5,
  '15m': 15,
  '30m': 30,
  '1h': 60,
  '4h': 240,
  '1d': 1440,
};
const KEEPS = 720;

export class KrakenProvider implements Provider {
  readonly name = 'kraken' as const;
  readonly assetType = 'crypto' as const;
  // 1w is left out: Kraken's weeks are not the product's Monday-aligned weeks.
  readonly intervals = Object.keys(MINUTES) as Interval[];
  readonly continuous = true;
  readonly clock: ProviderClock;
  private pacer: Pacer;

  constructor(
    private baseUrl: string,
    private http: HttpSettings,
    private graceMs: number,
  ) {
    this.clock = new ProviderClock(http.now);
    this.pacer = new Pacer(1000, http); // public endpoints: about one call a second
  }

  pageBuckets(): number {
    return KEEPS;
  }

  async fetchPage(req: PageRequest): Promise<Page> {
    const q = new URLSearchParams({
      pair: req.market,
      interval: String(MINUTES[req.interval]),
      // Rows strictly after `since`: one second earlier includes the bucket starting at `from`.
      since: String(Math.floor(req.from / 1000) - 1),
    });
    await this.pacer.take();
    const r = await getJson(`${this.baseUrl}/0/public/OHLC?${q}`, {
      provider: this.name,
      http: this.http,
      observe: (h) => this.clock.observeDateHeader(h.get('date')),
      classify: ({ body }) => {
        const errors = (body as { error?: unknown } | undefined)?.error;
        if (!Array.isArray(errors) || errors.length === 0) return undefined;
        const e = errors.map(String).join('; ');
        if (/Unknown asset pair/i.test(e))
          return new ProviderError(this.name, 'unknown_symbol', `Kraken does not list the pair "${req.market}"`);
        // "EService: Throttled: [UNIX timestamp]": the time (Kraken's clock) when a request is accepted again.
        const until = /Throttled:\s*\[?(\d+(?:\.\d+)?)\]?/i.exec(e);
        if (until) return new ProviderError(this.name, 'rate_limited', e, this.clock.toLocal(Number(until[1]) * 1000));
        if (/Too many requests|Rate limit/i.test(e))
          return new ProviderError(this.name, 'rate_limited', e, this.http.now() + 5000);
        if (/EService/i.test(e)) return new ProviderError(this.name, 'server', e);
        return new ProviderError(this.name, 'rejected', e);
      },
    });
    const result = (r.body as { result?: Record<string, unknown> } | undefined)?.result;
    const key = result && Object.keys(result).find((k) => k !== 'last');
    const rows = key ? result[key] : undefined;
    if (!Array.isArray(rows)) throw new ProviderError(this.name, 'malformed', 'the OHLC answer has no result rows');
    const candles: ProviderCandle[] = rows.map((row: unknown, i) => {
      if (!Array.isArray(row) || row.length !== 8)
        throw new ProviderError(
          this.name,
          'malformed',
          `row ${i + 1} of the OHLC answer is not an array of 8: ${JSON.stringify(row).slice(0, 200)}`,
        );
      const trades = Number(row[7]);
      return checkedCandle(this.name, 'OHLC', i, row, {
        ts: Number(row[0]) * 1000,
        open: row[1],
        high: row[2],
        low: row[3],
        close: row[4],
        // No trades in the interval: Kraken sends vwap 0 (outside [low, high]); there is no average price.
        vwap: trades === 0 ? null : row[5],
        volume: row[6],
        trades,
      });
    });
    // Kraken's rule: the last row is the current, not-yet-committed bar, whatever `since` asked for.
    const lastRow = candles.length ? Math.max(...candles.map((c) => c.ts)) : Number.POSITIVE_INFINITY;
    const finalTo = Math.min(lastRow, closedBefore(req.interval, this.clock.now(), this.graceMs));
    // A full answer means older rows were cut off: nothing before the first one can be had.
    const historyStart = candles.length >= KEEPS ? Math.min(...candles.map((c) => c.ts)) : undefined;
    return { candles, coveredTo: req.to, historyStart, finalTo };
  }
}
