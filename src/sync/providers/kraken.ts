/**
 * Kraken, GET /0/public/OHLC (public). Interval in minutes; `since` returns the rows after it, but
 * only the most recent 720 rows exist (older history cannot be fetched here), and the last row is
 * always the current, unfinished candle. Rows are [time s, open, high, low, close, vwap, volume,
 * count] under result[<pair name>]. Errors come as HTTP 200 with {"error": ["EQuery:Unknown asset pair"]}.
 */
import type { Interval } from '../../intervals.ts';
import { getJson, Pacer, type RetryPolicy } from './http.ts';
import { ProviderError, type Page, type PageRequest, type Provider, type ProviderCandle } from './provider.ts';

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
  readonly pageSize = KEEPS;
  readonly continuous = true;
  private pacer = new Pacer(1000); // public endpoints: about one call a second

  constructor(
    private baseUrl: string,
    private policy: RetryPolicy,
  ) {}

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
      policy: this.policy,
      classify: ({ body }) => {
        const errors = (body as { error?: unknown } | undefined)?.error;
        if (!Array.isArray(errors) || errors.length === 0) return undefined;
        const e = errors.map(String).join('; ');
        if (/Unknown asset pair/i.test(e))
          return new ProviderError(this.name, 'unknown_symbol', `Kraken does not list the pair "${req.market}"`);
        if (/Too many requests|Rate limit/i.test(e))
          return new ProviderError(this.name, 'rate_limited', e, Date.now() + 5000);
        if (/EService/i.test(e)) return new ProviderError(this.name, 'server', e);
        return new ProviderError(this.name, 'rejected', e);
      },
    });
    const result = (r.body as { result?: Record<string, unknown> } | undefined)?.result;
    const key = result && Object.keys(result).find((k) => k !== 'last');
    const rows = key ? result[key] : undefined;
    if (!Array.isArray(rows)) throw new ProviderError(this.name, 'malformed', 'OHLC answer has no result rows');
    const candles: ProviderCandle[] = rows.map((row: unknown) => {
      if (!Array.isArray(row) || row.length < 8)
        throw new ProviderError(this.name, 'malformed', 'an OHLC row is not an array of 8');
      return {
        ts: Number(row[0]) * 1000,
        open: row[1],
        high: row[2],
        low: row[3],
        close: row[4],
        vwap: row[5],
        volume: row[6],
        trades: Number(row[7]),
      };
    });
    // A full answer means older rows were cut off: nothing before the first one can be had.
    const historyStart = candles.length >= KEEPS ? Math.min(...candles.map((c) => c.ts)) : undefined;
    return { candles, coveredTo: req.to, historyStart };
  }
}
