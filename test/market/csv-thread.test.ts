/** The CSV parsed on a worker thread (csv-thread.ts) yields exactly what the in-process reader does. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { openCsv } from '../../src/market/import/csv-reader.ts';
import { openCsvOffThread } from '../../src/market/import/csv-thread.ts';
import { UserError } from '../../src/errors.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-csv-thread-'));

async function all(threaded: boolean, file: string) {
  const src = threaded ? await openCsvOffThread(file, 4) : await openCsv(file);
  const rows = [];
  for await (const r of src.rows) rows.push(r);
  return { rows, hasSymbol: src.hasSymbol, bytesRead: src.bytesRead(), totalBytes: src.totalBytes };
}

test('the same rows, line numbers, short rows and byte counts as the in-process reader, across batches', async () => {
  const lines = ['Symbol,Date,Open,High,Low,Close,Volume,Trades,VWAP'];
  for (let i = 0; i < 25; i++)
    lines.push(`AAA,2024-01-${String(i + 1).padStart(2, '0')},${i},${i + 2},${i},${i + 1},10,,`);
  lines.splice(5, 0, ''); // an empty line: later line numbers skip it
  lines.push('BBB,2024-02-01,1,2'); // too few fields
  lines.push('"CCC, quoted",2024-02-02,1,2,0.5,1.5,3,4,1.2');
  const file = path.join(dir, 'a.csv.gz');
  writeFileSync(file, gzipSync(Buffer.from(lines.join('\r\n'))));
  const inline = await all(false, file);
  const threaded = await all(true, file);
  assert.deepEqual(threaded, inline);
  assert.equal(inline.rows.length, 27);
  assert.equal(inline.rows.at(-2)?.badColumns, '4 fields, the header has 9');
});

test('header problems are the same user errors; a missing file too', async () => {
  const file = path.join(dir, 'bad.csv');
  writeFileSync(file, 'when,open,high\n1,2,3\n');
  const inline = await openCsv(file).then(
    () => null,
    (e: unknown) => e as Error,
  );
  const threaded = await openCsvOffThread(file).then(
    () => null,
    (e: unknown) => e as Error,
  );
  assert.ok(threaded instanceof UserError);
  assert.equal(threaded.message, inline?.message);
  await assert.rejects(openCsvOffThread(path.join(dir, 'none.csv')), (e: unknown) => e instanceof UserError);
});
