/**
 * Backtests off the event loop: a small pool of worker threads (piscina), so a backtest over a long
 * series never delays other requests (/health included). The queue is bounded: beyond it the caller
 * gets a 503 instead of waiting behind minutes of work.
 */
import { Piscina } from 'piscina';
import { UserError } from '../errors.ts';
import type { BacktestTask } from './backtest-task.ts';
import type { BacktestResult } from './signals/backtest.ts';

export interface BacktestPool {
  run(task: BacktestTask): Promise<BacktestResult>;
  close(): Promise<void>;
}

export function backtestPool(opts: { threads?: number; maxQueue?: number } = {}): BacktestPool {
  let pool: Piscina | undefined;
  const get = () =>
    (pool ??= new Piscina({
      filename: new URL('./backtest-worker.mjs', import.meta.url).href,
      minThreads: 0,
      maxThreads: opts.threads ?? 1,
      maxQueue: opts.maxQueue ?? 8,
      idleTimeout: 60_000,
      // The worker registers tsx itself (backtest-worker.mjs); inheriting `--import tsx` would load it twice.
      execArgv: [],
    }));
  return {
    async run(task) {
      const p = get();
      if (p.queueSize >= (opts.maxQueue ?? 8)) {
        throw new UserError('too many backtests are running; retry in a moment', 503);
      }
      try {
        return (await p.run(task, {
          transferList: [
            task.series.ts,
            task.series.open,
            task.series.high,
            task.series.low,
            task.series.close,
            task.series.volume,
          ].map((a) => a.buffer as ArrayBuffer),
        })) as BacktestResult;
      } catch (err) {
        // What the task throws is the strategy refusing this request's input, as in-process (service.ts).
        throw new UserError((err as Error).message);
      }
    },
    async close() {
      await pool?.destroy();
      pool = undefined;
    },
  };
}
