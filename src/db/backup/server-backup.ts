/**
 * Server backups with pg_dump/pg_restore, TimescaleDB-aware. The manifest's row counts and checksums
 * come from the very snapshot pg_dump reads (pg_export_snapshot + --snapshot), so a busy database
 * still gives a manifest that matches its dump.
 */
import { UserError } from '../../errors.ts';
import { openServer } from '../server.ts';
import { describeUrl } from '../url.ts';
import type { Database } from '../types.ts';
import { timescaleVersion } from '../info.ts';
import { discard, publish, sizeTicker, tempPath } from './files.ts';
import { checkFile, describeDatabase, readManifest, type BackupContent, type Manifest } from './manifest.ts';
import { findTool, libpqEnv, runTool } from './pg-tools.ts';
import { compareStats, listTables, tableStats } from './table-stats.ts';

export interface ServerBackupOptions {
  url: string;
  file: string;
  format: 'custom' | 'plain';
  content: BackupContent;
  log: (line: string) => void;
}

async function serverMajor(db: Database): Promise<number> {
  const r = await db.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
  return Math.floor(Number(r.rows[0].v) / 10000);
}

function tail(stderr: string): string {
  return stderr.trim().split('\n').slice(-5).join(' | ');
}

export async function createServerBackup(opts: ServerBackupOptions): Promise<Manifest> {
  const db = await openServer(opts.url, { max: 2 });
  const tmp = tempPath(opts.file);
  try {
    const pgDump = findTool('pg_dump', await serverMajor(db));
    return await db.session(async (s) => {
      await s.exec('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const snap = await s.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
        const described = await describeDatabase(s, 'server');
        const args = [`--format=${opts.format}`, `--file=${tmp}`, `--snapshot=${snap.rows[0].id}`];
        if (opts.content === 'schema-only') args.push('--schema-only');
        if (opts.content === 'data-only') args.push('--data-only');
        const stop = sizeTicker('pg_dump', tmp);
        const res = await runTool(pgDump, args, libpqEnv(opts.url)).finally(stop);
        if (res.code !== 0) throw new UserError(`pg_dump failed (exit ${res.code}): ${tail(res.stderr)}`);
        return await publish(tmp, opts.file, {
          ...described,
          created_at: new Date().toISOString(),
          kind: opts.format,
          content: opts.content,
        });
      } finally {
        await s.exec('COMMIT').catch(() => undefined);
      }
    });
  } catch (err) {
    discard(tmp);
    throw err;
  } finally {
    await db.close();
  }
}

/** Tables that bookkeeping fills on every migrated database; they do not make it "non-empty". */
const BOOKKEEPING = new Set(['schema_migrations', 'app_meta']);

export interface RestoreOptions {
  file: string;
  url: string;
  force: boolean;
  log: (line: string) => void;
}

export interface RestoreResult {
  target: string;
  manifest: Manifest;
  problems: string[];
}

export async function restoreServerBackup(opts: RestoreOptions): Promise<RestoreResult> {
  const manifest = readManifest(opts.file);
  if (manifest.kind === 'snapshot') {
    throw new UserError('this backup is a snapshot of an embedded database: restore it into a data directory (--into DIR), or make a plain dump (tm backup create --format plain) to move to a server');
  }
  // Everything that can be checked is checked before the target is touched.
  await checkFile(opts.file, manifest);
  const db = await openServer(opts.url, { max: 2 });
  try {
    const major = await serverMajor(db);
    const tool = manifest.kind === 'custom' ? findTool('pg_restore', major) : findTool('psql', major);
    const env = libpqEnv(opts.url);
    if (manifest.kind === 'custom') {
      const list = await runTool(tool, ['--list', opts.file], env);
      if (list.code !== 0) throw new UserError(`backup file ${opts.file} cannot be read by pg_restore: ${tail(list.stderr)}; nothing was restored`);
    }
    const available = await db.query<{ v: string | null }>("SELECT default_version AS v FROM pg_available_extensions WHERE name = 'timescaledb'");
    const targetTs = available.rows[0]?.v ?? null;
    if (manifest.timescaledb_version && !targetTs) {
      throw new UserError(`the backup holds TimescaleDB ${manifest.timescaledb_version} data but ${describeUrl(opts.url)} has no TimescaleDB; install it there first`);
    }
    if (manifest.timescaledb_version && targetTs && manifest.timescaledb_version !== targetTs) {
      opts.log(`warning: the backup was made with TimescaleDB ${manifest.timescaledb_version}, the target has ${targetTs}; run ALTER EXTENSION timescaledb UPDATE afterwards if needed`);
    }
    await prepareTarget(db, manifest.content, opts.force);

    const useTimescale = !!manifest.timescaledb_version;
    if (useTimescale) {
      if (manifest.content !== 'data-only') await db.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
      await db.query('SELECT timescaledb_pre_restore()');
    }
    let res;
    try {
      // One transaction: a restore that fails part-way leaves nothing of itself behind.
      const args =
        manifest.kind === 'custom'
          ? ['--single-transaction', '--exit-on-error', '--no-owner', `--dbname=${env.PGDATABASE ?? ''}`, opts.file]
          : ['--single-transaction', '-v', 'ON_ERROR_STOP=1', '--quiet', '-f', opts.file];
      res = await runTool(tool, args, env);
    } finally {
      if (useTimescale) await db.query('SELECT timescaledb_post_restore()').catch(() => undefined);
    }
    if (res.code !== 0) throw new UserError(`restore failed (exit ${res.code}): ${tail(res.stderr)}`);
    const problems = await compareWithManifest(db, manifest);
    return { target: describeUrl(opts.url), manifest, problems };
  } finally {
    await db.close();
  }
}

export async function compareWithManifest(db: Database, manifest: Manifest): Promise<string[]> {
  if (manifest.content === 'schema-only') {
    const have = new Set(await listTables(db));
    return manifest.tables.filter((t) => !have.has(t.table)).map((t) => `table ${t.table} is missing`);
  }
  return compareStats(manifest.tables, await tableStats(db, manifest.tables.map((t) => t.table)));
}

/** Refuses a non-empty target unless forced; with force, empties it the way the backup needs. */
async function prepareTarget(db: Database, content: BackupContent, force: boolean): Promise<void> {
  const tables = await listTables(db);
  if (content === 'data-only') {
    // A data-only backup goes into a migrated, empty schema.
    const stats = await tableStats(db, tables.filter((t) => !BOOKKEEPING.has(t)));
    const filled = stats.filter((s) => s.rows > 0);
    if (filled.length && !force) {
      throw new UserError(`the target database is not empty (${filled.map((s) => `${s.table}: ${s.rows} rows`).join(', ')}); use --force to replace its data`);
    }
    if (tables.length) await db.exec(`TRUNCATE ${tables.map((t) => `public."${t}"`).join(', ')} CASCADE`);
    return;
  }
  const ts = await timescaleVersion(db);
  if ((tables.length || ts) && !force) {
    throw new UserError(`the target database is not empty (${tables.length} tables${ts ? ', TimescaleDB installed' : ''}); use --force to replace it`);
  }
  if (force) {
    // Drop the extension too: its catalog (hypertables, chunks, jobs) comes back with the restore.
    await db.exec('DROP EXTENSION IF EXISTS timescaledb CASCADE');
    await db.exec('DROP SCHEMA IF EXISTS public CASCADE');
    await db.exec('CREATE SCHEMA public');
  }
}
