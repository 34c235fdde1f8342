/**
 * Server backups with pg_dump/pg_restore, TimescaleDB-aware. The manifest's row counts and checksums
 * come from the very snapshot pg_dump reads (pg_export_snapshot + --snapshot), so a busy database
 * still gives a manifest that matches its dump.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../errors.ts';
import { openServer } from '../server.ts';
import { describeUrl } from '../url.ts';
import type { Database } from '../types.ts';
import { timescaleVersion } from '../info.ts';
import { discard, publish, sizeTicker, tempPath } from './files.ts';
import { checkFile, describeDatabase, readManifest, type BackupContent, type Manifest } from './manifest.ts';
import { findTool, libpqEnv, runTool, serverMajor } from './pg-tools.ts';
import { BOOKKEEPING, compareStats, listTables, tableStats } from './table-stats.ts';

export interface ServerBackupOptions {
  url: string;
  file: string;
  format: 'custom' | 'plain';
  content: BackupContent;
  log: (line: string) => void;
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
        if (opts.content === 'data-only') {
          if (described.timescaledb_version)
            throw new UserError(`--data-only is refused for a database with TimescaleDB: ${DATA_ONLY_TIMESCALE}`);
          args.push('--data-only');
        }
        // Plain SQL is replayed by psql with ON_ERROR_STOP: OWNER TO / GRANT would fail for a non-superuser.
        if (opts.format === 'plain') args.push('--no-owner', '--no-privileges');
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

/** Why a data-only backup of a TimescaleDB database cannot work, and what to use instead. */
export const DATA_ONLY_TIMESCALE =
  'TimescaleDB keeps its catalog (hypertables, chunks, jobs) in extension tables that pg_dump --data-only dumps too, so restoring such a backup into a migrated database fails on duplicate keys. Use a full backup (the default) restored into an empty database, or --schema-only for the structure';

/** The extension on the target: installed version, default and every version the server offers. */
async function targetTimescale(
  db: Database,
): Promise<{ installed: string | null; default: string | null; offered: string[] }> {
  const installed = await timescaleVersion(db);
  const def = await db.query<{ v: string }>(
    "SELECT default_version AS v FROM pg_available_extensions WHERE name = 'timescaledb'",
  );
  const offered = await db.query<{ v: string }>(
    "SELECT version AS v FROM pg_available_extension_versions WHERE name = 'timescaledb'",
  );
  return { installed, default: def.rows[0]?.v ?? null, offered: offered.rows.map((r) => r.v) };
}

function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * Checks that the backup's TimescaleDB can be restored on the target (pg_dump/restore of
 * TimescaleDB needs the same extension version on both sides) and returns the version to create,
 * or null when the target already has it. Throws before anything is touched.
 */
export function timescaleForRestore(
  manifest: Pick<Manifest, 'timescaledb_version' | 'backend'>,
  target: { installed: string | null; offered: string[] },
  where: string,
): string | null {
  const v = manifest.timescaledb_version;
  if (!v) return null;
  const embedded = manifest.backend === 'embedded' || /-dev$/.test(v);
  const embeddedNote = embedded
    ? ` This backup comes from the embedded database, whose TimescaleDB build (${v}) no server offers: embedded backups restore into embedded data directories (snapshots, tm backup restore FILE --into DIR). To move embedded data to a server, migrate the server (tm migrate upgrade) and load the candles with tm import candles (see docs/backup.md).`
    : '';
  if (target.offered.length === 0) {
    throw new UserError(
      `the backup holds TimescaleDB ${v} data but ${where} has no TimescaleDB; install TimescaleDB ${v} there first; nothing was restored.${embeddedNote}`,
    );
  }
  if (target.installed && target.installed !== v) {
    throw new UserError(
      `the backup was made with TimescaleDB ${v} but ${where} has TimescaleDB ${target.installed} installed; a TimescaleDB restore needs the same version on both sides. ` +
        `Fix: restore into a new database without the extension, or (for an empty target) run DROP EXTENSION timescaledb as the first command of a fresh session (psql -X); ` +
        `if ${v} is newer, ALTER EXTENSION timescaledb UPDATE TO ${quoteLiteral(v)} works too; nothing was restored.${embeddedNote}`,
    );
  }
  if (target.installed) return null;
  if (!target.offered.includes(v)) {
    throw new UserError(
      `the backup was made with TimescaleDB ${v}, which ${where} does not offer (it has ${target.offered.join(', ')}); a TimescaleDB restore needs the same version on both sides. ` +
        `Fix: install TimescaleDB ${v} on the server (its packages keep older versions loadable), restore, then ALTER EXTENSION timescaledb UPDATE; nothing was restored.${embeddedNote}`,
    );
  }
  return v;
}

/**
 * Restores a pg_dump backup into a server database. Everything that can be checked is checked
 * before the target is touched; then emptying the target (with --force), creating the extension,
 * timescaledb_pre_restore(), the restore itself and timescaledb_post_restore() run in ONE psql
 * transaction, so a restore that fails anywhere leaves the target as it was. A custom-format
 * backup is first turned into an SQL script by pg_restore (in TMPDIR), so a damaged file is found
 * before the target is touched.
 */
