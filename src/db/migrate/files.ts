/**
 * Migration files: `NNNN_slug.sql` with `-- migrate:up` and `-- migrate:down` sections, and an
 * optional `-- migrate:no-transaction` line for statements PostgreSQL refuses inside a transaction.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../errors.ts';
import { splitSql, type SqlStatement } from './split-sql.ts';

/**
 * Read from src/db/migrations whether tm runs from source (this file) or compiled (a chunk in dist/), so
 * `tm migrate revision` writes where the files are committed and the build has nothing to copy.
 */
const compiled = !import.meta.url.endsWith('.ts');
export const MIGRATIONS_DIR = fileURLToPath(
  new URL(compiled ? '../src/db/migrations/' : '../migrations/', import.meta.url),
);

const FILE_RE = /^(\d{4,})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  /** The revision id, e.g. "0001". */
  revision: string;
  /** The slug from the file name, e.g. "initial_schema". */
  name: string;
  /** The human message from the header, falling back to the slug. */
  message: string;
  file: string;
  up: SqlStatement[];
  down: SqlStatement[];
  transactional: boolean;
  /** sha256 of the file, to notice an applied migration edited afterwards. */
  checksum: string;
}

export function parseMigration(file: string, text: string): Migration {
  const m = FILE_RE.exec(path.basename(file));
  if (!m) throw new UserError(`migration file name ${path.basename(file)} does not match NNNN_name.sql`);
  const lines = text.split('\n');
  const upAt = lines.findIndex((l) => l.trim() === '-- migrate:up');
  const downAt = lines.findIndex((l) => l.trim() === '-- migrate:down');
  if (upAt === -1 || downAt === -1 || downAt < upAt) {
    throw new UserError(
      `${path.basename(file)} needs a "-- migrate:up" section followed by a "-- migrate:down" section`,
    );
  }
  // Blank lines keep the statements' line numbers those of the file.
  const section = (from: number, to: number) => lines.map((l, i) => (i > from && i < to ? l : '')).join('\n');
  const message = /^-- Message:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? m[2].replace(/_/g, ' ');
  // Split on first use: every command checks the schema revision, few run a migration's statements.
  let up: SqlStatement[] | undefined;
  let down: SqlStatement[] | undefined;
  return {
    revision: m[1],
    name: m[2],
    message,
    file,
    get up() {
      up ??= splitSql(section(upAt, downAt));
      return up;
    },
    get down() {
      down ??= splitSql(section(downAt, lines.length));
      return down;
    },
    transactional: !lines.some((l) => l.trim() === '-- migrate:no-transaction'),
    checksum: createHash('sha256').update(text).digest('hex'),
  };
}

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const migrations = files.map((f) => parseMigration(path.join(dir, f), readFileSync(path.join(dir, f), 'utf8')));
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].revision === migrations[i - 1].revision) {
      throw new UserError(
        `two migrations share revision ${migrations[i].revision}: ${path.basename(migrations[i - 1].file)} and ` +
          `${path.basename(migrations[i].file)}; renumber one of them`,
      );
    }
  }
  return migrations;
}

/** Writes a new empty revision after the last one and returns its path. */
export function createRevisionFile(message: string, dir: string = MIGRATIONS_DIR, now = new Date()): string {
  const trimmed = message.trim();
  if (!trimmed) throw new UserError('a revision needs a message: tm migrate revision -m "what it does"');
  const slug =
    trimmed
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '')
      .slice(0, 60) || 'revision';
  const existing = loadMigrations(dir);
  const last = existing.at(-1)?.revision ?? '0000';
  const revision = String(Number(last) + 1).padStart(last.length, '0');
  const file = path.join(dir, `${revision}_${slug}.sql`);
  if (existsSync(file)) throw new UserError(`${file} already exists`);
  const body = [
    `-- Revision: ${revision}`,
    `-- Message: ${trimmed.replace(/\n/g, ' ')}`,
    `-- Created: ${now.toISOString().slice(0, 10)}`,
    '--',
    '-- Statements end with ";". Each direction runs in one transaction; add a line',
    '-- "-- migrate:no-transaction" for statements that cannot (CREATE INDEX CONCURRENTLY).',
    '',
    '-- migrate:up',
    '',
    '',
    '-- migrate:down',
    '',
    '',
  ].join('\n');
  writeFileSync(file, body, { flag: 'wx' });
  return file;
}
