/**
 * Any exchange ccxt knows (the long tail beyond the native providers), through its unified fetchOHLCV:
 * ccxt's own rate limiting (enableRateLimit), timeframes, market symbols (BTC/USDT) and error classes.
 * ccxt is large: it is imported only when a ccxt source is linked or synced (`ready`).
 *
 * Paging: each request asks for `limit` bars from `since` (the exchange's documented maximum, from
 * ccxt's `features`). A window without any bar is covered whole (a gap, or before the listing); a
 * window answered with fewer bars than asked is covered only up to its last bar, so an exchange that
 * caps a page below what ccxt says never leaves false gaps (the next request starts after that bar).
 *
 * Closing rule: ccxt gives no "closed" flag, so a bar counts as final once the next bar has begun on
 * the exchange's clock (its Date header) plus a grace (default 30 s).
 */
import type { Exchange } from 'ccxt';
import { UserError } from '../../errors.ts';
import { bucketStart, INTERVALS, nextBucket, type Interval } from '../../intervals.ts';
import { ProviderClock } from './clock.ts';
import { backoffMs, retryAfterMs, type HttpSettings } from './http.ts';
import {
  checkedCandle,
  closedBefore,
  ProviderError,
  windowEnd,
  type Page,
  type PageRequest,
  type Provider,
  type ProviderCandle,
  type ProviderName,
} from './provider.ts';

type Ccxt = typeof import('ccxt');

/** Bars a request when ccxt's `features` names no limit for the exchange. */
const DEFAULT_LIMIT = 100;
/** How long the exchange's market list is kept before it is loaded again (new listings appear without a restart). */
const MARKETS_TTL_MS = 60 * 60_000;
/** A Retry-After longer than this is not waited for in place (as for the native providers). */
const MAX_INLINE_WAIT_MS = 60_000;

export interface CcxtSettings {
  /** Replaces the scheme and host of every API URL of the exchange (tests, proxies, our compat endpoint). */
  baseUrl?: string;
  /** Extra constructor settings for the exchange class (headers, options), JSON from the environment. */
  config?: Record<string, unknown>;
  graceMs: number;
}

/** `ccxt:okx` → `okx`. */
export function ccxtId(name: ProviderName): string {
  return name.slice('ccxt:'.length);
}

/** Every string in the (nested) URL map with its `https://host` part replaced by `base`. */
export function rebase(urls: unknown, base: string): unknown {
  if (typeof urls === 'string') return urls.replace(/^[a-z]+:\/\/[^/]+/i, base);
  if (urls && typeof urls === 'object')
    return Object.fromEntries(Object.entries(urls).map(([k, v]) => [k, rebase(v, base)]));
  return urls;
}

/** Keys of an exchange's settings whose values are secrets (never shown in an error). */
const SECRET_KEYS = ['apiKey', 'secret', 'password', 'uid', 'token', 'privateKey', 'walletAddress'];

/** The secret values of the exchange's settings: credentials and every header value (a bearer token). */
export function secretsOf(config: Record<string, unknown> | undefined): string[] {
  if (!config) return [];
  const out: string[] = [];
  for (const k of SECRET_KEYS) if (typeof config[k] === 'string') out.push(config[k] as string);
  const headers = config.headers;
  if (headers && typeof headers === 'object')
    for (const v of Object.values(headers))
      if (typeof v === 'string') out.push(v, v.replace(/^(Bearer|Basic)\s+/i, ''));
  return out;
}

export class CcxtProvider implements Provider {
  readonly assetType = 'crypto' as const;
  readonly continuous = true;
  /** Until `ready`, every product interval (the exchange's own timeframes replace them then). */
  intervals: readonly Interval[] = INTERVALS;
  readonly clock: ProviderClock;
  private loading?: Promise<{ ccxt: Ccxt; ex: Exchange }>;
  private limit = DEFAULT_LIMIT;
  private marketsAt: number | undefined;

  constructor(
    readonly name: ProviderName,
    private http: HttpSettings,
    private settings: CcxtSettings,
  ) {
    this.clock = new ProviderClock(http.now);
  }

  /** Loads ccxt and builds the exchange (no request yet); an id ccxt does not know is the user's error. */
  async ready(): Promise<void> {
    await this.load();
  }

  private load() {
    this.loading ??= this.build();
    // A failed load (say an unknown exchange) is not kept: the next call tries again.
    this.loading.catch(() => (this.loading = undefined));
    return this.loading;
  }

  private async build(): Promise<{ ccxt: Ccxt; ex: Exchange }> {
    const ccxt = await import('ccxt');
    const id = ccxtId(this.name);
    const Cls = (ccxt.exchanges as Record<string, (new (c?: object) => Exchange) | undefined>)[id];
    if (typeof Cls !== 'function')
      throw new UserError(`ccxt has no exchange "${id}" (see https://docs.ccxt.com/#/Exchange-Markets)`);
    const ex = new Cls({ enableRateLimit: true, timeout: this.http.timeoutMs, ...this.settings.config });
    if (!ex.has.fetchOHLCV) throw new UserError(`ccxt's ${id} class cannot fetch candles (it has no fetchOHLCV)`);
    if (this.settings.baseUrl) ex.urls.api = rebase(ex.urls.api, this.settings.baseUrl) as Exchange['urls']['api'];
    const timeframes = Object.keys(ex.timeframes ?? {});
    this.intervals = INTERVALS.filter((i) => timeframes.includes(i));
    const features = ex.features as { spot?: { fetchOHLCV?: { limit?: unknown } } } | undefined;
    const limit = Number(features?.spot?.fetchOHLCV?.limit);
    if (Number.isSafeInteger(limit) && limit > 0) this.limit = limit;
    return { ccxt, ex };
  }

