/** Shapes and helpers of the admin page's data sync section (/api/admin/sync, docs/sync.md). */
export const PROVIDERS = ['binance', 'coinbase', 'kraken', 'polygon'] as const;
export const INTERVALS = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w', '1M'] as const;
export const ASSET_TYPES = ['stock', 'etf', 'crypto', 'forex', 'commodity'] as const;

export interface Source {
  id: string;
  asset_id: string;
  asset: string;
  provider: string;
  market: string;
  intervals: string[];
  created_at: string;
}

export interface StatusRow {
  source_id: string;
  asset: string;
  provider: string;
  market: string;
  interval: string;
  last_candle: string | null;
  lag_seconds: number | null;
  last_error: string | null;
  failures: number;
  gaps: number;
  state: 'ok' | 'failing' | 'error' | 'never';
}

export interface Gap {
  from_ts: string;
  to_ts: string;
  reason: string;
  attempts: number;
  checked_at: string;
}

export interface Backfilled {
  inserted: number;
  updated: number;
  gaps: number;
  requests: number;
  seconds: number;
  from: string;
  to: string;
}

/** A lag in the largest unit that fits: 42 s, 5 min, 3 h, 2 d. */
export function lag(s: number | null): string {
  if (s === null) return '–';
  const a = Math.abs(s);
  if (a < 120) return `${s} s`;
  if (a < 7200) return `${Math.round(s / 60)} min`;
  if (a < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}
