/**
 * The segment reader against csv-parse on the same text: random CSV (quoted fields with commas, quotes and
 * line breaks, blank and whitespace lines, ragged rows, CRLF or LF, a BOM, multi-byte characters) cut into
 * random chunks, even inside a character. Records must be equal; line numbers are the physical line a
 * record ends on, which is csv-parse's `info.lines` with CRLF line breaks inside quotes counted once
 * (csv-parse counts them twice): the reference takes the text with those made LF.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { CSV_OPTIONS, csvRecords, usesLineFeeds } from './csv-segments.ts';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomCsv(rand: () => number): string {
  const nl = rand() < 0.5 ? '\n' : '\r\n';
  const field = () => {
    const r = rand();
    if (r < 0.6) return (rand() * 1000).toFixed(Math.floor(rand() * 5));
    if (r < 0.7) return ` ${Math.floor(rand() * 100)}\t`;
    if (r < 0.8) return 'é€x';
    if (r < 0.9) return `"a,b""c${rand() < 0.5 ? nl : ''}d"`;
    return '';
  };
  const lines: string[] = [rand() < 0.3 ? '\ufeffts,open,close' : 'ts,open,close'];
  const n = Math.floor(rand() * 40);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.08) lines.push('');
    else if (r < 0.12) lines.push('  \t');
    else lines.push(Array.from({ length: 1 + Math.floor(rand() * 4) }, field).join(','));
  }
  return lines.join(nl) + (rand() < 0.5 ? nl : '');
}

function chunked(text: string, rand: () => number): Buffer[] {
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(rand() * 40);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

async function viaSegments(chunks: Buffer[]): Promise<{ fields: string[]; line: number }[]> {
  const out = [];
  for await (const r of csvRecords(
    (async function* () {
      yield* chunks;
    })(),
  ))
    out.push(r);
  return out;
}

test('the segment reader gives csv-parse records and line numbers on 500 random inputs and chunkings', async () => {
  const rand = rng(7);
  let quoted = 0;
  for (let k = 0; k < 500; k++) {
    const text = randomCsv(rand);
    if (text.includes('"')) quoted++;
    const lfInQuotes = text.replace(/"[^"]*"/g, (q) => q.replaceAll('\r\n', '\n'));
    const lines = (parse(lfInQuotes, { ...CSV_OPTIONS, info: true }) as unknown as { info: { lines: number } }[]).map(
      (r) => r.info.lines,
    );
    const want = (
      parse(text, { ...CSV_OPTIONS, info: true }) as unknown as { record: string[]; info: { lines: number } }[]
    ).map((r, i) => ({ fields: r.record, line: lines[i] }));
    assert.deepEqual(await viaSegments(chunked(text, rand)), want, JSON.stringify(text));
  }
  assert.ok(quoted > 100 && quoted < 500, `both kinds of segment exercised (${quoted} with quotes)`);
});

test('plain lines: numbers count blank lines; an unclosed quote is an error naming where', async () => {
  const got = await viaSegments([Buffer.from('ts,close\n\n2026-01-01,1\r\n  \n2026-01-02 , 2 ,x\n')]);
  assert.deepEqual(got, [
    { fields: ['ts', 'close'], line: 1 },
    { fields: ['2026-01-01', '1'], line: 3 },
    { fields: ['2026-01-02', '2', 'x'], line: 5 },
  ]);
  await assert.rejects(viaSegments([Buffer.from('ts,close\n1,2\n3,"4\n')]), /Quote Not Closed.*in the lines from 3/i);
});

test('old Mac line breaks are left to csv-parse', () => {
  assert.equal(usesLineFeeds(Buffer.from('ts,close\r1,2\r')), false);
  assert.equal(usesLineFeeds(Buffer.from('ts,close\r\n1,2\r\n')), true);
  assert.equal(usesLineFeeds(Buffer.from('ts,close')), true);
});
