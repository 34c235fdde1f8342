/**
 * Embedded backups: a consistent snapshot of the whole data directory (PGlite's dumpDataDir, taken
 * between queries while tm holds the directory's lock), or a plain SQL dump by pg_dump compiled to
 * WASM. Restores build the new directory beside the old one and swap only when it checks out.
 */
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.ts';
import { DataDirLock } from '../datadir-lock.ts';
import { openEmbedded, type EmbeddedDatabase } from '../pglite.ts';
import { discard, publish, tempPath } from './files.ts';
import { checkFile, describeDatabase, readManifest, type BackupContent, type Manifest } from './manifest.ts';
import { BOOKKEEPING, compareStats, listTables, tableStats } from './table-stats.ts';
import { DATA_ONLY_TIMESCALE, type RestoreResult } from './server-backup.ts';

export interface EmbeddedBackupOptions {
  db: EmbeddedDatabase;
  file: string;
  format: 'snapshot' | 'plain';
  content: BackupContent;
  log: (line: string) => void;
}

export async function createEmbeddedBackup(opts: EmbeddedBackupOptions): Promise<Manifest> {
  const { db } = opts;
  if (opts.format === 'snapshot' && opts.content !== 'full') {
    throw new UserError('a snapshot holds the whole database; for --schema-only or --data-only use --format plain');
  }
  const tmp = tempPath(opts.file);
  try {
    // Flush the WAL into the data files so the snapshot is compact and self-contained.
    await db.exec('CHECKPOINT');
    const described = await describeDatabase(db, 'embedded');
    let blob: Blob;
    if (opts.format === 'snapshot') {
      opts.log('taking a snapshot of the data directory…');
      blob = await db.dumpDataDir('gzip');
    } else {
      opts.log('running pg_dump (plain SQL)…');
      if (opts.content === 'data-only' && described.timescaledb_version) {
        throw new UserError(`--data-only is refused for a database with TimescaleDB: ${DATA_ONLY_TIMESCALE}`);
      }
      // Replayed by psql with ON_ERROR_STOP: OWNER TO / GRANT would fail for a non-superuser.
      const args = [
        '--no-owner',
        '--no-privileges',
        ...(opts.content === 'schema-only' ? ['--schema-only'] : opts.content === 'data-only' ? ['--data-only'] : []),
      ];
      blob = await db.logicalDump(args);
      if (blob.size === 0) throw new UserError('pg_dump of the embedded database produced an empty file');
    }
    writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    return await publish(tmp, opts.file, {
      ...described,
      created_at: new Date().toISOString(),
      kind: opts.format,
      content: opts.content,
    });
  } catch (err) {
    discard(tmp);
    throw err;
  }
}

/** Loads a snapshot into a throwaway in-memory instance and compares it with the manifest. */
export async function verifySnapshot(file: string, manifest: Manifest): Promise<string[]> {
  const db = await openEmbedded({ dataDir: 'memory://', loadDataDir: new Blob([readFileSync(file)]) });
  try {
    return compareStats(
      manifest.tables,
      await tableStats(
        db,
        manifest.tables.map((t) => t.table),
      ),
    );
  } finally {
    await db.close();
  }
}

async function describeExisting(dir: string): Promise<string | null> {
  if (!existsSync(dir) || readdirSync(dir).length === 0) return null;
  const db = await openEmbedded({ dataDir: dir });
  try {
    const tables = (await listTables(db)).filter((t) => !BOOKKEEPING.has(t));
    const filled = (await tableStats(db, tables)).filter((s) => s.rows > 0);
    return filled.length ? filled.map((s) => `${s.table}: ${s.rows} rows`).join(', ') : null;
  } finally {
    await db.close();
  }
}

export interface EmbeddedRestoreOptions {
  file: string;
  dir: string;
  force: boolean;
  log: (line: string) => void;
}

export async function restoreEmbeddedBackup(opts: EmbeddedRestoreOptions): Promise<RestoreResult> {
  const manifest = readManifest(opts.file);
  if (manifest.kind !== 'snapshot') {
    throw new UserError(
      `this backup is a ${manifest.kind} SQL dump; it restores into a server (--into postgres://…). ` +
        'An embedded data directory is restored from a snapshot (tm backup create without --format).',
    );
  }
  await checkFile(opts.file, manifest);
  const dir = path.resolve(opts.dir);
  const contents = await describeExisting(dir);
  if (contents && !opts.force) {
    throw new UserError(`the embedded database in ${dir} is not empty (${contents}); use --force to replace it`);
  }
  const staging = `${dir}.restoring-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    const db = await openEmbedded({ dataDir: staging, loadDataDir: new Blob([readFileSync(opts.file)]) });
    let problems: string[];
    try {
      const ts = await db.query<{ v: string }>(
        "SELECT extversion AS v FROM pg_extension WHERE extname = 'timescaledb'",
      );
      const have = ts.rows[0]?.v ?? null;
      if (manifest.timescaledb_version && have !== manifest.timescaledb_version) {
        opts.log(
          `warning: the snapshot was made with TimescaleDB ${manifest.timescaledb_version}, this build has ${have}`,
        );
      }
      problems = compareStats(
        manifest.tables,
        await tableStats(
          db,
          manifest.tables.map((t) => t.table),
        ),
      );
    } finally {
      await db.close();
    }
    if (problems.length)
      throw new UserError(
        `the restored data does not match the manifest: ${problems.join('; ')}; the target was left as it was`,
      );
    swapInto(staging, dir);
    return { target: dir, manifest, problems };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/** Replaces dir with staging while holding dir's lock, so no tm process is using it meanwhile. */
function swapInto(staging: string, dir: string): void {
  const existed = existsSync(dir);
  // Refused (naming the holder) while another process uses it.
  const lock = existed ? DataDirLock.acquire(dir) : null;
  const old = `${dir}.replaced-${process.pid}`;
  try {
    if (existed) renameSync(dir, old);
    renameSync(staging, dir);
    rmSync(old, { recursive: true, force: true });
  } finally {
    lock?.release();
  }
}
