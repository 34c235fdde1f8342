/**
 * Runs a suite once per backend: embedded TimescaleDB, the main test cluster (TimescaleDB with
 * background workers when installed) and, when asked, a PostgreSQL cluster without TimescaleDB.
 */
import { after, before, describe } from 'node:test';
import { insertAssets, insertCandles } from './candles.ts';
import { embeddedDb, plainServerSkip, serverDb, serverHasTimescale, serverSkip } from './db.ts';
import type { Database } from '../../src/db/types.ts';

export type Opener = (opts?: { migrated?: boolean }) => Promise<Database>;
export type BackendName = 'embedded' | 'server' | 'server-plain';

export interface BackendOptions {
  /** Also run on a server without TimescaleDB (the plain-PostgreSQL path). */
  plain?: boolean;
}

export function forEachBackend(
  title: string,
  body: (open: Opener, backend: 'embedded' | 'server', name: BackendName) => void,
  opts: BackendOptions = {},
): void {
  describe(`${title} [embedded]`, () => body(embeddedDb, 'embedded', 'embedded'));
  // Skipped only when the machine has no PostgreSQL binaries (npm test says so at the start).
  describe(`${title} [server]`, { skip: serverSkip }, () =>
    body(serverDb, 'server', serverHasTimescale ? 'server' : 'server-plain'),
  );
  if (opts.plain && serverHasTimescale) {
    describe(`${title} [server-plain]`, { skip: plainServerSkip }, () =>
      body((o) => serverDb({ ...o, plain: true }), 'server', 'server-plain'),
    );
  }
}

/**
 * For a suite of forEachBackend that needs TimescaleDB: a database with `assets` assets of hourly
 * candles over the last `days` days, opened before the suite's tests and closed after; `skip` says why
 * when the server has none.
 */
export function hourlyCandlesDb(
  open: Opener,
  backend: 'embedded' | 'server',
  opts: { assets: number; days: number },
): { skip: string | undefined; db: () => Database } {
  const skip = backend === 'server' && !serverHasTimescale ? 'the test server has no TimescaleDB' : undefined;
  let db: Database | undefined;
  before(async () => {
    if (skip) return;
    db = await open();
    await insertAssets(db, opts.assets);
    await insertCandles(db, {
      interval: '1h',
      step: '1 hour',
      from: `date_trunc('hour', now()) - interval '${opts.days} days'`,
      to: "date_trunc('hour', now())",
    });
  });
  after(async () => {
    await db?.close();
  });
  return {
    skip,
    db: () => {
      if (!db) throw new Error('the database opens in the suite’s before hook');
      return db;
    },
  };
}
