/** What every command needs: the configuration and a database opened for the duration of the action. */
import { loadConfig, type Config } from '../config.ts';
import { openDatabase } from '../db/connect.ts';
import { ensureSchemaCurrent } from '../db/migrate/ensure.ts';
import type { Database } from '../db/types.ts';

export interface DatabaseOptions {
  /**
   * 'current' (default): the command uses the schema, so it must be at head (embedded: migrated
   * now; server: an error naming the fix). 'any': migrate, doctor and info look at it as it is.
   */
  schema?: 'current' | 'any';
}

export async function withDatabase<T>(
  fn: (db: Database, config: Config) => Promise<T>,
  opts: DatabaseOptions = {},
): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    if ((opts.schema ?? 'current') === 'current') await ensureSchemaCurrent(db, (l) => process.stderr.write(`${l}\n`));
    return await fn(db, config);
  } finally {
    await db.close();
  }
}
