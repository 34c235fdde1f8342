/** The gate every TimescaleDB operation passes: the installed version, or the "not installed" error with its fix. */
import type { Queryable } from '../db/types.ts';
import { timescaleVersion } from '../db/info.ts';
import { TimescaleMissingError } from '../errors.ts';

export async function requireTimescale(q: Queryable, what?: string): Promise<string> {
  const v = await timescaleVersion(q);
  if (!v) throw new TimescaleMissingError(what);
  return v;
}

/** Compares a TimescaleDB version ("2.23.0-dev") with major.minor. */
export function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version
    .split('-')[0]
    .split('.')
    .map((n) => Number(n));
  return a > major || (a === major && (b ?? 0) >= minor);
}

/** Whether a relation (view, table) exists, e.g. 'timescaledb_information.job_history'. */
export async function relationExists(q: Queryable, qualified: string): Promise<boolean> {
  const r = await q.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [qualified]);
  return r.rows[0].ok;
}
