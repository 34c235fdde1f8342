/**
 * npm run bench:export -- [--rows 1000000]
 * Size and speed of `tm export candles` in each format for one series of --rows 1m candles, the peak RSS
 * of the process during each export (it holds one page of 50,000 rows, so the peak does not grow with
 * --rows), and the rows/s of `tm import candles --format freqtrade` reading the freqtrade files back
 * into another symbol. DATABASE_URL = a server; unset = a throwaway embedded database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomWalk } from '../src/market/demo.ts';
import { exportCandles } from '../src/market/export/exporter.ts';
import { EXPORT_FORMATS } from '../src/market/export/layout.ts';
import { openFreqtrade } from '../src/market/import/freqtrade-reader.ts';
import { importCandles } from '../src/market/import/importer.ts';
import type { RawCandle } from '../src/market/import/validate.ts';
import { arg, describeDb, machine, openBenchDb, printTable } from './common.ts';

const rows = arg('rows', 1_000_000);
const START = Date.UTC(2020, 0, 1);

async function* walk(): AsyncGenerator<RawCandle> {
  let line = 1;
  for (const b of randomWalk(7, 0, '1m', START, START + rows * 60_000)) yield { line: line++, ...b };
}

/**
 * Runs fn while sampling memory; returns its result, the peak RSS and the peak JavaScript memory (heap
 * and array buffers: what the export itself holds; the RSS also counts the embedded database's WASM
 * heap) in MB, and the CPU seconds the process used (on a loaded machine, wall time is mostly waiting).
 */
async function peak<T>(fn: () => Promise<T>): Promise<{ value: T; rssMb: number; jsMb: number; cpuS: number }> {
  const js = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  let rss = process.memoryUsage().rss;
  let heap = js();
  const sample = () => {
    rss = Math.max(rss, process.memoryUsage().rss);
    heap = Math.max(heap, js());
  };
  const timer = setInterval(sample, 20);
  const cpu = process.cpuUsage();
  try {
    const value = await fn();
    sample();
    const used = process.cpuUsage(cpu);
    return {
      value,
      rssMb: Math.round(rss / 2 ** 20),
      jsMb: Math.round(heap / 2 ** 20),
      cpuS: Math.round((used.user + used.system) / 1e4) / 100,
    };
  } finally {
    clearInterval(timer);
  }
}

const { db, cleanup } = await openBenchDb();
const out = mkdtempSync(path.join(os.tmpdir(), 'tm-bench-export-'));
try {
  console.log(`${machine()}\n${await describeDb(db)}\n${rows} rows of 1m candles`);
  const loaded = await importCandles(db, walk(), {
    interval: '1m',
    symbol: 'BTCUSDT:BENCH',
    createAssetType: 'crypto',
  });
  console.log(`loaded ${loaded.inserted} candles in ${loaded.seconds}s; load average ${os.loadavg()[0].toFixed(1)}`);
  const table: Record<string, string | number>[] = [];
  const files: Record<string, string> = {};
  for (const format of EXPORT_FORMATS) {
    const {
      value: s,
      rssMb,
      jsMb,
      cpuS,
    } = await peak(() => exportCandles(db, { symbol: 'BTCUSDT:BENCH', interval: '1m', format, outDir: out }));
    files[format] = s.file;
    table.push({
      step: `export ${format}`,
      rows: s.rows,
      seconds: s.seconds,
      'rows/s': Math.round(s.rows / s.seconds),
      MB: (s.bytes / 1e6).toFixed(1),
      'bytes/row': (s.bytes / s.rows).toFixed(1),
      'CPU s': cpuS,
      'peak JS MB': jsMb,
      'peak RSS MB': rssMb,
    });
  }
  for (const [format, symbol] of [
    ['freqtrade-json', 'COPYJ'],
    ['freqtrade-feather', 'COPYF'],
  ] as const) {
    const {
      value: s,
      rssMb,
      jsMb,
      cpuS,
    } = await peak(async () => {
      const src = await openFreqtrade(files[format]);
      return importCandles(db, src.rows, { interval: '1m', symbol, createAssetType: 'crypto' });
    });
    table.push({
      step: `import --format freqtrade (${format.slice(10)})`,
      rows: s.inserted,
      seconds: s.seconds,
      'rows/s': Math.round(s.inserted / s.seconds),
      MB: '',
      'bytes/row': '',
      'CPU s': cpuS,
      'peak JS MB': jsMb,
      'peak RSS MB': rssMb,
    });
  }
  printTable(table);
  console.log(`load average at the end: ${os.loadavg()[0].toFixed(1)}`);
} finally {
  rmSync(out, { recursive: true, force: true });
  await cleanup();
}
