/**
 * npm run bench:ingest -- [--rows 1000000] [--assets 500] [--repeat 1] [--server] [--shapes new,newest,append,reimport,overlap]
 *                         [--staged] [--cli] [--import-only] [--out DIR]
 *
 * The shapes users' imports have, each timed as `tm import candles` runs it (CSV → validation → the direct COPY
 * and/or the staged upsert, src/market/import/) against a raw COPY of the same rows:
 * - new:      `--rows` 1m candles of `--assets` symbols that are not assets yet (created by the import);
 * - newest:   the same file newest first;
 * - append:   the second half of every series, the first half stored;
 * - reimport: the whole file again, all of it stored (changes nothing);
 * - overlap:  the whole file, its first half stored (half staged and upserted, half direct).
 * The raw COPY loads the file's rows (asset ids instead of symbols) into the state the import started from,
 * less the rows it would collide with (reimport, overlap: into empty series): in-process (`db.copyFrom`,
 * 100,000-row batches) and, on a server, `psql \copy` of the same file. `--staged` adds the new-symbol file
 * with the direct path off (the upsert path alone); `--cli` (a server) adds the new-symbol file imported by the
 * `tm` command itself (bin/tm.js, a process of its own, as `psql \copy` is). The database: DATABASE_URL (a scratch database: BENCH
 * assets are added and removed), `--server` a throwaway cluster with fsync on, else a fresh embedded one.
 * --import-only runs only the new-symbol import and prints its peak RSS (--rows 5000000 --import-only).
 * Writes docs/bench/ingest.{json,svg}: one group per backend and shape (a run replaces its backend's groups).
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openCsv } from '../src/market/import/csv-reader.ts';
import { importCandles, type ImportSummary } from '../src/market/import/importer.ts';
import { randomWalk } from '../src/market/demo.ts';
import { arg, describeDb, machine, printTable } from './common.ts';
import { openIngestDb } from './ingest-db.ts';
import { ratio, writeReport, type BarGroup } from './report.ts';

const rows = arg('rows', 1_000_000);
const assets = Math.min(arg('assets', 500), rows);
const perAsset = Math.ceil(rows / assets);
const half = Math.floor(perAsset / 2);
const repeat = arg('repeat', 1);
const START = Date.UTC(2024, 0, 1);
const PSQL = '/usr/lib/postgresql/15/bin/psql';
const COLUMNS = 'asset_id, ts, "interval", open, high, low, close, volume, trades';
const symbol = (a: number) => `S${String(a).padStart(3, '0')}`;
/** The raw COPY's asset ids: fixed, so the raw files can be written once. */
const assetId = (a: number) => `00000000-0000-4000-8000-${String(a).padStart(12, '0')}`;

type Bar = ReturnType<typeof randomWalk> extends Generator<infer B> ? B : never;

