/**
 * Parquet for pandas, polars and DuckDB, with hyparquet-writer: apache-arrow's JS library reads and
 * writes Arrow IPC only, it has no Parquet writer. One row group per page (SNAPPY-compressed columns),
 * written as each page arrives. Columns: ts (INT64 timestamp, milliseconds, UTC), open, high, low,
 * close, volume (DOUBLE), trades (INT64, nullable), vwap (DOUBLE, nullable).
 */
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import type { PageWriter } from './page-writer.ts';

const VALUES = ['open', 'high', 'low', 'close', 'volume'] as const;

const SCHEMA = [
  { name: 'root', num_children: 8 },
  {
    name: 'ts',
    type: 'INT64' as const,
    repetition_type: 'REQUIRED' as const,
    logical_type: { type: 'TIMESTAMP' as const, isAdjustedToUTC: true, unit: 'MILLIS' as const },
  },
  ...VALUES.map((name) => ({ name, type: 'DOUBLE' as const, repetition_type: 'REQUIRED' as const })),
  { name: 'trades', type: 'INT64' as const, repetition_type: 'OPTIONAL' as const },
  { name: 'vwap', type: 'DOUBLE' as const, repetition_type: 'OPTIONAL' as const },
];

export function parquetWriter(path: string): PageWriter {
  const w = new ParquetWriter({ writer: fileWriter(path), schema: SCHEMA, createdBy: 'Trading Manager (tm export)' });
  return {
    async write(rows) {
      if (!rows.length) return;
      const n = rows.length;
      const ts = new BigInt64Array(n);
      const values = VALUES.map(() => new Float64Array(n));
      const trades: (bigint | null)[] = new Array(n);
      const vwap: (number | null)[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const r = rows[i];
        ts[i] = BigInt(r.t);
        for (let c = 0; c < VALUES.length; c++) values[c][i] = r[VALUES[c]];
        trades[i] = r.trades === null ? null : BigInt(r.trades);
        vwap[i] = r.vwap;
      }
      await w.write({
        columnData: [
          { name: 'ts', data: ts },
          ...VALUES.map((name, c) => ({ name, data: values[c] })),
          { name: 'trades', data: trades },
          { name: 'vwap', data: vwap },
        ],
        rowGroupSize: n,
      });
    },
    async finish() {
      await w.finish();
    },
  };
}
