/**
 * Errors the CLI and API know how to present. Anything else is a bug and is shown with its stack.
 */

/** A problem with the user's input or data: exit code 1, HTTP 400 unless a status is given. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly status = 400,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** The command line itself is wrong: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A feature that needs TimescaleDB was asked for on a server that does not have it. */
export class TimescaleMissingError extends UserError {
  constructor(what?: string) {
    super(
      `TimescaleDB is not installed on this server${what ? ` (needed for ${what})` : ''}. ` +
        'Fix: install the timescaledb package for your PostgreSQL version, add it to shared_preload_libraries, ' +
        'restart PostgreSQL, run "CREATE EXTENSION timescaledb;" in the database, then "tm hypertable ensure".',
      409,
    );
    this.name = 'TimescaleMissingError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
