/**
 * Row validation for candle imports (CSV and JSON share it). Each failure names a rule, so errors
 * read "line 12: high_ge_max: ...". The checks mirror the database's candles_ohlc_valid and volume
 * CHECKs so that a bad row is reported with its line instead of failing a whole COPY.
 */
import { isAligned, type Interval } from '../../intervals.ts';
import type { CandleFields, CandleValues } from '../../ohlcv.ts';
import { parseTimestamp } from './timestamps.ts';
import { parseSymbolRef } from '../assets-repository.ts';
import { errorMessage } from '../../errors.ts';

export const RULES = {
  missing: 'a required value is empty',
  timestamp: 'the timestamp is not ISO-8601, YYYY-MM-DD or epoch seconds/ms in the years 0001-9999',
  aligned: 'the timestamp is not at the start of an interval bucket (UTC)',
  time_range: 'the timestamp is outside the accepted range (TM_MIN_CANDLE_TIME to now + TM_MAX_CANDLE_AHEAD_SECONDS)',
  finite: 'open, high, low, close, volume and vwap must be finite decimal numbers',
  low_le_open_close: 'low must be <= min(open, close)',
  high_ge_open_close: 'high must be >= max(open, close)',
  low_le_high: 'low must be <= high',
  volume_nonneg: 'volume must be >= 0',
  trades: 'trades must be a non-negative integer',
  symbol: 'the row has no symbol (add a symbol column or pass --symbol), or not a valid SYMBOL or SYMBOL:EXCHANGE',
  columns: 'the row does not have as many fields as the header',
  duplicate: 'the same (asset, interval, ts) appears earlier in the input',
  unknown_symbol: 'the symbol is not a known asset (pass --asset-type to create it)',
  conflict: 'the candle already exists (--on-conflict error)',
} as const;
export type Rule = keyof typeof RULES;

/** One input row as read: canonical field names to raw values. `line` is the 1-based line (CSV) or item index. */
export type RawCandle = Partial<CandleFields<string | number | null>> & {
  line: number;
  symbol?: string | null;
  ts?: string | number | null;
  /** Set by the CSV reader when the row's field count differs from the header's. */
  badColumns?: string;
};

/** A row that passed validation: the time as epoch ms, the values as numbers. */
export type ValidCandle = CandleValues & { line: number; symbol: string; ts: number };

export interface RowError {
  line: number;
  rule: Rule;
  message: string;
}

export type Validation = { ok: true; candle: ValidCandle } | { ok: false; error: RowError };

const empty = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** Decimal only: Number() alone would also read "0x10", "0o7", "0b1" and "Infinity". */
const DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function num(v: string | number): number {
  if (typeof v === 'number') return v;
  const s = v.trim();
  return DECIMAL_RE.test(s) ? Number(s) : Number.NaN;
}

/** Symbol references repeat on every row of a series: their check is remembered (bounded). */
const symbolChecks = new Map<string, string | null>();

function checkSymbol(ref: string): string | null {
  let r = symbolChecks.get(ref);
  if (r === undefined) {
    try {
      parseSymbolRef(ref);
      r = null;
    } catch (err) {
      r = errorMessage(err);
    }
    if (symbolChecks.size >= 10_000) symbolChecks.clear();
    symbolChecks.set(ref, r);
  }
  return r;
}

/** The accepted candle times, epoch ms, both ends included. */
export interface TimeRange {
  min: number;
  max: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function validateCandle(
  raw: RawCandle,
  interval: Interval,
  defaultSymbol?: string,
  range?: TimeRange,
): Validation {
  const line = raw.line;
  const fail = (rule: Rule, message: string): Validation => ({ ok: false, error: { line, rule, message } });
  if (raw.badColumns) return fail('columns', raw.badColumns);
  const symbolRaw = empty(raw.symbol) ? defaultSymbol : String(raw.symbol).trim();
  if (!symbolRaw) return fail('symbol', RULES.symbol);
  // Checked per row: a malformed one found later, when resolving symbols, would abort the whole import.
  const symbolError = checkSymbol(symbolRaw);
  if (symbolError !== null) return fail('symbol', symbolError);
  for (const k of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) {
    if (empty(raw[k])) return fail('missing', `${k} is empty`);
  }
  const ts = parseTimestamp(raw.ts as string | number);
  if (ts === null)
    return fail('timestamp', `"${raw.ts}" is not ISO-8601, YYYY-MM-DD or epoch seconds/ms in the years 0001-9999`);
  if (range && (ts < range.min || ts > range.max))
    return fail('time_range', `${iso(ts)} is outside the accepted range ${iso(range.min)} to ${iso(range.max)}`);
  if (!isAligned(interval, ts))
    return fail('aligned', `${new Date(ts).toISOString()} is not aligned to ${interval} (UTC)`);
  // Field by field, without per-row arrays: this runs for every row of every import.
  const open = num(raw.open as string | number);
  const high = num(raw.high as string | number);
  const low = num(raw.low as string | number);
  const close = num(raw.close as string | number);
  const volume = num(raw.volume as string | number);
  if (!Number.isFinite(open + high + low + close + volume)) {
    for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) {
      if (!Number.isFinite(num(raw[k] as string | number)))
        return fail('finite', `${k} "${raw[k]}" is not a finite decimal number`);
    }
  }
  let vwap: number | null = null;
  if (!empty(raw.vwap)) {
    vwap = num(raw.vwap as string | number);
    if (!Number.isFinite(vwap)) return fail('finite', `vwap "${raw.vwap}" is not a finite decimal number`);
  }
  let trades: number | null = null;
  if (!empty(raw.trades)) {
    trades = num(raw.trades as string | number);
    if (!Number.isSafeInteger(trades) || trades < 0)
      return fail('trades', `trades "${raw.trades}" is not a non-negative decimal integer`);
  }
  if (low > high) return fail('low_le_high', `low ${low} > high ${high}`);
  if (low > Math.min(open, close)) return fail('low_le_open_close', `low ${low} > min(open ${open}, close ${close})`);
  if (high < Math.max(open, close))
    return fail('high_ge_open_close', `high ${high} < max(open ${open}, close ${close})`);
  if (volume < 0) return fail('volume_nonneg', `volume ${volume} < 0`);
  return {
    ok: true,
    candle: { line, symbol: symbolRaw.toUpperCase(), ts, open, high, low, close, volume, trades, vwap },
  };
}

export function formatError(e: RowError, unit = 'line'): string {
  return `${unit} ${e.line}: ${e.rule}: ${e.message}`;
}
