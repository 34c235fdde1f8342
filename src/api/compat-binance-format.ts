/**
 * Binance spot's public market-data formats, for the exchange-compatible read endpoint (pure: no database).
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints (klines) and
 * .../general-endpoints (ping, time, exchangeInfo); errors are {"code": -11xx, "msg": "..."}
 * (https://developers.binance.com/docs/binance-spot-api-docs/errors).
 */
import type { Asset } from '../market/assets-repository.ts';
import { bucketStart, INTERVALS, isInterval, nextBucket, type Interval } from '../intervals.ts';
import type { Candle } from '../ohlcv.ts';

export const DEFAULT_LIMIT = 500;
export const MAX_LIMIT = 1000;

/** A Binance error document and the HTTP status it comes with. */
export class BinanceError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
  body() {
    return { code: this.code, msg: this.message };
  }
}

/** Quote currencies recognised at the end of a symbol without a separator (longest first). */
const QUOTES = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'USD', 'EUR', 'GBP', 'JPY', 'TRY', 'BRL', 'BTC', 'ETH', 'BNB'];

/** The Binance symbol of an asset: its symbol in upper case without separators (BTC-USD → BTCUSD). */
export function compatSymbol(symbol: string): string {
  return symbol.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/**
 * Base and quote for exchangeInfo (ccxt names markets BASE/QUOTE from them): split at a separator
 * (BTC-USD, BTC/USDT), else a known quote at the end (BTCUSDT), else the symbol and USD (AAPL → AAPL/USD).
 */
export function splitPair(symbol: string): { base: string; quote: string } {
  const s = symbol.toUpperCase();
  const parts = s.split(/[-/_: ]+/).filter(Boolean);
  if (parts.length >= 2) return { base: compatSymbol(parts[0]), quote: compatSymbol(parts.slice(1).join('')) };
  for (const q of QUOTES) if (s.length > q.length && s.endsWith(q)) return { base: s.slice(0, -q.length), quote: q };
  return { base: compatSymbol(s), quote: 'USD' };
}

/** One exchangeInfo `symbols` entry (read-only: no trading happens here; the filters only describe prices). */
export function symbolInfo(a: Pick<Asset, 'symbol'>) {
  const { base, quote } = splitPair(a.symbol);
  return {
    symbol: compatSymbol(a.symbol),
    status: 'TRADING',
    baseAsset: base,
    baseAssetPrecision: 8,
    quoteAsset: quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    orderTypes: ['LIMIT', 'MARKET'],
    icebergAllowed: false,
    ocoAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: '0.00000001', maxPrice: '1000000000.00000000', tickSize: '0.00000001' },
      { filterType: 'LOT_SIZE', minQty: '0.00000001', maxQty: '1000000000.00000000', stepSize: '0.00000001' },
    ],
    permissions: ['SPOT'],
    permissionSets: [['SPOT']],
  };
}

const num = (v: number | null | undefined) => (v === null || v === undefined ? '0' : String(v));

/**
 * One kline: [open time, open, high, low, close, volume, close time, quote volume, trades, taker buy base,
 * taker buy quote, "0"]. Quote volume is vwap × volume when the candle has a vwap and "0" (unknown)
 * otherwise; the taker volumes are not kept, so "0".
 */
export function klineRow(interval: Interval, c: Candle) {
  const ts = c.ts.getTime();
  const quoteVolume = c.vwap !== null && c.vwap !== undefined ? num(c.vwap * c.volume) : '0';
  return [
    ts,
    num(c.open),
    num(c.high),
    num(c.low),
    num(c.close),
    num(c.volume),
    nextBucket(interval, ts) - 1,
    quoteVolume,
    c.trades ?? 0,
    '0',
    '0',
    '0',
  ];
}

export interface KlineQuery {
  symbol: string;
  interval: Interval;
  limit: number;
  /** Buckets [from, to) to read, oldest first, at most `limit` (without startTime: the last `limit` buckets). */
  from: number;
  to: number;
}

function intParam(raw: unknown, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw) || !Number.isSafeInteger(n))
    throw new BinanceError(-1100, `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`);
  return n;
}

/** The klines query as Binance reads it; bad parameters fail with Binance's codes. */
export function parseKlineQuery(q: Record<string, unknown>, now: number): KlineQuery {
  const symbol = q.symbol;
  if (typeof symbol !== 'string' || symbol === '')
    throw new BinanceError(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
  if (!/^[A-Z0-9\-_.]{1,20}$/.test(symbol))
    throw new BinanceError(
      -1100,
      "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'.",
    );
  const interval = q.interval;
  if (typeof interval !== 'string' || interval === '')
    throw new BinanceError(-1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.");
  if (!isInterval(interval))
    throw new BinanceError(-1120, `Invalid interval. This endpoint serves ${INTERVALS.join(', ')}.`);
  const limit = intParam(q.limit, 'limit') ?? DEFAULT_LIMIT;
  if (limit < 1) throw new BinanceError(-1130, "Data sent for parameter 'limit' is not valid.");
  const start = intParam(q.startTime, 'startTime');
  const end = intParam(q.endTime, 'endTime');
  if (start !== undefined && end !== undefined && start > end)
    throw new BinanceError(-1130, "Data sent for parameter 'startTime' is not valid: it is after 'endTime'.");
  const n = Math.min(limit, MAX_LIMIT);
  // Klines whose open time is within [startTime, endTime]; the one forming now included, as Binance does.
  const to = nextBucket(interval, bucketStart(interval, Math.min(end ?? now, now)));
  if (start !== undefined) {
    const first = bucketStart(interval, start) < start ? nextBucket(interval, bucketStart(interval, start)) : start;
    return { symbol, interval, limit: n, from: first, to };
  }
  let from = to;
  for (let i = 0; i < n; i++) from = bucketStart(interval, from - 1);
  return { symbol, interval, limit: n, from, to };
}
