/**
 * timescaledb-tune's formulas (github.com/timescale/timescaledb-tune, pkg/pgtune) for a machine's
 * memory, CPUs and connection count, printed as postgresql.conf lines or ALTER SYSTEM statements, and
 * applied to a server with ALTER SYSTEM. docs/timescaledb.md lists every formula.
 */
import os from 'node:os';
import type { Database } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { backgroundWorkersFor } from './workers.ts';

export { countDatabases } from './workers.ts';

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;

export interface TuneInput {
  memoryBytes: number;
  cpus: number;
  maxConnections: number;
  /** Databases on the server (each gets a TimescaleDB scheduler); 1 when not given. */
  databases?: number;
}

export interface Setting {
  name: string;
  value: string;
  /** The formula, for people. */
  why: string;
}

/** "16GB", "512MB", "16G", "2048M", "1.5GB" → bytes. */
export function parseMemory(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(k|kb|m|mb|g|gb|t|tb)?\s*$/i.exec(text);
  if (!m) throw new UserError(`--memory "${text}" is not a size: use e.g. 16GB, 512MB`);
  const unit = (m[2] ?? 'b').toLowerCase()[0];
  const mult = { b: 1, k: KB, m: MB, g: GB, t: 1024 * GB }[unit as 'b' | 'k' | 'm' | 'g' | 't'];
  const bytes = Math.floor(Number(m[1]) * mult);
  if (bytes < 256 * MB) throw new UserError(`--memory ${text} is too small to tune for (at least 256MB)`);
  return bytes;
}

/** Bytes as PostgreSQL writes sizes: whole kB, shown in the largest unit that divides it exactly. */
export function pgSize(bytes: number): string {
  const kb = Math.floor(bytes / KB);
  if (kb % (GB / KB) === 0) return `${kb / (GB / KB)}GB`;
  if (kb % (MB / KB) === 0) return `${kb / (MB / KB)}MB`;
  return `${kb}kB`;
}

/** A size setting's value ("4GB", "10485kB") in bytes: for comparing with the server's settings. */
export function sizeBytes(value: string): number {
  const m = /^(\d+)(kB|MB|GB|TB)$/.exec(value);
  if (!m) return Number.NaN;
  return Number(m[1]) * { kB: KB, MB, GB, TB: 1024 * GB }[m[2] as 'kB' | 'MB' | 'GB' | 'TB'];
}

export function machineDefaults(): TuneInput {
  return { memoryBytes: os.totalmem(), cpus: os.availableParallelism(), maxConnections: 100 };
}

/** What the user gave (--memory 16GB, --cpus, --max-connections), the rest from this machine. */
export function tuneInput(opts: {
  memory?: string;
  cpus?: number;
  maxConnections?: number;
  databases?: number;
}): TuneInput {
  const d = machineDefaults();
  return {
    memoryBytes: opts.memory ? parseMemory(opts.memory) : d.memoryBytes,
    cpus: opts.cpus ?? d.cpus,
    maxConnections: opts.maxConnections ?? d.maxConnections,
    ...(opts.databases !== undefined ? { databases: opts.databases } : {}),
  };
}

export function recommend(input: TuneInput): Setting[] {
  const { memoryBytes: mem, cpus, maxConnections: conns } = input;
  if (!Number.isInteger(cpus) || cpus < 1) throw new UserError(`--cpus must be a positive integer, got ${cpus}`);
  if (!Number.isInteger(conns) || conns < 1)
    throw new UserError(`--max-connections must be a positive integer, got ${conns}`);
  const gigs = mem / GB;
  const cpuFactor = Math.round(cpus / 2);
  const databases = input.databases ?? 1;
  if (!Number.isInteger(databases) || databases < 1)
    throw new UserError(`--databases must be a positive integer, got ${databases}`);
  const backgroundWorkers = backgroundWorkersFor(databases);
  const maxLocks = mem >= 32 * GB ? 512 : mem >= 16 * GB ? 256 : mem >= 8 * GB ? 128 : 64;
  const out: Setting[] = [
    { name: 'shared_buffers', value: pgSize(mem / 4), why: 'RAM / 4' },
    { name: 'effective_cache_size', value: pgSize((mem * 3) / 4), why: 'RAM * 3/4' },
    {
      name: 'maintenance_work_mem',
      value: pgSize(Math.min(gigs * 128 * MB, 2047 * MB)),
      why: '128MB per GB of RAM, at most 2047MB',
    },
    {
      name: 'work_mem',
      value: pgSize((gigs * ((6.4 * 20 * MB) / conns)) / Math.max(1, cpuFactor)),
      why: 'RAM in GB * (128MB / max_connections) / round(cpus / 2)',
    },
    { name: 'shared_preload_libraries', value: 'timescaledb', why: 'TimescaleDB must be preloaded' },
    {
      name: 'timescaledb.max_background_workers',
      value: String(backgroundWorkers),
      why: 'max(8, 1 launcher + a scheduler per database + 4 jobs at once)',
    },
  ];
  // timescaledb-tune makes no parallelism advice for a single CPU.
  if (cpus === 1 && backgroundWorkers > 8) {
    out.push({
      name: 'max_worker_processes',
      value: String(3 + backgroundWorkers),
      why: '3 built-in + background workers',
    });
  }
  if (cpus > 1) {
    out.push(
      {
        name: 'max_worker_processes',
        value: String(3 + backgroundWorkers + cpus),
        why: '3 built-in + background workers + cpus',
      },
      { name: 'max_parallel_workers', value: String(cpus), why: 'cpus' },
      { name: 'max_parallel_workers_per_gather', value: String(cpuFactor), why: 'round(cpus / 2)' },
    );
  }
  out.push(
    {
      name: 'wal_buffers',
      value: mem < 2 * GB ? pgSize(gigs * 7864 * KB) : '16MB',
      why: '16MB; below 2GB of RAM 7864kB per GB',
    },
    { name: 'min_wal_size', value: '512MB', why: 'max_wal_size / 2' },
    { name: 'max_wal_size', value: '1GB', why: '1GB (no WAL disk size given)' },
    { name: 'checkpoint_completion_target', value: '0.9', why: 'constant' },
    { name: 'default_statistics_target', value: '500', why: 'constant' },
    { name: 'random_page_cost', value: '1.1', why: 'constant (SSD)' },
    { name: 'effective_io_concurrency', value: '200', why: 'constant (SSD, Linux)' },
    { name: 'max_connections', value: String(Math.max(100, conns)), why: 'max(100, --max-connections)' },
    {
      name: 'max_locks_per_transaction',
      value: String(maxLocks),
      why: '64 below 8GB RAM, 128 below 16GB, 256 below 32GB, else 512',
    },
  );
  return out;
}

