/**
 * The manifest written beside every backup (FILE.manifest.json): what was backed up, from where,
 * and how to check it. Restore and verify read it before touching anything.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { UserError } from '../../errors.ts';
import type { Backend, Queryable } from '../types.ts';
import { timescaleVersion } from '../info.ts';
import { Migrator } from '../migrate/migrator.ts';
import { tableStats, type TableStat } from './table-stats.ts';

export const MANIFEST_VERSION = 1;

export type BackupKind = 'snapshot' | 'custom' | 'plain';
export type BackupContent = 'full' | 'schema-only' | 'data-only';

export interface Manifest {
  manifest_version: number;
  tool: 'trading-manager';
  created_at: string;
  backend: Backend;
  /** snapshot: the embedded data directory (tar.gz); custom/plain: pg_dump formats. */
  kind: BackupKind;
  content: BackupContent;
  postgres_version: string;
  timescaledb_version: string | null;
  schema_revision: string | null;
  tables: TableStat[];
  file: { name: string; bytes: number; sha256: string };
}

export function manifestPath(file: string): string {
  return `${file}.manifest.json`;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Everything but the file facts, read from the database being backed up. */
export async function describeDatabase(
  q: Queryable,
  backend: Backend,
): Promise<Omit<Manifest, 'kind' | 'content' | 'file' | 'created_at'>> {
  // One query at a time: q may be a single connection inside a snapshot transaction.
  const version = await q.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  const ts = await timescaleVersion(q);
  const status = await new Migrator(null).status(q);
  const tables = await tableStats(q);
  return {
    manifest_version: MANIFEST_VERSION,
    tool: 'trading-manager',
    backend,
    postgres_version: version.rows[0].v,
    timescaledb_version: ts,
    schema_revision: status.current,
    tables,
  };
}

export function readManifest(file: string): Manifest {
  const path = manifestPath(file);
  if (!existsSync(file)) throw new UserError(`backup file ${file} does not exist`);
  if (!existsSync(path)) {
    throw new UserError(
      `${path} is missing: a backup is the file and its manifest beside it (made by tm backup create)`,
    );
  }
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (err) {
    throw new UserError(`${path} is not valid JSON (${(err as Error).message})`);
  }
  if (m.tool !== 'trading-manager' || typeof m.manifest_version !== 'number' || !m.file?.sha256) {
    throw new UserError(`${path} is not a Trading Manager backup manifest`);
  }
  if (m.manifest_version > MANIFEST_VERSION) {
    throw new UserError(`${path} was written by a newer tm (manifest version ${m.manifest_version}); upgrade tm`);
  }
  return m;
}

/** Refuses a backup whose bytes are not the ones the manifest describes (truncated, corrupted, swapped). */
export async function checkFile(file: string, m: Manifest): Promise<void> {
  const sum = await sha256File(file);
  if (sum !== m.file.sha256) {
    throw new UserError(
      `backup file ${file} is corrupt or truncated: its sha256 does not match the manifest (expected ${m.file.sha256.slice(0, 12)}…, got ${sum.slice(0, 12)}…); nothing was restored`,
    );
  }
}
