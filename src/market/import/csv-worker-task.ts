/**
 * The worker side of csv-thread.ts: parses a CSV file with openCsv and answers each 'pull' with the next
 * batch of rows, as flat columns (cheap to copy between threads).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../../errors.ts';
import { openCsv } from './csv-reader.ts';
import { CSV_FIELDS, type CsvBatch, type CsvWorkerMessage } from './csv-thread-protocol.ts';

export async function runCsvWorker(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('csv worker: no parent port');
  const { file, batch: size } = workerData as { file: string; batch: number };
  const send = (m: CsvWorkerMessage) => port.postMessage(m);
  try {
    const src = await openCsv(file);
    send({ type: 'header', hasSymbol: src.hasSymbol, totalBytes: src.totalBytes, columns: src.columns });
    const it = src.rows[Symbol.asyncIterator]();
    let done = false;
    port.on('message', async (m: 'pull') => {
      if (m !== 'pull' || done) return;
      try {
        const b: CsvBatch = { type: 'rows', lines: [], values: [], badColumns: [], bytesRead: 0 };
        while (b.lines.length < size) {
          const next = await it.next();
          if (next.done) {
            done = true;
            break;
          }
          const r = next.value;
          b.lines.push(r.line);
          for (const f of CSV_FIELDS) b.values.push((r[f] as string | undefined) ?? null);
          if (r.badColumns) b.badColumns.push([b.lines.length - 1, r.badColumns]);
        }
        b.bytesRead = src.bytesRead();
        send(b);
        if (done) send({ type: 'end' });
      } catch (e) {
        done = true;
        send({ type: 'error', message: (e as Error).message, user: e instanceof UserError });
      }
    });
  } catch (e) {
    send({ type: 'error', message: (e as Error).message, user: e instanceof UserError });
  }
}
