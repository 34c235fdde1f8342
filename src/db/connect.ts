/** Opens the database the configuration names: a server when DATABASE_URL is set, else embedded. */
import type { Config } from '../config.ts';
import { openServer } from './server.ts';
import { openEmbeddedOrShared, type SharedOpenOptions } from './share/open.ts';
import type { Database } from './types.ts';

/**
 * Embedded: while tm serve runs on the data directory, the database is reached through it (see
 * docs/embedded.md), unless the command needs it to itself (`exclusive`).
 */
export function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  opts: SharedOpenOptions = {},
): Promise<Database> {
  return config.databaseUrl ? openServer(config.databaseUrl) : openEmbeddedOrShared(config.dataDir, opts);
}
