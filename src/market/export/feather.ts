/**
 * freqtrade's feather files: an Arrow IPC file (Feather v2) with freqtrade's columns date (timestamp,
 * UTC), open, high, low, close, volume (float64), one record batch per page. Written uncompressed:
 * apache-arrow's JS writer has no LZ4 encoder, and pyarrow (freqtrade's reader) reads uncompressed
 * files as well as the LZ4 ones freqtrade writes itself.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import {
  Field,
  Float64,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  TimestampMillisecond,
} from 'apache-arrow';
import type { ExportRow } from '../candles-repository.ts';
import type { PageWriter } from './page-writer.ts';

const VALUES = ['open', 'high', 'low', 'close', 'volume'] as const;

export const FEATHER_SCHEMA = new Schema([
  new Field('date', new TimestampMillisecond('UTC'), false),
  ...VALUES.map((c) => new Field(c, new Float64(), false)),
]);

function batchOf(rows: ExportRow[]): RecordBatch {
  const n = rows.length;
  const date = new BigInt64Array(n);
  const cols = VALUES.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    date[i] = BigInt(r.t);
    for (let c = 0; c < VALUES.length; c++) cols[c][i] = r[VALUES[c]];
  }
  const [dateField, ...valueFields] = FEATHER_SCHEMA.fields;
  const children = [
    makeData({ type: dateField.type as TimestampMillisecond, length: n, data: date }),
    ...cols.map((data, c) => makeData({ type: valueFields[c].type as Float64, length: n, data })),
  ];
  return new RecordBatch(
    FEATHER_SCHEMA,
    makeData({ type: new Struct(FEATHER_SCHEMA.fields), length: n, nullCount: 0, children }),
  );
}

export function featherWriter(path: string): PageWriter {
  const writer = new RecordBatchFileWriter();
  const file = createWriteStream(path);
  const piped = writer.toNodeStream().pipe(file);
  writer.reset(undefined, FEATHER_SCHEMA);
  return {
    async write(rows) {
      if (rows.length) writer.write(batchOf(rows));
      // Let the stream take this page before the next is read: memory holds one page.
      if (file.writableNeedDrain) await once(file, 'drain');
    },
    async finish() {
      await writer.finish();
      writer.close();
      await once(piped, 'finish');
    },
  };
}
