/**
 * npm run bench:sync -- [--candles 200000]
 * Backfill throughput (candles/s) of `tm sync backfill` from a local server answering like Binance
 * (1000-row pages over HTTP) against `tm import` of the same candles from a CSV file, each into an
 * empty range of its own asset, in one run. Goal: sync ≥ 0.8× import.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCsv } from '../src/market/import/csv-reader.ts';
import { ingestCandles } from '../src/ingest/ingest.ts';
import { syncRange } from '../src/sync/engine.ts';
import { createProvider } from '../src/sync/providers/index.ts';
import { addSource } from '../src/sync/sources.ts';
import { fakeCandle, startFakeMarkets } from '../test/helpers/fake-markets.ts';
import { arg, describeDb, machine, openBenchDb, printTable } from './common.ts';
import { writeReport } from './report.ts';

const candles = arg('candles', 200_000);
const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;

const fake = await startFakeMarkets();
fake.now = () => T0 + candles * MIN + 10_000;
const { db, cleanup } = await openBenchDb();
const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-bench-sync-'));
try {
  console.log(`bench:sync — ${candles} 1m candles — ${await describeDb(db)} — ${machine()}`);
  await db.exec("DELETE FROM candles WHERE asset_id IN (SELECT id FROM assets WHERE exchange = 'BENCH')");
  await db.exec("DELETE FROM assets WHERE exchange = 'BENCH'");
  const results: Record<string, string | number>[] = [];

  // tm import of the same candles, from a CSV file.
  const csv = path.join(dir, 'candles.csv');
  const out = createWriteStream(csv);
  out.write('ts,open,high,low,close,volume,trades\n');
  for (let i = 0; i < candles; i++) {
    const c = fakeCandle('1m', T0 + i * MIN);
    if (!out.write(`${new Date(c.ts).toISOString()},${c.open},${c.high},${c.low},${c.close},${c.volume},${c.trades}\n`))
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  await db.query(
    `INSERT INTO assets (symbol, name, asset_type, exchange) VALUES ('IMPORTB', 'IMPORTB', 'crypto', 'BENCH')`,
  );
  let t = performance.now();
  const imp = await ingestCandles(db, (await openCsv(csv)).rows, { interval: '1m', symbol: 'IMPORTB:BENCH' });
  const importS = (performance.now() - t) / 1000;
  results.push({
    run: 'tm import (CSV file)',
    candles: imp.inserted,
    requests: '-',
    seconds: importS.toFixed(2),
    'candles/s': Math.round(imp.inserted / importS),
    'vs import': '1.00',
  });

  // Backfill from the local Binance-like server, at two commit batch sizes.
  const env = { TM_BINANCE_URL: fake.url };
  for (const batch of [25_000, 50_000]) {
    const sym = `SYNCB${batch / 1000}K`;
    fake.markets.set(sym, { listedFrom: T0 });
    const source = await addSource(db, { asset: `${sym}:BENCH`, provider: 'binance', intervals: ['1m'] });
    t = performance.now();
    const r = await syncRange(db, createProvider('binance', env), source, '1m', T0, T0 + candles * MIN, {
      batchCandles: batch,
    });
    const s = (performance.now() - t) / 1000;
    results.push({
      run: `tm sync backfill (binance pages, ${batch / 1000}k-candle commits)`,
      candles: r.inserted,
      requests: r.requests,
      seconds: s.toFixed(2),
      'candles/s': Math.round(r.inserted / s),
      'vs import': (importS / s).toFixed(2),
    });
  }
  printTable(results);
  writeReport({
    name: 'sync',
    title: `Sync backfill vs tm import: ${candles} 1m candles, ${db.backend}`,
    unit: 'candles/s',
    better: 'higher',
    groups: results.map((r) => ({
      label: String(r.run).replace(/^tm sync backfill \(binance pages, (\w+)-candle commits\)$/, 'sync, $1 commits'),
      bars: [{ series: 'candles/s', value: Number(r['candles/s']) }],
      note: `${r['vs import']}× import`,
    })),
    details: { candles, backend: db.backend, results },
  });
} finally {
  await fake.close();
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
}
