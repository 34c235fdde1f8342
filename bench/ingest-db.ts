/**
 * bench:ingest's database: DATABASE_URL (a scratch database), `--server` a throwaway TimescaleDB cluster
 * (the test helpers' own, started with fsync, synchronous commit and full-page writes on: durable
 * writes, as a production server makes them), or a fresh embedded one (openBenchDb).
 */
import { openServer } from '../src/db/server.ts';
import { Migrator } from '../src/db/migrate/migrator.ts';
import type { Database } from '../src/db/types.ts';
import { openBenchDb } from './common.ts';

export interface IngestDb {
  db: Database;
  /** The server's URL (for psql), null when embedded. */
  url: string | null;
  /** The database is the bench's own: it may be emptied whole. */
  ownDatabase: boolean;
  cleanup: () => Promise<void>;
}

export async function openIngestDb(): Promise<IngestDb> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const { db, cleanup } = await openBenchDb();
    return { db, url, ownDatabase: false, cleanup };
  }
  if (!process.argv.includes('--server')) {
    const { db, cleanup } = await openBenchDb();
    return { db, url: null, ownDatabase: true, cleanup };
  }
  const { findPgBin, startCluster } = await import('../test/helpers/pg-cluster.ts');
  const bin = findPgBin();
  if (!bin) throw new Error('--server: no PostgreSQL binaries to start a throwaway cluster');
  const cluster = await startCluster(bin, { durable: true });
  try {
    const admin = await openServer(cluster.url, { max: 1 });
    await admin.exec('CREATE DATABASE bench_ingest');
    await admin.close();
    const { withDatabase } = await import('../src/db/url.ts');
    const own = withDatabase(cluster.url, 'bench_ingest');
    const db = await openServer(own, { max: 4 });
    await new Migrator(db).upgrade('head');
    console.log(`throwaway cluster: port ${cluster.port}, TimescaleDB ${cluster.timescale ?? 'absent'}, fsync on`);
    return {
      db,
      url: own,
      ownDatabase: true,
      cleanup: async () => {
        await db.close();
        cluster.stop();
      },
    };
  } catch (err) {
    cluster.stop();
    throw err;
  }
}
