/** Recognising PostgreSQL errors by SQLSTATE; both backends carry `code` and `constraint`. */
export interface PgErrorFields {
  code?: string;
  constraint?: string;
}

export function pgError(err: unknown): PgErrorFields {
  return typeof err === 'object' && err !== null ? (err as PgErrorFields) : {};
}

/** A unique violation, optionally of one named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = pgError(err);
  return e.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/** An undefined table (42P01): a relation the query names does not exist, e.g. before the migration that adds it. */
export function isUndefinedTable(err: unknown): boolean {
  return pgError(err).code === '42P01';
}

/**
 * A deadlock (40P01) or serialization failure (40001): the transaction was rolled back through no
 * fault of its own and may simply be run again.
 */
export function isTransientConflict(err: unknown): boolean {
  const code = pgError(err).code;
  return code === '40P01' || code === '40001';
}

/** lock_not_available (55P03): NOWAIT found the lock taken; TimescaleDB also raises it for a refresh of a
 *  continuous aggregate whose window overlaps a refresh already running. */
export function isLockNotAvailable(err: unknown): boolean {
  return pgError(err).code === '55P03';
}

/** A statement's name for logs: its first words (SQL text only, never bind values). */
export function statementName(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Strips what a failing query's error carries about its bind values before anyone logs it: PGlite
 * attaches `params` (and the whole `query` and its options); node-postgres attaches neither. Both
 * backends then name the statement in `statement`.
 */
export function scrubQueryError(err: unknown, sql: string): unknown {
  if (typeof err !== 'object' || err === null) return err;
  const e = err as Record<string, unknown>;
  for (const k of ['params', 'queryOptions', 'query']) if (k in e) delete e[k];
  e.statement = statementName(sql);
  return err;
}

/**
 * SQLSTATEs that say the server (not the statement) is away or cannot take writes right now: an
 * administrator or a failover ended the session (57P01-57P03), the connection broke (class 08), or the
 * session landed on a server in recovery or on a demoted leader (25006, read-only transaction).
 */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '25006']);

/** Node socket errors of a connection that could not be made or was cut. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * node-postgres reports a cut connection as a plain Error without a code; these are its texts (pg 8),
 * plus the pool's connect timeout.
 */
const LOST_MESSAGES =
  /^(Connection terminated( unexpectedly| due to connection timeout)?|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect|no server accepts (read-write|read-only|primary|standby) sessions: .*)$/;

/**
 * The database is unreachable or cannot take this work at the moment (a restart, a failover, a dropped
 * connection, a read-only server): nothing about the request is wrong and it may succeed when retried.
 */
export function isUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = pgError(err).code;
  if (code !== undefined && (UNAVAILABLE_CODES.has(code) || SOCKET_CODES.has(code))) return true;
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && LOST_MESSAGES.test(message);
}
