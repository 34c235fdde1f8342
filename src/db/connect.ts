/** Opens the database the configuration names: a server when DATABASE_URL is set, else embedded. */
import type { Config } from '../config.ts';
import type { SharedOpenOptions } from './share/open.ts';
import type { Database } from './types.ts';

/**
 * Only the driver in use is loaded (PGlite and pg each cost tens of milliseconds at start). Embedded:
 * while tm serve runs on the data directory, the database is reached through it (see
 * docs/embedded.md), unless the command needs it to itself (`exclusive`).
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  opts: SharedOpenOptions = {},
): Promise<Database> {
  if (config.databaseUrl) return (await import('./server.ts')).openServer(config.databaseUrl);
  return (await import('./share/open.ts')).openEmbeddedOrShared(config.dataDir, opts);
}
