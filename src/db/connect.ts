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
  config: Pick<Config, 'databaseUrl' | 'dataDir'> &
    Partial<Pick<Config, 'databaseReadUrls' | 'databaseDirectUrl' | 'maxReplicaLagSeconds'>>,
  opts: SharedOpenOptions = {},
): Promise<Database> {
  if (config.databaseUrl) {
    return (await import('./server.ts')).openServer(config.databaseUrl, {
      directUrl: config.databaseDirectUrl,
      readUrls: config.databaseReadUrls,
      maxReplicaLagSeconds: config.maxReplicaLagSeconds,
    });
  }
  return (await import('./share/open.ts')).openEmbeddedOrShared(config.dataDir, opts);
}

/**
 * The URL for what needs a whole session on the primary (LISTEN, pg_dump, pg_restore, session locks):
 * DATABASE_DIRECT_URL when set (DATABASE_URL may be a transaction-mode pooler), else DATABASE_URL.
 */
export function sessionUrl(config: Pick<Config, 'databaseUrl' | 'databaseDirectUrl'>): string | undefined {
  return config.databaseDirectUrl ?? config.databaseUrl;
}
