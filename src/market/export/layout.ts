/**
 * Export formats and file names. freqtrade's layout follows its data handlers: the pair with "/", " ",
 * ".", "@", "$", "+" and ":" turned into "_", a dash, the timeframe ("1M" is written "1Mo" since
 * freqtrade 2023: file systems that ignore case would mix it with "1m"), then the extension:
 * `BTC_USDT-1h.json`, `BTC_USDT-1h.feather` in the exchange's data directory (user_data/data/<exchange>).
 */
import { UsageError } from '../../errors.ts';
import type { Interval } from '../../intervals.ts';

export const EXPORT_FORMATS = ['csv', 'json', 'parquet', 'freqtrade-json', 'freqtrade-feather'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function parseExportFormat(v: string): ExportFormat {
  if (!(EXPORT_FORMATS as readonly string[]).includes(v))
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got "${v}"`);
  return v as ExportFormat;
}

export const isFreqtrade = (f: ExportFormat) => f.startsWith('freqtrade-');

/** Quote currencies recognised at the end of a symbol without a separator (BTCUSDT → BTC/USDT). */
const QUOTES = ['USDT', 'USDC', 'BUSD', 'FDUSD', 'TUSD', 'DAI', 'USD', 'EUR', 'GBP', 'JPY', 'TRY', 'BTC', 'ETH', 'BNB'];
const PAIR_RE = /^[A-Za-z0-9.$@+-]{1,30}\/[A-Za-z0-9.$@+-]{1,30}(:[A-Za-z0-9.$@+-]{1,30})?$/;

/**
 * The freqtrade pair of a symbol: --pair when given, else BASE/QUOTE when the symbol has a separator
 * ("BTC/USDT", "BTC-USDT", "BTC_USDT") or ends in a known quote currency ("BTCUSDT").
 */
export function freqtradePair(symbol: string, pair?: string): string {
  if (pair !== undefined) {
    if (!PAIR_RE.test(pair)) throw new UsageError(`--pair must look like BASE/QUOTE (e.g. BTC/USDT), got "${pair}"`);
    return pair.toUpperCase();
  }
  const s = symbol.toUpperCase();
  const sep = /^([A-Z0-9]+)[/_-]([A-Z0-9]+)$/.exec(s);
  if (sep) return `${sep[1]}/${sep[2]}`;
  const quote = QUOTES.find((q) => s.endsWith(q) && s.length > q.length);
  if (quote) return `${s.slice(0, -quote.length)}/${quote}`;
  throw new UsageError(`cannot tell the base and quote currency of "${symbol}": pass --pair BASE/QUOTE`);
}

/** freqtrade's pair_to_filename. */
export const pairToFilename = (pair: string): string => pair.replace(/[/ .@$+:]/g, '_');

/** freqtrade's timeframe in file names. */
export const timeframeToFilename = (interval: Interval): string => (interval === '1M' ? '1Mo' : interval);

const EXTENSION: Record<ExportFormat, string> = {
  csv: 'csv',
  json: 'json',
  parquet: 'parquet',
  'freqtrade-json': 'json',
  'freqtrade-feather': 'feather',
};

/** The file an export writes in --out: freqtrade's name for its formats, SYMBOL[_EXCHANGE]-interval otherwise. */
export function exportFileName(
  format: ExportFormat,
  a: { symbol: string; exchange: string | null },
  interval: Interval,
  pair?: string,
): string {
  if (isFreqtrade(format))
    return `${pairToFilename(freqtradePair(a.symbol, pair))}-${timeframeToFilename(interval)}.${EXTENSION[format]}`;
  const base = `${a.symbol}${a.exchange ? `_${a.exchange}` : ''}`.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${base}-${interval}.${EXTENSION[format]}`;
}

/**
 * Reads freqtrade's file name back: `BTC_USDT-1h.json` → pair BTC/USDT, timeframe 1h (futures files
 * carry a candle type after the timeframe: `BTC_USDT_USDT-1h-futures.feather`). Null when it is not one.
 */
export function parseFreqtradeFileName(name: string): { pair: string; symbol: string; timeframe: string } | null {
  const m = /^([\w-]+?)-(\d+(?:m|h|d|w|M|Mo))(?:-([a-z_]+))?\.(json|json\.gz|jsongz|feather)$/.exec(name);
  if (!m) return null;
  const parts = m[1].split('_');
  const pair = parts.length >= 2 ? `${parts[0]}/${parts[1]}${parts[2] ? `:${parts.slice(2).join('_')}` : ''}` : m[1];
  const timeframe = m[2] === '1Mo' || m[2] === '1M' ? '1M' : m[2];
  return { pair, symbol: parts.length >= 2 ? `${parts[0]}${parts[1]}` : m[1], timeframe };
}
