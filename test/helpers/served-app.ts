/**
 * A browser suite on both backends: `tm serve` over a prepared embedded data dir, and over a fresh
 * database on the test cluster, each with its own chromium (servedBrowser).
 */
import { describe } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Migrator } from '../../src/db/migrate/migrator.ts';
import { openEmbedded } from '../../src/db/pglite.ts';
import type { Database } from '../../src/db/types.ts';
import { chromiumSkip, type ServedBrowser, type StartServed, servedBrowser, startServe } from './browser.ts';
import { serverDb, serverSkip } from './db.ts';

export interface ServedApp {
  /** What the database holds before `tm serve` starts (users, candles). */
  prepare?: (db: Database) => Promise<unknown>;
  /** The server's environment; the demo is off unless said. */
  env?: Record<string, string>;
}

/** `tm serve` on a new embedded data dir, migrated and prepared first. */
export function servedEmbedded(app: ServedApp = {}): StartServed {
  return async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-web-'));
    const db = await openEmbedded({ dataDir: dir });
    await new Migrator(db).upgrade('head');
    await app.prepare?.(db);
    await db.close();
    const served = await startServe({ TM_DEMO: '0', ...app.env, TM_DATA_DIR: dir });
    return { served, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  };
}

/** `tm serve` on a new database of the test cluster, prepared first. */
export function servedServer(app: ServedApp = {}): StartServed {
  return async () => {
    const db = await serverDb();
    await app.prepare?.(db);
    const served = await startServe({ TM_DEMO: '0', ...app.env, DATABASE_URL: db.url });
    return { served, cleanup: () => db.close() };
  };
}

/** The same browser tests under `${title} [embedded]` and `${title} [server]`. */
export function onBothBackends(title: string, app: ServedApp, body: (served: ServedBrowser) => void): void {
  describe(`${title} [embedded]`, { skip: chromiumSkip }, () => body(servedBrowser(servedEmbedded(app))));
  describe(`${title} [server]`, { skip: chromiumSkip ?? serverSkip }, () => body(servedBrowser(servedServer(app))));
}
