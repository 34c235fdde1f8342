/** Runs a suite once per backend: embedded TimescaleDB and the PostgreSQL 15 test cluster. */
import { describe } from 'node:test';
import { embeddedDb, serverDb, serverSkip } from './db.ts';
import type { Database } from '../../src/db/types.ts';

export type Opener = (opts?: { migrated?: boolean }) => Promise<Database>;

export function forEachBackend(title: string, body: (open: Opener, backend: 'embedded' | 'server') => void): void {
  describe(`${title} [embedded]`, () => body(embeddedDb, 'embedded'));
  // Skipped only when the machine has no PostgreSQL binaries (npm test says so at the start).
  describe(`${title} [server]`, { skip: serverSkip }, () => body(serverDb, 'server'));
}
