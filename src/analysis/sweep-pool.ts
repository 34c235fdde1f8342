/**
 * A sweep's combinations on worker threads (piscina): the bars are copied once into SharedArrayBuffers, the
 * combinations cut into chunks (a few per thread, so a slow chunk does not leave the others idle and the progress
 * moves), and the rows put back in the order of the combinations.
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import { UserError } from '../errors.ts';
import type { CandleSeries } from '../ohlcv.ts';
import type { sweepFigures } from './backtest/sweep.ts';
import type { SweepTask } from './sweep-task.ts';

type Rows = ReturnType<typeof sweepFigures>;

export interface SweepPool {
  run(task: SweepTask, onProgress?: (done: number) => void): Promise<Rows>;
  close(): Promise<void>;
}

// From source (tests, benches) the worker registers tsx and loads the TypeScript task; the compiled build
// (scripts/build-server.ts) bundles the task into dist/sweep-worker.js, beside this chunk.
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './sweep-worker.mjs' : './sweep-worker.js', import.meta.url);

/** The threads a sweep uses by default: one per core the process may use. */
export const defaultSweepThreads = (): number => Math.max(1, os.availableParallelism());

function shared(s: CandleSeries): CandleSeries {
  const copy = (a: Float64Array) => {
    const out = new Float64Array(new SharedArrayBuffer(a.byteLength));
    out.set(a);
    return out;
  };
  return {
    ts: copy(s.ts),
    open: copy(s.open),
    high: copy(s.high),
    low: copy(s.low),
    close: copy(s.close),
    volume: copy(s.volume),
  };
}

export function sweepPool(opts: { threads?: number; maxQueue?: number } = {}): SweepPool {
  const threads = Math.max(1, opts.threads ?? defaultSweepThreads());
  const maxQueue = opts.maxQueue ?? 64;
  let pool: Piscina | undefined;
  const get = () =>
    (pool ??= new Piscina({
      filename: WORKER.href,
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: 30_000,
      // The worker registers tsx itself (sweep-worker.mjs); inheriting `--import tsx` would load it twice.
      execArgv: [],
    }));
  return {
    async run(task, onProgress) {
      const p = get();
      if (p.queueSize >= maxQueue) throw new UserError('too many sweeps are running; retry in a moment', 503);
      const bars = shared(task.bars);
      const other = Object.fromEntries(Object.entries(task.other).map(([k, s]) => [k, s && shared(s)]));
      const combos = task.combinations;
      const size = Math.max(1, Math.ceil(combos.length / (threads * 4)));
      let done = 0;
      const chunks: Promise<Rows>[] = [];
      for (let i = 0; i < combos.length; i += size) {
        const chunk = { ...task, bars, other, combinations: combos.slice(i, i + size) };
        chunks.push(
          (p.run(chunk) as Promise<Rows>).then((rows) => {
            done += rows.length;
            onProgress?.(done);
            return rows;
          }),
        );
      }
      try {
        return (await Promise.all(chunks)).flat();
      } catch (err) {
        // What the task throws is the rules refusing this input (as in-process), e.g. an indicator's bad argument.
        throw new UserError((err as Error).message);
      }
    },
    async close() {
      await pool?.destroy();
      pool = undefined;
    },
  };
}
