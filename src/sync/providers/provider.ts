/**
 * The one small interface every market-data provider implements: closed and unfinished candles of
 * one market and interval over a time range, one request's worth at a time. The sync engine pages,
 * drops unfinished candles, records gaps and writes through the product's import.
 */
import { UserError } from '../../errors.ts';
import type { AssetType } from '../../market/assets-repository.ts';
import { intervalMs, nextBucket, type Interval } from '../../intervals.ts';
import type { OhlcvColumn } from '../../ohlcv.ts';

export const PROVIDERS = ['binance', 'coinbase', 'kraken', 'polygon'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

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
}

export interface Provider {
  readonly name: ProviderName;
  /** Asset type of the markets it lists (for assets created by `tm sources add`). */
  readonly assetType: AssetType;
  /** Intervals the provider serves natively; the others are refused with a clear message. */
  readonly intervals: readonly Interval[];
  /** Rows one request returns at most. */
  readonly pageSize: number;
  /**
   * Whether markets trade around the clock, so a bucket without a candle is a gap. Stock markets
   * close at night and weekends: missing buckets there are not recorded.
   */
  readonly continuous: boolean;
  fetchPage(req: PageRequest): Promise<Page>;
}

export type ProviderErrorKind =
  | 'unknown_symbol'
  | 'rate_limited'
  | 'banned'
  | 'server'
  | 'network'
  | 'malformed'
  | 'rejected'
  | 'config';

const STATUS: Record<ProviderErrorKind, number> = {
  unknown_symbol: 404,
  rejected: 400,
  config: 400,
  rate_limited: 502,
  banned: 502,
  server: 502,
  network: 502,
  malformed: 502,
};

/**
 * A provider failure, named so a user can act on it; never carries API keys. A user error: the
 * CLI prints its message, the API answers 404 (unknown market), 400, or 502 (the provider failed).
 */
export class ProviderError extends UserError {
  constructor(
    readonly provider: ProviderName,
    readonly kind: ProviderErrorKind,
    message: string,
    /** For banned / rate-limited answers: when asking again is allowed (epoch ms). */
    readonly retryAt?: number,
  ) {
    super(`${provider}: ${message}`, STATUS[kind]);
    this.name = 'ProviderError';
  }

  /** Worth asking again after a pause. */
  get transient(): boolean {
    return (
      this.kind === 'server' || this.kind === 'network' || this.kind === 'malformed' || this.kind === 'rate_limited'
    );
  }
}

/** The end of a window of at most `n` buckets from `from`, not past `to`. */
export function windowEnd(interval: Interval, from: number, n: number, to: number): number {
  if (interval !== '1M') return Math.min(to, from + n * intervalMs(interval));
  let t = from;
  for (let i = 0; i < n && t < to; i++) t = nextBucket(interval, t);
  return Math.min(t, to);
}
