/** Opens the database the configuration names: a server when DATABASE_URL is set, else embedded. */
import type { Config } from '../config.ts';
import { openEmbedded } from './pglite.ts';
import { openServer } from './server.ts';
import type { Database } from './types.ts';

export function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Database> {
  return config.databaseUrl ? openServer(config.databaseUrl) : openEmbedded({ dataDir: config.dataDir });
}