export function formatConf(settings: Setting[]): string {
  return settings
    .map((s) => `${s.name} = ${/^[0-9.]+$/.test(s.value) ? s.value : `'${s.value}'`}    # ${s.why}`)
    .join('\n');
}

export function formatSql(settings: Setting[]): string {
  return settings.map((s) => `ALTER SYSTEM SET ${s.name} = '${s.value}';`).join('\n');
}

export interface ApplyResult {
  applied: { name: string; value: string; restart_required: boolean }[];
  skipped: { name: string; reason: string }[];
  restart_required: boolean;
}

/** ALTER SYSTEM for each setting the server knows, then a reload; says which need a restart. */
export async function applySettings(db: Database, settings: Setting[]): Promise<ApplyResult> {
  if (db.backend !== 'server') {
    throw new UserError(
      'tune --apply writes ALTER SYSTEM on a PostgreSQL server; the embedded database has fixed settings (use --format conf to see the advice)',
    );
  }
  const known = await db.query<{ name: string; context: string }>(
    'SELECT name, context FROM pg_settings WHERE name = ANY($1::text[])',
    [settings.map((s) => s.name)],
  );
  const ctx = new Map(known.rows.map((r) => [r.name, r.context]));
  const result: ApplyResult = { applied: [], skipped: [], restart_required: false };
  for (const s of settings) {
    const context = ctx.get(s.name);
    if (!context) {
      result.skipped.push({ name: s.name, reason: 'not a setting of this server (extension not loaded?)' });
      continue;
    }
    let value = `'${s.value.replace(/'/g, "''")}'`;
    if (s.name === 'shared_preload_libraries') {
      const libs = await preloadList(db, s.value);
      if ('skip' in libs) {
        result.skipped.push({ name: s.name, reason: libs.skip });
        continue;
      }
      value = libs.value;
    }
    try {
      // ALTER SYSTEM takes no bind parameters: the name is from our list, the value is quoted.
      await db.exec(`ALTER SYSTEM SET ${s.name} = ${value}`);
    } catch (err) {
      const msg = (err as Error).message;
      if (/permission denied|must be superuser/i.test(msg)) {
        throw new UserError(
          `ALTER SYSTEM needs a superuser: ${msg}. Fix: run tm tune --apply with a superuser DATABASE_URL, or paste tm tune --format conf into postgresql.conf`,
          403,
        );
      }
      result.skipped.push({ name: s.name, reason: msg });
      continue;
    }
    const restart = context === 'postmaster';
    result.applied.push({ name: s.name, value: s.value, restart_required: restart });
    if (restart) result.restart_required = true;
  }
  await db.query('SELECT pg_reload_conf()');
  return result;
}

/**
 * shared_preload_libraries with `lib` added to what the server preloads now, as ALTER SYSTEM wants a
 * list: one quoted literal per library ('a,b' would be one library named "a,b"). Skipped when the
 * server lacks the library (it would then not start) or already preloads it.
 */
async function preloadList(db: Database, lib: string): Promise<{ value: string } | { skip: string }> {
  const r = await db.query<{ current: string; available: boolean }>(
    `SELECT current_setting('shared_preload_libraries') AS current,
            EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = $1) AS available`,
    [lib],
  );
  const { current, available } = r.rows[0];
  const libs = current
    .split(',')
    .map((x) => x.trim().replace(/^"(.*)"$/, '$1'))
    .filter(Boolean);
  if (libs.includes(lib)) return { skip: `already preloads ${lib}` };
  if (!available) return { skip: `${lib} is not installed on this server (PostgreSQL would not start with it)` };
  return { value: [...libs, lib].map((x) => `'${x.replace(/'/g, "''")}'`).join(', ') };
}
