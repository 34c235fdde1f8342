/**
 * Binance spot klines, GET /api/v3/klines (public, no key; by default on data-api.binance.vision, the
 * host Binance keeps for public market data). At most 1000 rows a call, oldest first; each row is
 * exactly 12 fields: [open time ms, open, high, low, close, volume, close time ms, quote volume, trades,
 * taker buy base volume, taker buy quote volume, ignore]. A bar is closed once Binance's own clock
 * (GET /api/v3/time) has passed its close time, plus a grace. Request weight is reported in
 * X-MBX-USED-WEIGHT-1M against a per-minute budget; 429 carries Retry-After, and ignoring it earns a
 * 418 ban; 403 is the web application firewall's limit. An unknown symbol is 400 with code -1121.
 */
import type { Interval } from '../../intervals.ts';
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

const WEIGHT_BUDGET = 6000; // request weight per minute per IP (published limit)
const ROW_FIELDS = 12;
/** How long Binance's clock offset is trusted before it is read again. */
const CLOCK_TTL_MS = 10 * 60_000;
/** The WAF's 403 names no time: stay away this long. */
const WAF_PAUSE_MS = 2 * 60_000;

export class BinanceProvider implements Provider {
  readonly name = 'binance' as const;
  readonly assetType = 'crypto' as const;
  readonly intervals: readonly Interval[] = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w', '1M'];
  readonly continuous = true;
  readonly clock: ProviderClock;
  private pacer: Pacer;

  constructor(
    private baseUrl: string,
    private http: HttpSettings,
    private graceMs: number,
  ) {
    this.clock = new ProviderClock(http.now);
    this.pacer = new Pacer(0, http);
  }

  private get(path: string) {
    return getJson(`${this.baseUrl}${path}`, {
      provider: this.name,
      http: this.http,
      observe: (h) => {
        // Near the budget: wait for the next minute rather than collect a 429.
        const used = Number(h.get('x-mbx-used-weight-1m'));
        if (used >= WEIGHT_BUDGET * 0.9) this.pacer.holdUntil(Math.ceil((this.http.now() + 1) / 60_000) * 60_000);
      },
      classify: ({ status, body }) => {
        const b = body as { code?: number; msg?: string } | undefined;
        if (status === 400 && b?.code === -1121)
          return new ProviderError(this.name, 'unknown_symbol', 'unknown symbol');
        // https://developers.binance.com/docs/binance-spot-api-docs/rest-api/limits: "HTTP 403 return code is
        // used when the WAF Limit (Web Application Firewall) has been violated."
        if (status === 403)
          return new ProviderError(
            this.name,
            'rate_limited',
            `403: Binance's web application firewall limit was hit; pausing ${WAF_PAUSE_MS / 60_000} min`,
            this.http.now() + WAF_PAUSE_MS,
          );
        if (status >= 400 && status < 500 && status !== 429 && status !== 418 && b?.msg)
          return new ProviderError(this.name, 'rejected', `request refused (${status}, code ${b.code}): ${b.msg}`);
        return undefined;
      },
    });
  }

  /** Binance's time, read from /api/v3/time when the last reading is older than CLOCK_TTL_MS. */
  private async serverNow(): Promise<number> {
    const at = this.clock.lastMeasured;
    if (at === undefined || this.http.now() - at > CLOCK_TTL_MS) {
      await this.pacer.take();
      const r = await this.get('/api/v3/time');
      const t = (r.body as { serverTime?: unknown } | undefined)?.serverTime;
      if (typeof t !== 'number' || !Number.isFinite(t))
        throw new ProviderError(this.name, 'malformed', '/api/v3/time answered no serverTime');
      this.clock.observe(t);
    }
    return this.clock.now();
  }

  pageBuckets(): number {
    return 1000;
  }

  async fetchPage(req: PageRequest): Promise<Page> {
    const end = windowEnd(req.interval, req.from, 1000, req.to);
    const q = new URLSearchParams({
      symbol: req.market,
      interval: req.interval,
      startTime: String(req.from),
      endTime: String(end - 1),
      limit: String(1000),
    });
    const now = await this.serverNow();
    await this.pacer.take();
    let r: Awaited<ReturnType<BinanceProvider['get']>>;
    try {
      r = await this.get(`/api/v3/klines?${q}`);
    } catch (err) {
      if (err instanceof ProviderError && err.kind === 'unknown_symbol')
        throw new ProviderError(this.name, 'unknown_symbol', `Binance does not list the symbol "${req.market}"`);
      throw err;
    }
    if (!Array.isArray(r.body)) throw new ProviderError(this.name, 'malformed', 'the klines answer is not an array');
    let finalTo = closedBefore(req.interval, now, this.graceMs);
    const candles: ProviderCandle[] = r.body.map((row: unknown, i) => {
      if (!Array.isArray(row) || row.length !== ROW_FIELDS)
        throw new ProviderError(
          this.name,
          'malformed',
          `row ${i + 1} of the klines answer is not an array of exactly ${ROW_FIELDS} fields: ${JSON.stringify(row).slice(0, 200)}`,
        );
      const c = checkedCandle(this.name, 'klines', i, row, {
        ts: Number(row[0]),
        open: row[1],
        high: row[2],
        low: row[3],
        close: row[4],
        volume: row[5],
        trades: Number(row[8]),
      });
      // Binance's own rule: the bar is open until its close time has passed on Binance's clock.
      if (!(Number(row[6]) + this.graceMs < now)) finalTo = Math.min(finalTo, c.ts);
      return c;
    });
    return { candles, coveredTo: end, finalTo };
  }
}
