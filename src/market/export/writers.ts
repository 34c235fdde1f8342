/**
 * One writer per export format. Each takes pages of candles as they are read and writes them out at
 * once, so memory holds one page whatever the export's size. Values are the stored float8 numbers,
 * written in JavaScript's shortest form that reads back to the same double (text formats) or as
 * IEEE doubles (Arrow, Parquet): an export changes no value.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { ExportRow } from '../candles-repository.ts';
import type { ExportFormat } from './layout.ts';
import type { PageWriter } from './page-writer.ts';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const opt = (v: number | null) => (v === null ? '' : String(v));

/** A text file written through a stream that is waited on when its buffer is full. */
function textWriter(
  path: string,
  head: string,
  row: (r: ExportRow, first: boolean) => string,
  tail: string,
): PageWriter {
  const out: WriteStream = createWriteStream(path);
  let first = true;
  const put = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  let started = false;
  return {
    async write(rows) {
      if (!started) {
        started = true;
        await put(head);
      }
      let s = '';
      for (const r of rows) {
        s += row(r, first);
        first = false;
      }
      await put(s);
    },
    async finish() {
      if (!started) await put(head);
      out.end(tail);
      await once(out, 'finish');
    },
  };
}

const csv = (path: string) =>
  textWriter(
    path,
    'ts,open,high,low,close,volume,trades,vwap\n',
    (r) => `${iso(r.t)},${r.open},${r.high},${r.low},${r.close},${r.volume},${opt(r.trades)},${opt(r.vwap)}\n`,
    '',
  );

const json = (path: string) =>
  textWriter(
    path,
    '[',
    (r, first) =>
      `${first ? '\n' : ',\n'}{"ts":"${iso(r.t)}","open":${r.open},"high":${r.high},"low":${r.low},"close":${r.close},"volume":${r.volume},"trades":${r.trades ?? 'null'},"vwap":${r.vwap ?? 'null'}}`,
    '\n]\n',
  );

/** freqtrade's JSON data files: `[[ms, open, high, low, close, volume], ...]` (pandas' orient="values"). */
const freqtradeJson = (path: string) =>
  textWriter(
    path,
    '[',
    (r, first) => `${first ? '' : ','}[${r.t},${r.open},${r.high},${r.low},${r.close},${r.volume}]`,
    ']',
  );

export async function openWriter(format: ExportFormat, path: string): Promise<PageWriter> {
  switch (format) {
    case 'csv':
      return csv(path);
    case 'json':
      return json(path);
    case 'freqtrade-json':
      return freqtradeJson(path);
    case 'freqtrade-feather': {
      const { featherWriter } = await import('./feather.ts');
      return featherWriter(path);
    }
    case 'parquet': {
      const { parquetWriter } = await import('./parquet.ts');
      return parquetWriter(path);
    }
  }
}
