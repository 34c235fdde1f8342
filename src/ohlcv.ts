/** The columnar shape of candles that the reads, the indicators and the strategies share, declared once. */
export const OHLCV = ['open', 'high', 'low', 'close', 'volume'] as const;
export type OhlcvColumn = (typeof OHLCV)[number];

/** Bar columns of equal length, in time order. */
export type OhlcvColumns = Record<OhlcvColumn, Float64Array>;

/** OHLCV columns with each bar's open time (epoch ms). */
export interface CandleSeries extends OhlcvColumns {
  ts: Float64Array;
}

/** One bar's OHLCV values. */
export type OhlcvValues = Record<OhlcvColumn, number>;

/** A stored candle's values: OHLCV, then the two optional columns of the candles table. */
export interface CandleValues extends OhlcvValues {
  trades: number | null;
  vwap: number | null;
}

/** A candle as reads return it: its open time and its values. Every candle row type derives from these. */
export interface Candle extends CandleValues {
  ts: Date;
}
