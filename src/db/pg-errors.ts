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

/**
 * A deadlock (40P01) or serialization failure (40001): the transaction was rolled back through no
 * fault of its own and may simply be run again.
 */
export function isTransientConflict(err: unknown): boolean {
  const code = pgError(err).code;
  return code === '40P01' || code === '40001';
}
