/**
 * Shared by the benchmarks: arguments, the database (a fresh embedded data dir in a temp directory by
 * default, DATABASE_URL when set: use a scratch database, the benchmarks add and remove BENCH assets),
 * percentiles and table printing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEmbedded } from '../src/db/pglite.ts';
import { openServer } from '../src/db/server.ts';
import { Migrator } from '../src/db/migrate/migrator.ts';
import type { Database } from '../src/db/types.ts';

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

export async function openBenchDb(): Promise<{ db: Database; cleanup: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const db = await openServer(url, { max: 4 });
    await new Migrator(db).upgrade('head');
    return { db, cleanup: () => db.close() };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-bench-'));
  const db = await openEmbedded({ dataDir: path.join(dir, 'data') });
  await new Migrator(db).upgrade('head');
  return {
    db,
    cleanup: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function describeDb(db: Database): Promise<string> {
  const r = await db.query<{ pg: string; ts: string | null }>(
    "SELECT current_setting('server_version') AS pg, (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS ts",
  );
  return `${db.backend} (PostgreSQL ${r.rows[0].pg}, TimescaleDB ${r.rows[0].ts ?? 'not installed'})`;
}

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

export function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function printTable(rows: Record<string, string | number>[]): void {
  const cols = Object.keys(rows[0]);
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals: string[]) => `| ${vals.map((v, i) => v.padEnd(w[i])).join(' | ')} |`;
  console.log(line(cols));
  console.log(`|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`);
  for (const r of rows) console.log(line(cols.map((c) => String(r[c]))));
}

/** p50 and p95 of `runs` calls after one warm-up call, in ms. */
export async function time(fn: () => Promise<unknown>, runs: number): Promise<{ p50: number; p95: number }> {
  await fn(); // warm-up
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { p50: percentile(t, 50), p95: percentile(t, 95) };
}
