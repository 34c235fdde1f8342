/**
 * Real databases for tests. Embedded: a PGlite instance loaded from the migrated template tarball.
 * Server: a new database on the throwaway cluster, copied from the migrated template, dropped on close.
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
export async function serverDb(opts: { migrated?: boolean; max?: number } = {}): Promise<ServerTestDb> {
  const adminUrl = process.env.TM_TEST_PG_URL;
  if (!adminUrl) throw new Error(serverSkip);
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
