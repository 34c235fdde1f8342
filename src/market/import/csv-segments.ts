/**
 * CSV records with their line numbers, fast: the text is cut into segments that end at a line break
 * outside any quoted field, and a segment without a quote (nearly every one of a market data dump) is
 * split on line breaks and commas directly; a segment with a quote goes to csv-parse, with the same
 * options. csv-parse alone cost ≈4 µs a row (its per-record info objects ≈1.5 µs of it), as much as the
 * server's COPY of the row: the import waited for its parser (docs/performance.md#ingest).
 *
 * Both ways give the same records: fields trimmed, empty and blank lines skipped, ragged rows kept, a
 * UTF-8 BOM dropped, CRLF or LF line breaks. `line` is the (1-based) line a record ends on, as csv-parse's
 * `info.lines`. Input whose first chunk has a carriage return but no line feed (old Mac line breaks) is
 * not for this reader: `usesLineFeeds` tells the caller to use csv-parse's stream instead.
 */
import { StringDecoder } from 'node:string_decoder';
import { parse } from 'csv-parse/sync';

export interface CsvRecord {
  fields: string[];
  line: number;
}

export const CSV_OPTIONS = { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true } as const;

/** Whether the input's line breaks are LF or CRLF (decided on its first chunk). */
export function usesLineFeeds(first: Buffer): boolean {
  return first.includes(0x0a) || !first.includes(0x0d);
}

/** Where `text` can be cut: just after its last line feed outside quotes (-1: nowhere yet). */
function cutPoint(text: string): number {
  if (!text.includes('"')) return text.lastIndexOf('\n');
  let inQuotes = false;
  let cut = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34)
      inQuotes = !inQuotes; // an escaped quote ("") flips twice
    else if (c === 10 && !inQuotes) cut = i;
  }
  return cut;
}

/**
 * The line each non-blank logical line of a quoted segment ends on: a logical line ends at a line feed
 * outside quotes, so a quoted field's line breaks stay inside it.
 */
function recordEndLines(seg: string, first: number): number[] {
  const ends: number[] = [];
  let inQuotes = false;
  let line = first;
  let blank = true;
  for (let i = 0; i < seg.length; i++) {
    const c = seg.charCodeAt(i);
    if (c === 34) inQuotes = !inQuotes;
    if (c === 10) {
      if (!inQuotes) {
        if (!blank) ends.push(line);
        blank = true;
      }
      line++;
    } else if (c !== 32 && c !== 9 && c !== 13) blank = false;
  }
  if (!blank) ends.push(line);
  return ends;
}

/** The records of one segment, which starts on line `first` (1-based). */
function* segmentRecords(seg: string, first: number): Generator<CsvRecord> {
  if (seg.includes('"')) {
    let records: { record: string[]; info: { lines: number } }[];
    try {
      records = parse(seg, { ...CSV_OPTIONS, bom: false, info: true }) as unknown as typeof records;
    } catch (e) {
      throw new Error(`${(e as Error).message} (in the lines from ${first})`);
    }
    // csv-parse counts a CRLF inside quotes as two lines: number by the logical lines where they match.
    const ends = recordEndLines(seg, first);
    const exact = ends.length === records.length;
    for (const [i, r] of records.entries())
      yield { fields: r.record, line: exact ? ends[i] : first - 1 + r.info.lines };
    return;
  }
  let line = first;
  let start = 0;
  while (start < seg.length) {
    let end = seg.indexOf('\n', start);
    if (end < 0) end = seg.length;
    const text = seg.slice(start, end);
    start = end + 1;
    const fields = text.split(',');
    let blank = fields.length === 1;
    for (let i = 0; i < fields.length; i++) fields[i] = fields[i].trim();
    if (blank) blank = fields[0] === '';
    if (!blank) yield { fields, line };
    line++;
  }
}

/** The records of a stream of LF or CRLF text (Buffers or strings), in order. */
export async function* csvRecords(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<CsvRecord> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let line = 1;
  let started = false;
  const take = (seg: string) => {
    const first = line;
    for (let i = seg.indexOf('\n'); i >= 0; i = seg.indexOf('\n', i + 1)) line++;
    return segmentRecords(seg, first);
  };
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (!started && pending.length > 0) {
      started = true;
      if (pending.charCodeAt(0) === 0xfeff) pending = pending.slice(1);
    }
    const cut = cutPoint(pending);
    if (cut < 0) continue;
    const seg = pending.slice(0, cut + 1);
    pending = pending.slice(cut + 1);
    yield* take(seg);
  }
  pending += decoder.end();
  if (!started && pending.charCodeAt(0) === 0xfeff) pending = pending.slice(1);
  if (pending.length > 0) yield* take(pending);
}
