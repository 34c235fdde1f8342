/**
 * The one small interface every market-data provider implements: closed and unfinished candles of
 * one market and interval over a time range, one request's worth at a time, and where the closed ones
 * end by the provider's own rule and clock. The sync engine pages, drops bars still forming, records
 * gaps and writes through the product's import.
 */
import type { AssetType } from '../../market/assets-repository.ts';
import { bucketStart, intervalMs, nextBucket, type Interval } from '../../intervals.ts';
import type { OhlcvColumn } from '../../ohlcv.ts';

/** The native providers; any exchange ccxt knows is `ccxt:<its id>` (for example `ccxt:okx`). */
export const PROVIDERS = ['binance', 'coinbase', 'kraken', 'polygon'] as const;
export type NativeProviderName = (typeof PROVIDERS)[number];
export type ProviderName = NativeProviderName | `ccxt:${string}`;

/** One candle as the provider sent it; raw strings are fine (the import validates). */
export type ProviderCandle = Record<OhlcvColumn, string | number> & {
  /** Bucket start, epoch ms. */
  ts: number;
  trades?: number | null;
  vwap?: string | number | null;
};

export interface PageRequest {
  market: string;
  interval: Interval;
  /** Inclusive bucket start, epoch ms. */
  from: number;
  /** Exclusive end, epoch ms (a bucket boundary). */
  to: number;
}

export interface Page {
  /** As received: any order, maybe duplicates, maybe outside the range or unfinished. */
  candles: ProviderCandle[];
  /** This answer is complete for [from, coveredTo): the next page starts there. */
  coveredTo: number;
  /** The provider serves nothing before this instant (Kraken keeps the latest 720 candles only). */
  historyStart?: number;
  /**
   * Every bar before this instant is closed at the provider (its own rule, read on its clock, after a
   * grace); bars from here on are still forming: never stored, never covered, so they are asked for again.
   */
  finalTo: number;
}

export interface Provider {
  readonly name: ProviderName;
  /** Asset type of the markets it lists (for assets created by `tm sources add`). */
  readonly assetType: AssetType;
  /** Intervals the provider serves natively; the others are refused with a clear message. */
  readonly intervals: readonly Interval[];
  /** Buckets of `interval` one request covers at most. */
  pageBuckets(interval: Interval): number;
  /**
   * Whether markets trade around the clock, so a bucket without a candle is a gap. Stock markets
   * close at night and weekends: missing buckets there are not recorded.
   */
  readonly continuous: boolean;
  fetchPage(req: PageRequest): Promise<Page>;
  /**
   * Loads what the provider needs before its intervals are known (ccxt: the library and the exchange
   * class); an exchange it does not know fails with a UserError. Called before `intervals` is checked.
   */
  ready?(): Promise<void>;
}

export type ProviderErrorKind =
  | 'unknown_symbol'
  | 'rate_limited'
  | 'banned'
  | 'server'
  | 'network'
  | 'timeout'
  | 'malformed'
  | 'too_large'
  | 'rejected'
  | 'plan_limit'
  | 'config';

/** Provider text (an error body, a row) shown in an error: at most this many characters. */
export const MAX_PROVIDER_TEXT = 300;

/** `text` cut to `max` characters, saying how much was left out. */
export function clip(text: string, max = MAX_PROVIDER_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** `text` with every occurrence of a secret (an API key a provider echoed) replaced. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/**
 * A provider failure, named so a user can act on it: not a problem with the user's input, so it is no
 * UserError; the API maps its kind to a status (src/api/problem.ts). Its message is bounded and never
 * carries API keys (`hideSecrets`).
 */
export class ProviderError extends Error {
  constructor(
    readonly provider: ProviderName,
    readonly kind: ProviderErrorKind,
    message: string,
    /** For banned / rate-limited answers: when asking again is allowed (epoch ms, our clock). */
    readonly retryAt?: number,
  ) {
    super(`${provider}: ${clip(message, 2 * MAX_PROVIDER_TEXT)}`);
    this.name = 'ProviderError';
  }

  /** Worth asking again after a pause. */
  get transient(): boolean {
    return (
      this.kind === 'server' ||
      this.kind === 'network' ||
      this.kind === 'timeout' ||
      this.kind === 'malformed' ||
      this.kind === 'rate_limited'
    );
  }

  /** The same error with the secrets replaced in its message. */
  hideSecrets(secrets: readonly string[]): ProviderError {
    const message = redact(this.message, secrets);
    if (message === this.message) return this;
    const e = new ProviderError(this.provider, this.kind, '', this.retryAt);
    e.message = message;
    return e;
  }
}

/**
 * Checks one row of an answer and reads its bucket start and prices: a row that is not what the provider
 * documents fails the whole answer, naming the row (nothing from that answer is stored).
 */
export function checkedCandle(
  provider: ProviderName,
  answer: string,
  index: number,
  row: unknown,
  c: ProviderCandle,
): ProviderCandle {
  const bad = (what: string) =>
    new ProviderError(
      provider,
      'malformed',
      `row ${index + 1} of the ${answer} answer: ${what}: ${clip(JSON.stringify(row) ?? String(row), 200)}`,
    );
  if (!Number.isSafeInteger(c.ts)) throw bad('the time is not a whole number');
  for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) {
    const v = c[k];
    if ((typeof v !== 'number' && typeof v !== 'string') || v === '' || !Number.isFinite(Number(v)))
      throw bad(`${k} is not a number`);
  }
  return c;
}

/** The bars of `interval` that ended at least `graceMs` before the provider's `now` end here (exclusive). */
export function closedBefore(interval: Interval, now: number, graceMs: number): number {
  return bucketStart(interval, now - graceMs);
}

/** The end of a window of at most `n` buckets from `from`, not past `to`. */
export function windowEnd(interval: Interval, from: number, n: number, to: number): number {
  if (interval !== '1M') return Math.min(to, from + n * intervalMs(interval));
  let t = from;
  for (let i = 0; i < n && t < to; i++) t = nextBucket(interval, t);
  return Math.min(t, to);
}
