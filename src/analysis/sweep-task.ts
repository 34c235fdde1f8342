/**
 * A chunk of a sweep as a self-contained task: columns in, figures out, no database. Worker threads run it
 * (sweep-pool.ts); the columns arrive on SharedArrayBuffers, so every chunk reads the same memory.
 */
import type { Interval } from '../intervals.ts';
import type { CandleSeries } from '../ohlcv.ts';
import { type FiguresInput, sweepFigures } from './backtest/sweep.ts';

export type SweepTask = Omit<FiguresInput, 'other' | 'onProgress'> & {
  /** Bars of the other intervals the rules read with @. */
  other: Partial<Record<Interval, CandleSeries>>;
};

export function runSweepTask(t: SweepTask): ReturnType<typeof sweepFigures> {
  const { other, ...rest } = t;
  return sweepFigures({ ...rest, other: (i) => other[i] as CandleSeries });
}
