/**
 * Real databases for tests. Embedded: a PGlite instance loaded from the migrated template tarball.
 * Server: a new database on a throwaway cluster, copied from the migrated template, dropped on close.
 * The main cluster (TM_TEST_PG_URL) runs TimescaleDB when it is installed; the plain one
 * (TM_TEST_PG_PLAIN_URL) never has it.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { openEmbedded, type EmbeddedDatabase } from '../../src/db/pglite.ts';
import { openServer } from '../../src/db/server.ts';
import { withDatabase } from '../../src/db/url.ts';
import { Migrator } from '../../src/db/migrate/migrator.ts';
import type { Database } from '../../src/db/types.ts';
import { SERVER_TEMPLATE } from './templates.ts';

/** Why server tests skip, or undefined when a test cluster is there. */
export const serverSkip: string | undefined = process.env.TM_TEST_PG_URL
  ? undefined
  : 'no PostgreSQL test cluster: run the suite with "npm test" (it starts one), or install postgresql-15';

/** The main test cluster runs TimescaleDB (preloaded, background workers on). */
export const serverHasTimescale = !!process.env.TM_TEST_PG_TIMESCALE;

/** Why suites that need TimescaleDB on the server skip, or undefined when the main cluster has it. */
export const timescaleServerSkip: string | undefined =
  serverSkip ??
  (serverHasTimescale
    ? undefined
    : 'TimescaleDB is not installed for the test cluster: run ../shared/timescaledb/install.sh (or install timescaledb for PostgreSQL 15)');

/** Why plain-PostgreSQL suites (no TimescaleDB installed) skip, or undefined when that cluster is there. */
export const plainServerSkip: string | undefined = process.env.TM_TEST_PG_PLAIN_URL
  ? undefined
  : 'no plain PostgreSQL test cluster: run the suite with "npm test"';

export async function embeddedDb(opts: { migrated?: boolean } = {}): Promise<EmbeddedDatabase> {
  const migrated = opts.migrated ?? true;
  const template = process.env.TM_TEST_PGLITE_TEMPLATE;
  if (migrated && template) {
    return openEmbedded({ dataDir: 'memory://', loadDataDir: new Blob([readFileSync(template)]) });
  }
  const db = await openEmbedded({ dataDir: 'memory://' });
  if (migrated) await new Migrator(db).upgrade('head');
  return db;
}

export interface ServerTestDb extends Database {
  url: string;
  name: string;
}

/** A fresh database on the test cluster; migrated (from the template) unless told otherwise. */
export async function serverDb(
  opts: { migrated?: boolean; max?: number; plain?: boolean } = {},
): Promise<ServerTestDb> {
  const adminUrl = opts.plain ? process.env.TM_TEST_PG_PLAIN_URL : process.env.TM_TEST_PG_URL;
  if (!adminUrl) throw new Error(opts.plain ? plainServerSkip : serverSkip);
  const name = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = await openServer(adminUrl, { max: 1 });
  try {
    await admin.exec(
      opts.migrated === false ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${SERVER_TEMPLATE}`,
    );
  } finally {
    await admin.close();
  }
  const url = withDatabase(adminUrl, name);
  const db = await openServer(url, { max: opts.max ?? 5 });
  // TimescaleDB's launcher finds a database copied from a template only at its next poll: start its
  // scheduler now, so background jobs run in every test database as they do on a user's server.
  if (!opts.plain && serverHasTimescale && opts.migrated !== false) {
    await db.query('SELECT _timescaledb_functions.start_background_workers()');
  }
  return {
    ...db,
    url,
    name,
    async close() {
      await db.close();
      const a = await openServer(adminUrl, { max: 1 });
      try {
        await a.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.close();
      }
    },
  };
}
