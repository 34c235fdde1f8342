/**
 * TimescaleDB installed on a server but not in shared_preload_libraries: CREATE EXTENSION (and any use
 * of an existing one) is then a FATAL error that closes the connection, not an SQL error anyone can
 * catch. Checked before anything would touch the extension, so the user gets one line with the fix.
 */
import { UserError } from '../errors.ts';
import type { Queryable } from './types.ts';

export const PRELOAD_FIX =
  "add timescaledb to shared_preload_libraries (ALTER SYSTEM SET shared_preload_libraries = 'timescaledb', " +
  'or "tm tune --apply" as a superuser, or postgresql.conf), then restart PostgreSQL';

export class TimescaleNotPreloadedError extends UserError {
  constructor() {
    super(`TimescaleDB is installed on this server but not preloaded. Fix: ${PRELOAD_FIX}`, 409);
    this.name = 'TimescaleNotPreloadedError';
  }
}

export interface PreloadState {
  /** The version the server offers to CREATE EXTENSION, or null. */
  available: string | null;
  /** The version created in this database, or null. */
  created: string | null;
  /**
   * Whether the TimescaleDB loader runs in this server: its settings exist only when preloaded (a value
   * in postgresql.conf without the library is a mere text placeholder).
   */
  preloaded: boolean;
}

/** Reads only catalogs and settings: safe on a server where touching TimescaleDB would be FATAL. */
export async function preloadState(q: Queryable): Promise<PreloadState> {
  const r = await q.query<PreloadState>(
    `SELECT (SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb') AS available,
            (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS created,
            EXISTS (SELECT 1 FROM pg_settings
                     WHERE name = 'timescaledb.max_background_workers' AND vartype = 'integer') AS preloaded`,
  );
  return r.rows[0];
}

/** Throws TimescaleNotPreloadedError when the server offers TimescaleDB without preloading it. */
export async function assertPreloaded(q: Queryable, backend: 'embedded' | 'server'): Promise<void> {
  // The embedded database loads the library itself on every open.
  if (backend === 'embedded') return;
  const s = await preloadState(q);
  if (s.available && !s.preloaded) throw new TimescaleNotPreloadedError();
}
