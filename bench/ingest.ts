/**
 * npm run bench:ingest -- [--rows 5000000] [--assets 500] [--repeat 1] [--no-staged] [--import-only] [--out DIR]
 * --import-only runs only `tm import` and prints its peak RSS (a memory check: --rows 5000000 --import-only).
 * rows/s of the product's import (`tm import`: CSV → validation → direct binary COPY, see
 * src/market/import/direct.ts) vs a raw single-stream COPY of the same candles into candles vs naive 1000-row
 * INSERTs, each into an empty candles table, in one run; also the staged path (staging COPY → checks → upsert,
 * what a re-import or an overlapping file takes) unless --no-staged. Prints the import's ratio to the raw COPY
 * and the process's peak RSS after the import, and writes docs/bench/ingest.{json,svg} (one group per backend:
 * a run replaces its own backend's group and keeps the other's).
 */
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import os from 'node:os';
import path from 'node:path';
import { openCsv } from '../src/market/import/csv-reader.ts';
import { importCandles } from '../src/market/import/importer.ts';
import { randomWalk } from '../src/market/demo.ts';
import type { Database } from '../src/db/types.ts';
import { arg, describeDb, machine, openBenchDb, printTable } from './common.ts';
import { ratio, writeReport, type BarGroup } from './report.ts';

const rows = arg('rows', 5_000_000);
const assets = Math.min(arg('assets', 500), rows);
const perAsset = Math.ceil(rows / assets);
const repeat = arg('repeat', 1);
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
  // The series bounds and write log too: every method starts from series with no candles.
  await db.transaction(async (tx) => {
    // Emptied here: the triggers that record plain SQL's deletes (migration 0012) need not, row by row.
    await tx.query("SELECT set_config('tm.series_recorded', 'on', true)");
    for (const t of ['candles', 'candle_series', 'candle_writes'])
      await tx.exec(`DELETE FROM ${t} WHERE asset_id IN (SELECT id FROM assets WHERE exchange = 'BENCH')`);
  });
}

async function* lines(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let first = true;
  for await (const l of rl) {
    if (first) first = false;
    else yield l;
  }
}

/** Keeps the other backend's group from an earlier run: one chart shows both. */
function writeIngestReport(group: BarGroup, details: Record<string, unknown>): void {
  const i = process.argv.indexOf('--out');
  const dir = i >= 0 ? process.argv[i + 1] : path.join(import.meta.dirname, '..', 'docs', 'bench');
  const file = path.join(dir, 'ingest.json');
  const before = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { groups: BarGroup[]; details?: Record<string, unknown> })
    : { groups: [], details: {} };
  const groups = [...before.groups.filter((g) => g.label !== group.label), group].sort((a, b) =>
    a.label.localeCompare(b.label),
  );
  writeReport({
    name: 'ingest',
    title: `Candle import vs a raw COPY (1m candles, ${rows.toLocaleString('en-US')} rows, ${assets} assets)`,
    unit: 'rows/s',
    better: 'higher',
    groups,
    details: { ...before.details, [group.label]: details },
  });
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
  const rate: Record<string, number> = {};
  const rssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
  let importRss = 0;
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
    if (stored !== rows) throw new Error(`${method}: ${stored} rows stored, expected ${rows}`);
    const r = Math.round(n / s);
    rate[method] = Math.max(rate[method] ?? 0, r);
    results.push({ method, rows: n, stored, seconds: s.toFixed(1), 'rows/s': r, 'peak RSS MiB': rssMiB() });
    console.log(`  ${method}: ${r} rows/s (peak RSS so far ${rssMiB()} MiB)`);
  };
  const methods: [string, () => Promise<number>][] = [];
  const method = (name: string, fn: () => Promise<number>) => void methods.push([name, fn]);

  const IMPORT = 'tm import';
  const STAGED = 'tm import, staged path';
  const COPY = 'raw COPY';
  const INSERTS = '1000-row INSERTs';
  method(IMPORT, async () => {
    const src = await openCsv(csv);
    const s = await importCandles(db, src.rows, { interval: '1m' });
    return s.inserted;
  });
  const importOnly = process.argv.includes('--import-only');
  if (!process.argv.includes('--no-staged') && !importOnly) {
    method(STAGED, async () => {
      const src = await openCsv(csv);
      const s = await importCandles(db, src.rows, { interval: '1m', direct: false });
      return s.inserted;
    });
  }
  if (!importOnly)
    method(COPY, async () => {
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
  if (!importOnly)
    method(INSERTS, async () => {
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
  // The machine is shared: each method runs `repeat` times in rotation and the best run counts (other
  // work only ever slows a run down).
  for (let i = 0; i < repeat; i++) {
    for (const [name, fn] of methods) {
      await record(name, fn);
      if (name === IMPORT && i === 0) importRss = rssMiB();
    }
  }
  printTable(results);
  if (importOnly) {
    // A memory check (--rows 5000000 --import-only): no ratio, and the report keeps the last full run.
    console.log(`peak RSS after the import of ${rows} rows: ${importRss} MiB`);
  } else {
    const note = ratio(rate[IMPORT], rate[COPY]);
    const best = repeat > 1 ? `best of ${repeat}: ` : '';
    console.log(`${best}tm import ${rate[IMPORT]} rows/s, raw COPY ${rate[COPY]} rows/s: ${note} (${db.backend})`);
    console.log(`peak RSS after the first import: ${importRss} MiB`);
    writeIngestReport(
      {
        label: db.backend,
        bars: [IMPORT, STAGED, COPY, INSERTS]
          .filter((m) => rate[m] !== undefined)
          .map((m) => ({ series: m, value: rate[m] })),
        note: `${note} COPY`,
      },
      { rows, assets, repeat, db: await describeDb(db), importPeakRssMiB: importRss, best: rate, results },
    );
  }
  await reset(db);
  await db.exec("DELETE FROM assets WHERE exchange = 'BENCH'");
} finally {
  rmSync(dir, { recursive: true, force: true });
  await cleanup();
}