/** Rows [from, to) of every series, time-major as a multi-symbol market data dump would be. */
async function write(file: string, header: string, line: (a: number, b: Bar) => string, from: number, to: number) {
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  const walks = Array.from({ length: assets }, (_, i) => randomWalk(42, i, '1m', START, START + perAsset * 60_000));
  for (let t = 0; t < to; t++) {
    for (let a = 0; a < assets && t * assets + a < rows; a++) {
      const b = walks[a].next().value;
      if (!b || t < from) continue;
      if (!out.write(`${line(a, b)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  }
  await new Promise<void>((r) => out.end(() => r()));
}

/** The same rows, newest first (as some data sites export them). */
async function writeNewestFirst(from: string, to: string) {
  const [header, ...lines] = readFileSync(from, 'utf8').trimEnd().split('\n');
  const out = createWriteStream(to);
  out.write(`${header}\n`);
  for (let i = lines.length - 1; i >= 0; i--)
    if (!out.write(`${lines[i]}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((r) => out.end(() => r()));
}

const { db, url, cleanup, ownDatabase } = await openIngestDb();
const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-bench-ingest-'));

/** No BENCH candles, series, write log or assets (TRUNCATE on a database of the bench's own). */
async function reset() {
  if (ownDatabase) await db.exec('TRUNCATE candles, candle_series, candle_writes');
  else
    await db.transaction(async (tx) => {
      await tx.query("SELECT set_config('tm.series_recorded', 'on', true)");
      for (const t of ['candles', 'candle_series', 'candle_writes'])
        await tx.exec(`DELETE FROM ${t} WHERE asset_id IN (SELECT id FROM assets WHERE exchange = 'BENCH')`);
    });
  await db.exec("DELETE FROM assets WHERE exchange = 'BENCH'");
  if (db.backend === 'embedded') await db.exec('CHECKPOINT');
}

const file = (name: string) => path.join(dir, name);
const importFile = (f: string): Promise<ImportSummary> =>
  openCsv(f).then((src) => importCandles(db, src.rows, { interval: '1m', createAssetType: 'stock' }));

/** The raw COPY's starting point: the assets with fixed ids, and the stored rows of the shape. */
async function rawAssets() {
  await db.query(
    `INSERT INTO assets (id, symbol, name, asset_type, exchange)
     SELECT ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'S' || lpad(i::text, 3, '0'),
            'S' || lpad(i::text, 3, '0'), 'stock', 'BENCH' FROM generate_series(0, $1::int - 1) AS i`,
    [assets],
  );
}

async function copyInProcess(f: string): Promise<number> {
  const fh = await open(f);
  let n = 0;
  let batch: string[] = [];
  const flush = async () => {
    n += await db.copyFrom(`COPY candles (${COLUMNS}) FROM STDIN WITH (FORMAT csv)`, `${batch.join('\n')}\n`);
    batch = [];
  };
  let first = true;
  for await (const l of fh.readLines()) {
    if (first) first = false;
    else batch.push(l);
    if (batch.length >= 100_000) await flush();
  }
  if (batch.length) await flush();
  if (db.backend === 'embedded') await db.exec('CHECKPOINT');
  return n;
}

function psqlCopy(f: string): number {
  const out = execFileSync(
    PSQL,
    [url ?? '', '-At', '-c', `\\copy candles (${COLUMNS}) FROM '${f}' WITH (FORMAT csv, HEADER)`],
    {
      encoding: 'utf8',
    },
  );
  return Number(/COPY (\d+)/.exec(out)?.[1] ?? rows);
}

/** `tm import candles FILE` as a user runs it: its own process, its own connection. */
function cliImport(f: string): string {
  const tm = path.join(import.meta.dirname, '..', 'bin', 'tm.js');
  const out = execFileSync(
    process.execPath,
    [tm, 'import', 'candles', f, '--interval', '1m', '--asset-type', 'stock', '--json'],
    { encoding: 'utf8', env: { ...process.env, DATABASE_URL: url ?? '' } },
  );
  const x = JSON.parse(out) as { path: string; inserted: number };
  return `(${x.path}: ${x.inserted} ins)`;
}

interface Shape {
  name: string;
  label: string;
  /** Untimed: the stored state the import starts from. */
  setup?: () => Promise<unknown>;
  file: string;
  raw: string;
  /** The raw COPY's stored state (rows it would collide with left out). */
  rawSetup?: () => Promise<unknown>;
  /** The rows the file has. */
  rows: number;
}

try {
  console.log(`bench:ingest — ${rows} 1m candles, ${assets} assets — ${await describeDb(db)} — ${machine()}`);
  const line = (a: number, b: Bar) =>
    `${symbol(a)}:BENCH,${new Date(b.ts).toISOString()},${b.open},${b.high},${b.low},${b.close},${b.volume},${b.trades}`;
  const rawLine = (a: number, b: Bar) =>
    `${assetId(a)},${new Date(b.ts).toISOString()},1m,${b.open},${b.high},${b.low},${b.close},${b.volume},${b.trades}`;
  const header = 'symbol,ts,open,high,low,close,volume,trades';
  const rawHeader = 'asset_id,ts,interval,open,high,low,close,volume,trades';
  await write(file('full.csv'), header, line, 0, perAsset);
  await write(file('first.csv'), header, line, 0, half);
  await write(file('second.csv'), header, line, half, perAsset);
  await write(file('raw-full.csv'), rawHeader, rawLine, 0, perAsset);
  await write(file('raw-first.csv'), rawHeader, rawLine, 0, half);
  await write(file('raw-second.csv'), rawHeader, rawLine, half, perAsset);
  const secondRows = rows - Math.min(rows, half * assets);
  const all: Shape[] = [
    { name: 'new', label: 'new symbols', file: file('full.csv'), raw: file('raw-full.csv'), rows },
    {
      name: 'newest',
      label: 'new symbols, newest first',
      file: file('newest-first.csv'),
      raw: file('raw-full.csv'),
      rows,
    },
    {
      name: 'append',
      label: 'append',
      setup: () => importFile(file('first.csv')),
      file: file('second.csv'),
      raw: file('raw-second.csv'),
      rawSetup: () => copyInProcess(file('raw-first.csv')),
      rows: secondRows,
    },
    {
      name: 'reimport',
      label: 're-import',
      setup: () => importFile(file('full.csv')),
      file: file('full.csv'),
      raw: file('raw-full.csv'),
      rows,
    },
    {
      name: 'overlap',
      label: 'half overlap',
      setup: () => importFile(file('first.csv')),
      file: file('full.csv'),
      raw: file('raw-full.csv'),
      rows,
    },
  ];
  const pick = process.argv.indexOf('--shapes');
  const wanted = pick >= 0 ? process.argv[pick + 1].split(',') : all.map((s) => s.name);
  const importOnly = process.argv.includes('--import-only');
  const shapes = importOnly ? all.slice(0, 1) : all.filter((s) => wanted.includes(s.name));
  // Only when it runs: it reads the whole file into memory (and --import-only reports the peak RSS).
  if (shapes.some((s) => s.name === 'newest')) await writeNewestFirst(file('full.csv'), file('newest-first.csv'));

  const results: Record<string, string | number>[] = [];
  const best = new Map<string, number>();
  const rssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
  const time = async (
    shape: Shape,
    method: string,
    setup: (() => Promise<unknown>) | undefined,
    fn: () => Promise<string>,
  ) => {
    await reset();
    if (!method.startsWith('tm ')) await rawAssets();
    await setup?.();
    if (db.backend === 'embedded') await db.exec('CHECKPOINT');
    const t0 = performance.now();
    const detail = await fn();
    const s = (performance.now() - t0) / 1000;
    const r = Math.round(shape.rows / s);
    const key = `${shape.name}|${method}`;
    best.set(key, Math.max(best.get(key) ?? 0, r));
    results.push({ shape: shape.label, method, rows: shape.rows, seconds: s.toFixed(2), 'rows/s': r, detail });
    console.log(`  ${shape.label}, ${method}: ${s.toFixed(2)} s, ${r} rows/s ${detail}`);
  };
  const describe = (x: ImportSummary) =>
    `(${x.path}: ${x.parts.map((p) => `${p.rows} ${p.path}`).join(', ')}; ${x.inserted} ins, ${x.updated} upd, ${x.skipped} skip)`;
  for (let i = 0; i < repeat; i++) {
    for (const shape of shapes) {
      await time(shape, 'tm import', shape.setup, async () => describe(await importFile(shape.file)));
      if (importOnly) continue;
      if (shape.name === 'new' && process.argv.includes('--staged'))
        await time(shape, 'tm import, staged only', undefined, async () => {
          const src = await openCsv(shape.file);
          return describe(
            await importCandles(db, src.rows, { interval: '1m', createAssetType: 'stock', direct: false }),
          );
        });
      if (shape.name === 'new' && url && process.argv.includes('--cli'))
        await time(shape, 'tm import (CLI)', undefined, async () => cliImport(shape.file));
      await time(shape, 'raw COPY', shape.rawSetup, async () => `(${await copyInProcess(shape.raw)} rows)`);
      if (url) await time(shape, 'psql \\copy', shape.rawSetup, async () => `(${psqlCopy(shape.raw)} rows)`);
    }
  }
  printTable(results);
  if (importOnly) {
    console.log(`peak RSS after the import of ${rows} rows: ${rssMiB()} MiB`);
  } else {
    const groups: BarGroup[] = [];
    for (const shape of shapes) {
      const get = (m: string) => best.get(`${shape.name}|${m}`);
      const imp = get('tm import') ?? 0;
      const copy = get('raw COPY') ?? 0;
      const psql = get('psql \\copy');
      const cli = get('tm import (CLI)');
      const note =
        `${ratio(imp, copy)} COPY${psql ? `, ${ratio(imp, psql)} psql \\copy` : ''}` +
        (cli && psql ? `; the CLI ${ratio(cli, psql)} psql \\copy` : '');
      console.log(`${shape.label} (${db.backend}): tm import ${imp} rows/s — ${note}`);
      groups.push({
        label: `${db.backend}: ${shape.label}`,
        bars: ['tm import', 'tm import (CLI)', 'tm import, staged only', 'raw COPY', 'psql \\copy']
          .filter((m) => get(m) !== undefined)
          .map((m) => ({ series: m, value: get(m) ?? 0 })),
        note,
      });
    }
    writeIngestReport(groups, { rows, assets, repeat, db: await describeDb(db), results });
  }
  await reset();
} finally {
  rmSync(dir, { recursive: true, force: true });
  await cleanup();
}

/** Keeps the other backend's groups from an earlier run: one chart shows both. */
function writeIngestReport(groups: BarGroup[], details: Record<string, unknown>): void {
  const i = process.argv.indexOf('--out');
  const out = i >= 0 ? process.argv[i + 1] : path.join(import.meta.dirname, '..', 'docs', 'bench');
  const f = path.join(out, 'ingest.json');
  const before = existsSync(f)
    ? (JSON.parse(readFileSync(f, 'utf8')) as { groups: BarGroup[]; details?: Record<string, unknown> })
    : { groups: [], details: {} };
  const backend = `${db.backend}:`;
  const kept = before.groups.filter((g) => !g.label.startsWith(backend) && g.label.includes(':'));
  writeReport({
    name: 'ingest',
    title: `Candle import vs a raw COPY of the same rows (1m candles, ${rows.toLocaleString('en-US')} rows, ${assets} assets)`,
    unit: 'rows/s',
    better: 'higher',
    groups: [...kept, ...groups].sort((a, b) => a.label.localeCompare(b.label)),
    details: { ...before.details, [db.backend]: details },
  });
}
