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
