/**
 * Runs a suite once per backend: embedded TimescaleDB, the main test cluster (TimescaleDB with
 * background workers when installed) and, when asked, a PostgreSQL cluster without TimescaleDB.
 */
import { describe } from 'node:test';
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
