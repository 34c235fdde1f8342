/**
 * The shape of a candle, declared once: the columnar form the reads, the indicators and the strategies share,
 * and the row types of every layer (stored, read, imported, staged, sent by a provider, sent live) derived
 * from the same column lists.
 */
export const OHLCV = ['open', 'high', 'low', 'close', 'volume'] as const;
export type OhlcvColumn = (typeof OHLCV)[number];

/** Bar columns of equal length, in time order. */
export type OhlcvColumns = Record<OhlcvColumn, Float64Array>;

/** OHLCV columns with each bar's open time (epoch ms). */
export interface CandleSeries extends OhlcvColumns {
  ts: Float64Array;
}

/** The candles table's columns besides OHLCV, which a candle may lack. */
export const CANDLE_EXTRAS = ['trades', 'vwap'] as const;
export type CandleExtra = (typeof CANDLE_EXTRAS)[number];

/** A candle's value columns holding values of type V: OHLCV always, the extras possibly null. */
export type CandleFields<V> = Record<OhlcvColumn, V> & Record<CandleExtra, V | null>;

/** One bar's OHLCV values. */
export type OhlcvValues = Record<OhlcvColumn, number>;

/** A stored candle's values. */
export type CandleValues = CandleFields<number>;

/** A candle as reads return it: its open time and its values. */
export type Candle = CandleValues & { ts: Date };

/** A synthetic bar (demo data): open time in epoch ms, OHLCV and a trade count. */
export type SyntheticBar = OhlcvValues & { ts: number; trades: number };
