/**
 * Migrate once, copy per test: a migrated PGlite data-dir tarball and a migrated template database
 * on each test cluster. Built by scripts/test.ts before the test files run.
 */
import { writeFileSync } from 'node:fs';
import { openEmbedded } from '../../src/db/pglite.ts';
import { openServer } from '../../src/db/server.ts';
import { withDatabase } from '../../src/db/url.ts';
import { Migrator } from '../../src/db/migrate/migrator.ts';

export const SERVER_TEMPLATE = 'tm_template';

export async function buildEmbeddedTemplate(file: string): Promise<void> {
  const db = await openEmbedded({ dataDir: 'memory://' });
  try {
    await new Migrator(db).upgrade('head');
    const blob = await db.dumpDataDir('none');
    writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
  } finally {
    await db.close();
  }
}

export async function buildServerTemplate(adminUrl: string): Promise<void> {
  const admin = await openServer(adminUrl, { max: 1 });
  try {
    await admin.exec(`DROP DATABASE IF EXISTS ${SERVER_TEMPLATE} WITH (FORCE)`);
    await admin.exec(`CREATE DATABASE ${SERVER_TEMPLATE}`);
    const db = await openServer(withDatabase(adminUrl, SERVER_TEMPLATE), { max: 1 });
    try {
      await new Migrator(db).upgrade('head');
    } finally {
      await db.close();
    }
    // CREATE DATABASE … TEMPLATE needs a template nobody is connected to, and TimescaleDB's scheduler
    // connects to every database that allows it: close the template to connections, then end its scheduler.
    await admin.exec(`ALTER DATABASE ${SERVER_TEMPLATE} WITH ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [SERVER_TEMPLATE]);
  } finally {
    await admin.close();
  }
}