export async function restoreServerBackup(opts: RestoreOptions): Promise<RestoreResult> {
  const manifest = readManifest(opts.file);
  if (manifest.kind === 'snapshot') {
    throw new UserError(
      'this backup is a snapshot of an embedded database: restore it into a data directory (--into DIR); a server cannot load it',
    );
  }
  if (manifest.content === 'data-only' && manifest.timescaledb_version) {
    throw new UserError(
      `this is a data-only backup of a TimescaleDB database: ${DATA_ONLY_TIMESCALE}; nothing was restored`,
    );
  }
  await checkFile(opts.file, manifest);
  const where = describeUrl(opts.url);
  let db = await openServer(opts.url, { max: 2 });
  const work = mkdtempSync(path.join(os.tmpdir(), 'tm-restore-'));
  try {
    const major = await serverMajor(db);
    const psql = findTool('psql', major);
    const env = libpqEnv(opts.url);
    const target = await targetTimescale(db);
    const wipe = await planTarget(db, manifest.content, opts.force);
    // A --force wipe drops the extension: it is created again at the backup's version (checked above).
    const kept = timescaleForRestore(manifest, target, where);
    const createVersion = wipe.includes(DROP_EXTENSION) ? manifest.timescaledb_version : kept;

    let script = opts.file;
    if (manifest.kind === 'custom') {
      script = path.join(work, 'restore.sql');
      const pgRestore = findTool('pg_restore', major);
      const conv = await runTool(pgRestore, ['--no-owner', '--no-privileges', `--file=${script}`, opts.file], env);
      if (conv.code !== 0)
        throw new UserError(
          `backup file ${opts.file} cannot be read by pg_restore: ${tail(conv.stderr)}; nothing was restored`,
        );
    }
    const useTimescale = !!manifest.timescaledb_version;
    const prelude = path.join(work, 'prelude.sql');
    const postlude = path.join(work, 'postlude.sql');
    writeFileSync(
      prelude,
      [
        ...wipe,
        ...(createVersion
          ? [`CREATE EXTENSION IF NOT EXISTS timescaledb VERSION ${quoteLiteral(createVersion)};`]
          : []),
        ...(useTimescale ? [callInExtensionSchema('timescaledb_pre_restore')] : []),
        // The backup holds candle_series: the triggers that record plain SQL's candle writes (migration
        // 0012) must not record the restored candles again (a data-only restore fires them).
        "SELECT set_config('tm.series_recorded', 'on', true);",
        '',
      ].join('\n'),
    );
    writeFileSync(postlude, useTimescale ? `${callInExtensionSchema('timescaledb_post_restore')}\n` : '\n');
    // -1 wraps all three files in one transaction; ON_ERROR_STOP rolls it back at the first error.
    const res = await runTool(
      psql,
      ['-X', '--single-transaction', '-v', 'ON_ERROR_STOP=1', '--quiet', '-f', prelude, '-f', script, '-f', postlude],
      env,
    );
    if (res.code !== 0) {
      // pre_restore stopped the background workers; post_restore starts them again.
      if (target.installed) await db.query('SELECT timescaledb_post_restore()').catch(() => undefined);
      throw new UserError(
        `restore failed (exit ${res.code}): ${tail(res.stderr)}; it ran as one transaction, so the target was left as it was`,
      );
    }
    // TimescaleDB caches catalog entries per connection: after a restore re-created the extension, only a
    // new connection sees the restored tables right.
    await db.close();
    db = await openServer(opts.url, { max: 2 });
    if (useTimescale) {
      const now = await timescaleVersion(db);
      if (now && target.default && now !== target.default) {
        opts.log(
          `TimescaleDB is at ${now} (the backup's version); ALTER EXTENSION timescaledb UPDATE brings it to ${target.default}, the newest this server offers (run it as the first command of a fresh session: psql -X)`,
        );
      }
    }
    const problems = await compareWithManifest(db, manifest);
    return { target: where, manifest, problems };
  } finally {
    rmSync(work, { recursive: true, force: true });
    await db.close();
  }
}

export async function compareWithManifest(db: Database, manifest: Manifest): Promise<string[]> {
  if (manifest.content === 'schema-only') {
    const have = new Set(await listTables(db));
    return manifest.tables.filter((t) => !have.has(t.table)).map((t) => `table ${t.table} is missing`);
  }
  return compareStats(
    manifest.tables,
    await tableStats(
      db,
      manifest.tables.map((t) => t.table),
    ),
  );
}

/**
 * Refuses a non-empty target unless forced; returns the SQL that empties it the way the backup
 * needs, run later inside the restore's transaction. A database whose public schema has no tables
 * is empty even with the timescaledb extension installed (the official image creates it in
 * template1, so every new database has it).
 */
const DROP_EXTENSION = 'DROP EXTENSION IF EXISTS timescaledb CASCADE;';

/**
 * SELECT schema.fn() for a TimescaleDB function, with the schema the extension lives in: a pg_dump
 * script empties search_path, so an unqualified call after it finds nothing.
 */
function callInExtensionSchema(fn: string): string {
  return `DO $$ BEGIN EXECUTE format('SELECT %s.${fn}()', (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'timescaledb')); END $$;`;
}

async function planTarget(db: Database, content: BackupContent, force: boolean): Promise<string[]> {
  const tables = await listTables(db);
  if (content === 'data-only') {
    // A data-only backup goes into a migrated, empty schema.
    const stats = await tableStats(
      db,
      tables.filter((t) => !BOOKKEEPING.has(t)),
    );
    const filled = stats.filter((s) => s.rows > 0);
    if (filled.length && !force) {
      throw new UserError(
        `the target database is not empty (${filled.map((s) => `${s.table}: ${s.rows} rows`).join(', ')}); use --force to replace its data`,
      );
    }
    return tables.length
      ? [`TRUNCATE ${tables.map((t) => `public."${t.replace(/"/g, '""')}"`).join(', ')} CASCADE;`]
      : [];
  }
  if (tables.length && !force) {
    throw new UserError(
      `the target database is not empty (${tables.length} tables in public); use --force to replace it`,
    );
  }
  if (!force) return [];
  // Drop the extension too: its catalog (hypertables, chunks, jobs) comes back with the restore.
  return [DROP_EXTENSION, 'DROP SCHEMA IF EXISTS public CASCADE;', 'CREATE SCHEMA public;'];
}
