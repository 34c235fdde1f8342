// Input checks shared by the strategies and the backtest.
import { OHLCV } from '../../ohlcv.ts';
import type { CandleSeries, GenerateOptions } from './types.ts';

const COLUMNS = ['ts', ...OHLCV] as const;

/** Checks the columns are Float64Arrays of one length; returns that length. (Values are checked by the indicators.) */
export function checkCandles(who: string, series: CandleSeries): number {
  if (typeof series !== 'object' || series === null)
    throw new TypeError(`${who}: series must be an object of Float64Array columns`);
  for (const col of COLUMNS) {
    if (!(series[col] instanceof Float64Array)) throw new TypeError(`${who}: series.${col} must be a Float64Array`);
  }
  const n = series.close.length;
  for (const col of COLUMNS) {
    if (series[col].length !== n) {
      throw new RangeError(
        `${who}: series columns must have the same length (close has ${n}, ${col} has ${series[col].length})`,
      );
    }
  }
  return n;
}

/** The first bar allowed to produce a candidate. */
export function fromIndex(who: string, opts: GenerateOptions | undefined): number {
  const from = opts?.fromIndex ?? 0;
  if (!Number.isInteger(from) || from < 0)
    throw new RangeError(`${who}: fromIndex must be an integer >= 0, got ${from}`);
  return from;
}
