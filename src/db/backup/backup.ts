/**
 * tm backup: create, restore, verify and base backups, choosing the mechanism for the backend.
 * pg_dump, pg_restore and pg_basebackup hold one session for long: they use DATABASE_DIRECT_URL when set.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config.ts';
import { UserError } from '../../errors.ts';
import { timescaleVersion } from '../info.ts';
import { sessionUrl } from '../connect.ts';
import { openServer } from '../server.ts';
import { openEmbeddedOrShared } from '../share/open.ts';
import { withDatabase } from '../url.ts';
import { createEmbeddedBackup, restoreEmbeddedBackup, verifySnapshot } from './embedded-backup.ts';
import { checkFile, readManifest, type BackupContent, type Manifest } from './manifest.ts';
import { findTool, libpqEnv, runTool, serverMajor } from './pg-tools.ts';
import { createServerBackup, restoreServerBackup, type RestoreResult } from './server-backup.ts';

export interface CreateOptions {
  file: string;
  format?: 'custom' | 'plain' | 'snapshot';
  content: BackupContent;
  log: (line: string) => void;
}

export async function createBackup(config: Config, opts: CreateOptions): Promise<Manifest> {
  const file = path.resolve(opts.file);
  if (!existsSync(path.dirname(file))) throw new UserError(`directory ${path.dirname(file)} does not exist`);
  if (config.databaseUrl) {
    if (opts.format === 'snapshot')
      throw new UserError(
        'snapshots are for the embedded database; a server backup is --format custom (default) or plain',
      );
    return createServerBackup({
      url: sessionUrl(config) ?? config.databaseUrl,
      file,
      format: opts.format ?? 'custom',
      content: opts.content,
      log: opts.log,
    });
  }
  if (opts.format === 'custom') {
    throw new UserError(
      'the embedded database makes snapshots (default) or plain SQL dumps (--format plain); custom format needs a server',
    );
  }
  const format = opts.format ?? (opts.content === 'full' ? 'snapshot' : 'plain');
  // Beside tm serve the snapshot is taken by it, between its queries.
  const db = await openEmbeddedOrShared(config.dataDir, { log: opts.log });
  try {
    return await createEmbeddedBackup({ db, file, format, content: opts.content, log: opts.log });
  } finally {
    await db.close();
  }
}

const isUrl = (s: string) => /^postgres(ql)?:\/\//.test(s);

export async function restoreBackup(
  config: Config,
  opts: { file: string; into?: string; force: boolean; log: (l: string) => void },
): Promise<RestoreResult> {
  const into = opts.into ?? sessionUrl(config) ?? config.dataDir;
  if (isUrl(into)) return restoreServerBackup({ file: opts.file, url: into, force: opts.force, log: opts.log });
  if (into.startsWith('memory://'))
    throw new UserError('cannot restore into memory://: give a directory with --into DIR');
  return restoreEmbeddedBackup({ file: opts.file, dir: into, force: opts.force, log: opts.log });
}

export interface VerifyResult {
  file: string;
  kind: Manifest['kind'];
  content: BackupContent;
  tables: number;
  rows: number;
  problems: string[];
}

/**
 * Restores into a scratch place and compares row counts and checksums with the manifest.
 * Snapshots need nothing; SQL dumps need a server (--into URL or DATABASE_URL) where the user may
 * create a database.
 */
export async function verifyBackup(
  config: Config,
  opts: { file: string; into?: string; log: (l: string) => void },
): Promise<VerifyResult> {
  const manifest = readManifest(opts.file);
  await checkFile(opts.file, manifest);
  const summary = {
    file: opts.file,
    kind: manifest.kind,
    content: manifest.content,
    tables: manifest.tables.length,
    rows: manifest.tables.reduce((n, t) => n + t.rows, 0),
  };
  if (manifest.kind === 'snapshot') return { ...summary, problems: await verifySnapshot(opts.file, manifest) };
  const serverUrl = opts.into ?? sessionUrl(config);
  if (!serverUrl || !isUrl(serverUrl)) {
    throw new UserError(
      'verifying an SQL dump restores it into a scratch database on a server: give --into postgres://… (a user that may CREATE DATABASE) or set DATABASE_URL',
    );
  }
  const scratch = `tm_verify_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = await openServer(serverUrl, { max: 1 });
  try {
    await admin.exec(`CREATE DATABASE ${scratch}`);
    try {
      await fitScratchExtension(withDatabase(serverUrl, scratch), manifest.timescaledb_version);
      const res = await restoreServerBackup({
        file: opts.file,
        url: withDatabase(serverUrl, scratch),
        force: false,
        log: opts.log,
      });
      return { ...summary, problems: res.problems };
    } finally {
      await admin.exec(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    }
  } finally {
    await admin.close();
  }
}

/**
 * A new database inherits template1's extensions (the timescale/timescaledb image creates
 * timescaledb there). When that version is not the backup's, the scratch database drops it, so the
 * restore can create the backup's version in a fresh session.
 */
async function fitScratchExtension(url: string, want: string | null): Promise<void> {
  const db = await openServer(url, { max: 1 });
  try {
    const have = await timescaleVersion(db);
    if (have && have !== want) await db.exec('DROP EXTENSION timescaledb CASCADE');
  } finally {
    await db.close();
  }
}

/** pg_basebackup of a server into DIR (tar, gzip, WAL streamed), written beside and renamed when complete. */
export async function baseBackup(
  config: Config,
  opts: { dir: string; log: (l: string) => void },
): Promise<{ dir: string; files: string[] }> {
  if (!config.databaseUrl) {
    throw new UserError(
      'tm backup base needs a server (DATABASE_URL); the embedded database is backed up with tm backup create',
    );
  }
  const dir = path.resolve(opts.dir);
  if (existsSync(dir) && readdirSync(dir).length) throw new UserError(`${dir} exists and is not empty`);
  const url = sessionUrl(config) ?? config.databaseUrl;
  const db = await openServer(url, { max: 1 });
  let major: number;
  try {
    major = await serverMajor(db);
  } finally {
    await db.close();
  }
  const tool = findTool('pg_basebackup', major);
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const args = ['-D', tmp, '-F', 'tar', '-z', '-X', 'stream', '-c', 'fast', '--manifest-checksums=SHA256'];
  if (process.stderr.isTTY) args.push('-P');
  const res = await runTool(tool, args, libpqEnv(url), process.stderr.isTTY ? (l) => opts.log(l) : undefined);
  if (res.code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    const hint = /replication/.test(res.stderr)
      ? ' (the user needs the REPLICATION attribute and a pg_hba.conf "replication" entry)'
      : '';
    throw new UserError(
      `pg_basebackup failed (exit ${res.code})${hint}: ${res.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, files: readdirSync(dir).sort() };
}
