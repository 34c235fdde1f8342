/** The columnar shape of candles that the reads, the indicators and the strategies share, declared once. */
export const OHLCV = ['open', 'high', 'low', 'close', 'volume'] as const;
export type OhlcvColumn = (typeof OHLCV)[number];

/** Bar columns of equal length, in time order. */
export type OhlcvColumns = Record<OhlcvColumn, Float64Array>;

/** OHLCV columns with each bar's open time (epoch ms). */
export interface CandleSeries extends OhlcvColumns {
  ts: Float64Array;
}
