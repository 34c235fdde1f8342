/**
 * A CSV file parsed on a worker thread: the same rows as openCsv (csv-reader.ts), while the main thread
 * validates, encodes and talks to the database (PGlite runs on the main thread: parsing there would add to
 * its time instead of overlapping it). One batch is parsed ahead of the one being consumed, so memory holds
 * at most two. stdin (`-`) is parsed in-process: a worker cannot read the main thread's stdin.
 */
import { Worker } from 'node:worker_threads';
import { UserError } from '../../errors.ts';
import { openCsv, type CsvSource } from './csv-reader.ts';
import { rowsOf, type CsvBatch, type CsvWorkerMessage } from './csv-thread-protocol.ts';
import type { RawCandle } from './validate.ts';

// From source (tests, benches) the worker registers tsx itself; the build bundles the task into
// dist/csv-worker.js (scripts/build-server.ts), beside this chunk.
const WORKER = new URL(import.meta.url.endsWith('.ts') ? './csv-worker.mjs' : './csv-worker.js', import.meta.url);

export async function openCsvOffThread(file: string, batch = 4096): Promise<CsvSource> {
  if (file === '-') return openCsv(file);
  // Inheriting `--import tsx` would load it twice (the .mjs registers it).
  const worker = new Worker(WORKER, { workerData: { file, batch }, execArgv: [] });
  const queue: CsvWorkerMessage[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  worker.on('message', (m: CsvWorkerMessage) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (e) => {
    failure = e;
    wake?.();
  });
  worker.on('exit', () => {
    failure ??= new Error('the CSV worker stopped');
    wake?.();
  });
  const next = async (): Promise<CsvWorkerMessage> => {
    while (queue.length === 0) {
      if (failure) throw failure;
      await new Promise<void>((r) => {
        wake = r;
      });
      wake = null;
    }
    const m = queue.shift() as CsvWorkerMessage;
    if (m.type === 'error') {
      await worker.terminate();
      throw m.user ? new UserError(m.message) : new Error(m.message);
    }
    return m;
  };
  const header = await next().catch(async (e: unknown) => {
    await worker.terminate();
    throw e;
  });
  if (header.type !== 'header') throw new Error('csv worker: expected the header first');
  const columns = header.columns;
  let bytes = 0;
  async function* rows(): AsyncGenerator<RawCandle> {
    try {
      worker.postMessage('pull');
      while (true) {
        const m = await next();
        if (m.type === 'end') return;
        if (m.type !== 'rows') continue;
        worker.postMessage('pull'); // the next batch is parsed while this one is consumed
        bytes = (m as CsvBatch).bytesRead;
        yield* rowsOf(m, columns);
      }
    } finally {
      await worker.terminate();
    }
  }
  return { rows: rows(), hasSymbol: header.hasSymbol, columns, bytesRead: () => bytes, totalBytes: header.totalBytes };
}
