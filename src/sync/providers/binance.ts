/**
 * Binance spot klines, GET /api/v3/klines (public, no key). At most 1000 rows a call, oldest
 * first; each row is [open time ms, open, high, low, close, volume, close time, quote volume,
 * trades, ...]. Request weight is reported in X-MBX-USED-WEIGHT-1M against a per-minute budget;
 * 429 carries Retry-After, and ignoring it earns a 418 ban. An unknown symbol is 400 with code -1121.
 */
import type { Interval } from '../../intervals.ts';
import { getJson, Pacer, type RetryPolicy } from './http.ts';
import {
  ProviderError,
  windowEnd,
  type Page,
  type PageRequest,
  type Provider,
  type ProviderCandle,
} from './provider.ts';

const WEIGHT_BUDGET = 6000; // request weight per minute per IP (published limit)

export class BinanceProvider implements Provider {
  readonly name = 'binance' as const;
  readonly assetType = 'crypto' as const;
  readonly intervals: readonly Interval[] = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w', '1M'];
  readonly pageSize = 1000;
  readonly continuous = true;
  private pacer = new Pacer(0);

  constructor(
    private baseUrl: string,
    private policy: RetryPolicy,
  ) {}

  async fetchPage(req: PageRequest): Promise<Page> {
    const end = windowEnd(req.interval, req.from, this.pageSize, req.to);
    const q = new URLSearchParams({
      symbol: req.market,
      interval: req.interval,
      startTime: String(req.from),
      endTime: String(end - 1),
      limit: String(this.pageSize),
    });
    await this.pacer.take();
    const r = await getJson(`${this.baseUrl}/api/v3/klines?${q}`, {
      provider: this.name,
      policy: this.policy,
      observe: (h) => {
        // Near the budget: wait for the next minute rather than collect a 429.
        const used = Number(h.get('x-mbx-used-weight-1m'));
        if (used >= WEIGHT_BUDGET * 0.9) this.pacer.holdUntil(Math.ceil((Date.now() + 1) / 60_000) * 60_000);
      },
      classify: ({ status, body }) => {
        const b = body as { code?: number; msg?: string } | undefined;
        if (status === 400 && b?.code === -1121)
          return new ProviderError(this.name, 'unknown_symbol', `Binance does not list the symbol "${req.market}"`);
        if (status >= 400 && status < 500 && status !== 429 && status !== 418 && b?.msg)
          return new ProviderError(this.name, 'rejected', `request refused (${status}, code ${b.code}): ${b.msg}`);
        return undefined;
      },
    });
    if (!Array.isArray(r.body)) throw new ProviderError(this.name, 'malformed', 'klines answer is not an array');
    const candles: ProviderCandle[] = r.body.map((row: unknown) => {
      if (!Array.isArray(row) || row.length < 9)
        throw new ProviderError(this.name, 'malformed', 'a kline row is not an array of 12');
      return {
        ts: Number(row[0]),
        open: row[1],
        high: row[2],
        low: row[3],
        close: row[4],
        volume: row[5],
        trades: Number(row[8]),
      };
    });
    return { candles, coveredTo: end };
  }
}