  pageBuckets(): number {
    return this.limit;
  }

  async fetchPage(req: PageRequest): Promise<Page> {
    const { ex } = await this.load();
    const stale = this.marketsAt !== undefined && this.http.now() - this.marketsAt > MARKETS_TTL_MS;
    if (this.marketsAt === undefined || stale) {
      await this.call(() => ex.loadMarkets(stale), req.market);
      this.marketsAt = this.http.now();
    }
    const end = windowEnd(req.interval, req.from, this.limit, req.to);
    let n = 0;
    for (let t = req.from; t < end; t = nextBucket(req.interval, t)) n++;
    const rows = await this.call(() => ex.fetchOHLCV(req.market, req.interval, req.from, n), req.market);
    this.clock.observeDateHeader(header(ex, 'Date') ?? null);
    if (!Array.isArray(rows)) throw new ProviderError(this.name, 'malformed', 'fetchOHLCV did not answer a list');
    const candles: ProviderCandle[] = rows.map((row, i) => {
      const c = checkedCandle(this.name, 'OHLCV', i, row, {
        ts: Number(row?.[0]),
        open: row?.[1] as number,
        high: row?.[2] as number,
        low: row?.[3] as number,
        close: row?.[4] as number,
        volume: row?.[5] as number,
      });
      // A bar not on our bucket boundaries (say weeks starting another day) would be stored in the wrong bucket.
      if (bucketStart(req.interval, c.ts) !== c.ts)
        throw new ProviderError(
          this.name,
          'malformed',
          `the bar at ${new Date(c.ts).toISOString()} does not start a ${req.interval} bucket (weeks start Monday 00:00 UTC, months on the 1st)`,
        );
      return c;
    });
    const inWindow = candles.filter((c) => c.ts >= req.from && c.ts < end).map((c) => c.ts);
    const last = inWindow.length ? Math.max(...inWindow) : undefined;
    const full = last === undefined || inWindow.length >= n || nextBucket(req.interval, last) >= end;
    const coveredTo = full ? end : nextBucket(req.interval, last);
    return { candles, coveredTo, finalTo: closedBefore(req.interval, this.clock.now(), this.settings.graceMs) };
  }

  /** `f` with ccxt's errors mapped to ours, transient ones retried with backoff (a 429 after its Retry-After). */
  private async call<T>(f: () => Promise<T>, market: string): Promise<T> {
    const { ccxt, ex } = await this.load();
    const { policy, sleep, now } = this.http;
    for (let attempt = 0; ; attempt++) {
      try {
        return await f();
      } catch (err) {
        if (err instanceof ProviderError || err instanceof UserError) throw err;
        const e = this.mapError(ccxt, ex, err, market).hideSecrets(secretsOf(this.settings.config));
        const wait = Math.max(e.retryAt !== undefined ? e.retryAt - now() : 0, backoffMs(policy, attempt));
        if (!e.transient || attempt + 1 >= policy.attempts || wait > MAX_INLINE_WAIT_MS) throw e;
        await sleep(wait);
      }
    }
  }

  private mapError(ccxt: Ccxt, ex: Exchange, err: unknown, market: string): ProviderError {
    const text = err instanceof Error ? err.message : String(err);
    const e = (kind: ConstructorParameters<typeof ProviderError>[1], msg: string, retryAt?: number) =>
      new ProviderError(this.name, kind, msg, retryAt);
    if (err instanceof ccxt.RateLimitExceeded || err instanceof ccxt.DDoSProtection) {
      const wait = retryAfterMs(header(ex, 'Retry-After') ?? null, this.http.now());
      return e('rate_limited', `rate limit reached: ${text}`, wait !== undefined ? this.http.now() + wait : undefined);
    }
    if (err instanceof ccxt.BadSymbol)
      return e('unknown_symbol', `${ex.id} does not list the symbol "${market}" (ccxt symbols look like BTC/USDT)`);
    if (err instanceof ccxt.RequestTimeout) return e('timeout', text);
    if (err instanceof ccxt.ExchangeNotAvailable) return e('server', `the exchange is not available: ${text}`);
    if (err instanceof ccxt.NetworkError) return e('network', text);
    if (err instanceof ccxt.BadResponse) return e('malformed', text);
    if (err instanceof ccxt.BaseError) return e('rejected', text);
    // Anything else is ccxt failing on an answer it did not expect.
    return e('malformed', text);
  }
}

/** A header of the exchange's last answer (ccxt keeps them with capitalised names). */
function header(ex: Exchange, name: string): string | undefined {
  const h = ex.last_response_headers as Record<string, unknown> | undefined;
  const v = h?.[name] ?? h?.[name.toLowerCase()];
  return typeof v === 'string' ? v : undefined;
}
