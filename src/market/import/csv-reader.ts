/**
 * Streams candle rows out of a CSV file, gzip or not, from a path or stdin. Memory stays bounded:
 * rows are yielded one at a time as they are parsed. Header names are matched case-insensitively:
 * ts|date|timestamp|time|datetime, open, high, low, close, volume, optional trades, vwap, symbol.
 */
import { createReadStream, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { UserError } from '../../errors.ts';
import { CSV_OPTIONS, csvRecords, usesLineFeeds } from './csv-segments.ts';
import type { RawCandle } from './validate.ts';

const ALIASES: Record<string, keyof Omit<RawCandle, 'line' | 'badColumns'>> = {
  ts: 'ts',
  date: 'ts',
  timestamp: 'ts',
  time: 'ts',
  datetime: 'ts',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
  trades: 'trades',
  vwap: 'vwap',
  symbol: 'symbol',
  ticker: 'symbol',
};
const REQUIRED = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;

export interface CsvSource {
  rows: AsyncIterable<RawCandle>;
  /** Whether the header has a symbol column. */
  hasSymbol: boolean;
  /** Bytes read so far from the file or stdin (compressed bytes for gzip), for progress. */
  bytesRead(): number;
  /** File size in bytes, unknown for stdin. */
  totalBytes?: number;
}

/** Opens `-` (stdin) or a path. Gzip is recognised by its magic bytes, whatever the file name. */
export async function openCsv(file: string, stdin: Readable = process.stdin): Promise<CsvSource> {
  let input: Readable;
  let totalBytes: number | undefined;
  if (file === '-') input = stdin;
  else {
    try {
      totalBytes = statSync(file).size;
    } catch {
      throw new UserError(`cannot read "${file}": no such file`);
    }
    input = createReadStream(file);
  }
  let read = 0;
  const it = (input as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  // Peek at the first chunk for the gzip magic (1f 8b), whatever the file name; count bytes for progress.
  const first = await it.next();
  async function* chunks(): AsyncGenerator<Buffer> {
    let next = first;
    while (!next.done) {
      const b = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      read += b.length;
      yield b;
      next = await it.next();
    }
  }
  const raw = Readable.from(chunks(), { objectMode: false });
  const head = first.done ? undefined : first.value;
  const gzip =
    head !== undefined && typeof head !== 'string' && head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  let text: Readable = raw;
  if (gzip) {
    const gunzip = createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    text = raw.pipe(gunzip);
  }
  return { ...(await fromText(text)), bytesRead: () => read, totalBytes };
}

/** Header checks and row shaping over records from either reader. */
async function fromRecords(
  it: AsyncIterator<{ fields: string[]; line: number }>,
): Promise<Omit<CsvSource, 'bytesRead' | 'totalBytes'>> {
  const head = await it.next().catch((e: Error) => {
    throw new UserError(`cannot parse the CSV header: ${e.message}`);
  });
  if (head.done) throw new UserError('the input is empty: expected a CSV header (ts, open, high, low, close, volume)');
  const header = head.value.fields.map((h) => h.trim().toLowerCase());
  const index: Partial<Record<keyof RawCandle, number>> = {};
  header.forEach((h, i) => {
    const key = ALIASES[h];
    if (key && index[key] === undefined) index[key] = i;
  });
  // Two timestamp columns (date and time, say) would silently use only the first: refuse them.
  const tsColumns = header.filter((h) => ALIASES[h] === 'ts');
  if (tsColumns.length > 1) {
    throw new UserError(
      `the CSV header has ${tsColumns.length} timestamp columns (${tsColumns.join(', ')}): keep one, holding the full date and time`,
    );
  }
  const missing = REQUIRED.filter((k) => index[k] === undefined);
  if (missing.length) {
    throw new UserError(
      `the CSV header lacks ${missing.join(', ')} (got: ${header.join(', ')}); expected ts|date|timestamp, open, high, low, close, volume[, trades, vwap, symbol]`,
    );
  }
  const width = header.length;
  const entries = Object.entries(index) as [keyof RawCandle, number][];
  async function* rows(): AsyncGenerator<RawCandle> {
    while (true) {
      let next: IteratorResult<{ fields: string[]; line: number }>;
      try {
        next = await it.next();
      } catch (e) {
        throw new UserError(`cannot parse the CSV: ${(e as Error).message}`);
      }
      if (next.done) return;
      const { fields, line } = next.value;
      const row: RawCandle = { line };
      if (fields.length !== width) row.badColumns = `${fields.length} fields, the header has ${width}`;
      for (const [k, i] of entries) (row as unknown as Record<string, string | undefined>)[k] = fields[i];
      yield row;
    }
  }
  return { rows: rows(), hasSymbol: index.symbol !== undefined };
}

/** LF or CRLF text: the segment reader (csv-segments.ts); old Mac CR-only text: csv-parse's stream. */
async function fromText(text: Readable): Promise<Omit<CsvSource, 'bytesRead' | 'totalBytes'>> {
  const chunks = (text as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await chunks.next();
  const rest = async function* (): AsyncGenerator<Buffer> {
    if (!first.done) yield first.value;
    while (true) {
      const n = await chunks.next();
      if (n.done) return;
      yield n.value;
    }
  };
  if (first.done || usesLineFeeds(Buffer.from(first.value))) return fromRecords(csvRecords(rest()));
  const parser = Readable.from(rest(), { objectMode: false }).pipe(parse({ ...CSV_OPTIONS, info: true }));
  text.on('error', (e) => parser.destroy(e));
  async function* records(): AsyncGenerator<{ fields: string[]; line: number }> {
    for await (const r of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>)
      yield { fields: r.record, line: r.info.lines };
  }
  return fromRecords(records());
}
