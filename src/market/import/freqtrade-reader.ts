/**
 * Reads freqtrade's OHLCV data files for `tm import candles --format freqtrade`:
 * - JSON (`BTC_USDT-1h.json`, gzip too: `.json.gz`): `[[ms, open, high, low, close, volume], ...]`,
 *   scanned as it streams (the inner arrays hold numbers only), one row at a time;
 * - feather (`BTC_USDT-1h.feather`): an Arrow IPC file with columns date, open, high, low, close, volume,
 *   read one record batch at a time (LZ4-compressed, as freqtrade writes them, or not).
 * Rows come out as the CSV reader's do (`line` = the 1-based position in the file), so the same
 * validation, all-or-nothing rule and merge apply.
 */
import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { UserError } from '../../errors.ts';
import type { CsvSource } from './csv-reader.ts';
import type { RawCandle } from './validate.ts';

const COLUMNS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    throw new UserError(`cannot read "${file}": no such file`);
  }
}

/** Whether a file is Arrow IPC (feather v2 starts with "ARROW1"). */
async function isArrow(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(6);
    await fh.read(b, 0, 6, 0);
    return b.toString('latin1') === 'ARROW1';
  } catch {
    return false;
  } finally {
    await fh.close();
  }
}

export async function openFreqtrade(file: string, stdin: Readable = process.stdin): Promise<CsvSource> {
  if (file !== '-') sizeOf(file);
  if (file !== '-' && (await isArrow(file))) return openFeather(file);
  return openJson(file, stdin);
}

/** A row from one inner array's text ("1509836520000,0.1,0.2,0.05,0.15,12.5"). */
function rowOf(text: string, line: number): RawCandle {
  const cells = text.split(',').map((c) => c.trim());
  const row: RawCandle = { line };
  if (cells.length < COLUMNS.length)
    row.badColumns = `${cells.length} values, expected [date, open, high, low, close, volume]`;
  COLUMNS.forEach((k, i) => {
    const v = cells[i];
    (row as unknown as Record<string, string | undefined>)[k] = v === 'null' ? undefined : v;
  });
  return row;
}

async function openJson(file: string, stdin: Readable): Promise<CsvSource> {
  const totalBytes = file === '-' ? undefined : sizeOf(file);
  let read = 0;
  const it = (file === '-' ? stdin : createReadStream(file))[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  // Peek at the first chunk for the gzip magic (freqtrade's jsongz format), whatever the file name.
  const first = await it.next();
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let next = first; !next.done; next = await it.next()) {
      read += next.value.length;
      yield next.value;
    }
  }
  const raw = Readable.from(chunks(), { objectMode: false });
  const gzip = !first.done && first.value[0] === 0x1f && first.value[1] === 0x8b;
  const input: Readable = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) raw.on('error', (e) => input.destroy(e));
  async function* text(): AsyncGenerator<string> {
    for await (const c of input as AsyncIterable<Buffer>) yield c.toString('latin1');
  }
  async function* rows(): AsyncGenerator<RawCandle> {
    let depth = 0;
    let carry = ''; // the start of a row cut by the end of a chunk
    let n = 0;
    let seen = false;
    for await (const t of text()) {
      let i = 0;
      while (i < t.length) {
        if (depth === 2) {
          // Inside a row: jump to its end instead of walking each character.
          const end = t.indexOf(']', i);
          if (end < 0) {
            carry += t.slice(i);
            break;
          }
          const body = carry + t.slice(i, end);
          carry = '';
          if (body.includes('[')) throw new UserError(`not a freqtrade OHLCV file: nested arrays at row ${n + 1}`);
          yield rowOf(body, ++n);
          depth = 1;
          i = end + 1;
          continue;
        }
        const ch = t[i++];
        if (ch === '[') {
          depth++;
          seen = true;
        } else if (ch === ']') depth--;
        else if (ch === '{' || ch === '"')
          throw new UserError('not a freqtrade OHLCV file: expected [[date, open, high, low, close, volume], ...]');
      }
    }
    if (!seen || depth !== 0) throw new UserError('not a freqtrade OHLCV file: the JSON array is empty or cut short');
  }
  return { rows: rows(), hasSymbol: false, bytesRead: () => read, totalBytes };
}

async function openFeather(file: string): Promise<CsvSource> {
  const [{ RecordBatchReader }, { registerLz4 }] = await Promise.all([import('apache-arrow'), import('./lz4.ts')]);
  registerLz4();
  const totalBytes = sizeOf(file);
  const fh = await open(file, 'r');
  let done = 0;
  async function* rows(): AsyncGenerator<RawCandle> {
    try {
      const reader = await RecordBatchReader.from(fh);
      await reader.open();
      const names = reader.schema.fields.map((f) => f.name);
      const missing = ['date', ...COLUMNS.slice(1)].filter((c) => !names.includes(c));
      if (missing.length)
        throw new UserError(`not a freqtrade feather file: no column ${missing.join(', ')} (has ${names.join(', ')})`);
      let n = 0;
      let batches = 0;
      const count = (reader as unknown as { numRecordBatches?: number }).numRecordBatches ?? 1;
      for await (const batch of reader) {
        const cols = ['date', ...COLUMNS.slice(1)].map((c) => batch.getChild(c));
        for (let i = 0; i < batch.numRows; i++) {
          const row: RawCandle = { line: ++n };
          COLUMNS.forEach((k, c) => {
            const v = cols[c]?.get(i) as number | bigint | Date | null;
            (row as unknown as Record<string, unknown>)[k] =
              v === null || v === undefined ? undefined : v instanceof Date ? v.getTime() : Number(v);
          });
          yield row;
        }
        done = Math.round((++batches / Math.max(1, count)) * totalBytes);
      }
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`cannot read the feather file "${file}": ${(err as Error).message}`);
    } finally {
      await fh.close();
    }
  }
  return { rows: rows(), hasSymbol: false, bytesRead: () => Math.min(done, totalBytes), totalBytes };
}
