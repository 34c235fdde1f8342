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
  /** The command needs the embedded database to itself: refused while tm serve runs (else it goes through it). */
  exclusive?: boolean;
  /**
   * The command runs hot loops in the embedded database for seconds (imports, computations): V8 should
   * optimize PGlite's code soon. Others are brief: open, a few statements, exit (src/db/wasm-tiering.ts).
   */
  sustained?: boolean;
}

export async function withDatabase<T>(
  fn: (db: Database, config: Config) => Promise<T>,
  opts: DatabaseOptions = {},
): Promise<T> {
  const config = loadConfig();
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const workload = opts.sustained ? 'sustained' : 'brief';
  const db = await openDatabase(config, { exclusive: opts.exclusive, log, workload });
  try {
    if ((opts.schema ?? 'current') === 'current') await ensureSchemaCurrent(db, log);
    return await fn(db, config);
  } finally {
    await db.close();
  }
}
