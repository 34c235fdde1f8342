/**
 * npm run bench:ingest -- [--rows 5000000] [--assets 500]
 * rows/s of the product's import (CSV → validation → staging COPY → upsert) vs a raw COPY of the same
 * candles into candles vs naive 1000-row INSERTs, each into an empty candles table, in one run.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import os from 'node:os';
import path from 'node:path';
import { openCsv } from '../src/market/import/csv-reader.ts';
import { importCandles } from '../src/market/import/importer.ts';
import { randomWalk } from '../src/market/demo.ts';
import type { Database } from '../src/db/types.ts';
import { arg, describeDb, machine, openBenchDb, printTable } from './common.ts';

const rows = arg('rows', 5_000_000);
const assets = Math.min(arg('assets', 500), rows);
const perAsset = Math.ceil(rows / assets);
const START = Date.UTC(2024, 0, 1);

async function write(
  file: string,
  header: string,
  line: (sym: number, b: ReturnType<typeof randomWalk> extends Generator<infer B> ? B : never) => string,
) {
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  // Time-major order, as a multi-symbol market data dump would be.
  const walks = Array.from({ length: assets }, (_, i) => randomWalk(42, i, '1m', START, START + perAsset * 60_000));
  let n = 0;
  for (let t = 0; t < perAsset && n < rows; t++) {
    for (let a = 0; a < assets && n < rows; a++, n++) {
      const b = walks[a].next().value;
      if (!b) continue;
      if (!out.write(`${line(a, b)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  }
  await new Promise<void>((r) => out.end(() => r()));
}

async function reset(db: Database) {
  await db.exec("DELETE FROM candles WHERE asset_id IN (SELECT id FROM assets WHERE exchange = 'BENCH')");
}

async function* lines(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let first = true;
  for await (const l of rl) {
    if (first) first = false;
    else yield l;
  }
}

const { db, cleanup } = await openBenchDb();
const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-bench-ingest-'));
try {
  console.log(`bench:ingest — ${rows} 1m candles, ${assets} assets — ${await describeDb(db)} — ${machine()}`);
  const ids: string[] = [];
  for (let a = 0; a < assets; a++) {
    const r = await db.query<{ id: string }>(
      `INSERT INTO assets (symbol, name, asset_type, exchange) VALUES ($1, $1, 'stock', 'BENCH')
       ON CONFLICT (symbol, (coalesce(exchange, ''))) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
      [`B${String(a).padStart(4, '0')}`],
    );
    ids.push(r.rows[0].id);
  }
  await reset(db);
  const csv = path.join(dir, 'candles.csv');
  const raw = path.join(dir, 'raw.csv');
  await write(
    csv,
    'symbol,ts,open,high,low,close,volume,trades',
    (a, b) =>
      `B${String(a).padStart(4, '0')}:BENCH,${new Date(b.ts).toISOString()},${b.open},${b.high},${b.low},${b.close},${b.volume},${b.trades}`,
  );
  await write(
    raw,
    'asset_id,ts,interval,open,high,low,close,volume,trades',
    (a, b) =>
      `${ids[a]},${new Date(b.ts).toISOString()},1m,${b.open},${b.high},${b.low},${b.close},${b.volume},${b.trades}`,
  );
  console.log(`CSV: ${(statSync(csv).size / 2 ** 20).toFixed(1)} MiB`);
  const results: Record<string, string | number>[] = [];
  const record = async (method: string, fn: () => Promise<number>) => {
    await reset(db);
    if (db.backend === 'embedded') await db.exec('CHECKPOINT');
    const t0 = performance.now();
    const n = await fn();
    const s = (performance.now() - t0) / 1000;
    const stored = (
      await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM candles c JOIN assets a ON a.id = c.asset_id WHERE a.exchange = 'BENCH'",
      )
    ).rows[0].n;
    results.push({ method, rows: n, stored, seconds: s.toFixed(1), 'rows/s': Math.round(n / s) });
    console.log(`  ${method}: ${Math.round(n / s)} rows/s`);
  };

  await record('tm import (validate + staging COPY + upsert)', async () => {
    const src = await openCsv(csv);
    const s = await importCandles(db, src.rows, { interval: '1m' });
    return s.inserted;
  });
  await record('raw COPY, 100k-row batches', async () => {
    let batch: string[] = [];
    let n = 0;
    const flush = async () => {
      n += await db.copyFrom(
        `COPY candles (asset_id, ts, "interval", open, high, low, close, volume, trades) FROM STDIN WITH (FORMAT csv)`,
        `${batch.join('\n')}\n`,
      );
      batch = [];
    };
    for await (const l of lines(raw)) {
      batch.push(l);
      if (batch.length >= 100_000) await flush();
    }
    if (batch.length) await flush();
    if (db.backend === 'embedded') await db.exec('CHECKPOINT');
    return n;
  });
  await record('naive 1000-row INSERT statements', async () => {
    // The baseline a hand-written loader would use: multi-row VALUES with bind parameters.
    let batch: string[][] = [];
    let n = 0;
    const flush = async () => {
      const params: unknown[] = [];
      const placeholder = (v: unknown) => `$${params.push(v)}`; // push returns the new length
      const values = batch.map((f) => `(${f.map(placeholder).join(', ')})`);
      const r = await db.query(
        `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume, trades) VALUES ${values.join(', ')}`,
        params,
      );
      n += r.rowCount;
      batch = [];
    };
    for await (const l of lines(raw)) {
      batch.push(l.split(','));
      if (batch.length >= 1000) await flush();
    }
    if (batch.length) await flush();
    if (db.backend === 'embedded') await db.exec('CHECKPOINT');
    return n;
  });
  printTable(results);
  await reset(db);
  await db.exec("DELETE FROM assets WHERE exchange = 'BENCH'");
} finally {
  rmSync(dir, { recursive: true, force: true });
  await cleanup();
}
