/** What every command needs: the configuration and a database opened for the duration of the action. */
import { loadConfig, type Config } from '../config.ts';
import { openDatabase } from '../db/connect.ts';
import type { Database } from '../db/types.ts';

export async function withDatabase<T>(fn: (db: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    return await fn(db, config);
  } finally {
    await db.close();
  }
}
