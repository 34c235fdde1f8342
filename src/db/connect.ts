/** Opens the database the configuration names: a server when DATABASE_URL is set, else embedded. */
import type { Config } from '../config.ts';
import type { Database } from './types.ts';

/** Only the driver in use is loaded (PGlite and pg each cost tens of milliseconds at start). */
export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Database> {
  if (config.databaseUrl) return (await import('./server.ts')).openServer(config.databaseUrl);
  return (await import('./pglite.ts')).openEmbedded({ dataDir: config.dataDir });
}
