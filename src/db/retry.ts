/**
 * Running work again when the failure was not its own: a transaction PostgreSQL rolled back for a
 * deadlock or a serialization failure (retryTransient), or a database that is away for a moment, for a
 * restart or a failover (retryUnavailable). Only work that is safe to run twice goes through these.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isTransientConflict, isUnavailable } from './pg-errors.ts';

export const TRANSIENT_ATTEMPTS = 5;

/** Calls fn up to `attempts` times while it fails with 40P01/40001, with a short jittered backoff. */
export async function retryTransient<T>(fn: () => Promise<T>, attempts = TRANSIENT_ATTEMPTS): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isTransientConflict(err)) throw err;
      // Jitter keeps two retried writers from meeting again at the same moment.
      await sleep(10 * 2 ** i + Math.random() * 20);
    }
  }
}

export interface BackoffRetry {
  /** How long to keep trying, from the first failure. */
  budgetMs?: number;
  /** Waits between attempts (injectable for tests). */
  sleep?: (ms: number) => Promise<unknown>;
  now?: () => number;
  /** Told of each failure that will be retried. */
  onRetry?: (err: unknown, attempt: number) => void;
}

/**
 * Calls fn again while `retryable(err, attempt)` holds, with a backoff of 100 ms doubling to 2 s (±20%), until
 * it succeeds, fails otherwise, or `budgetMs` (default 15 s) has passed; then the last error is thrown.
 */
export async function retryWithBackoff<T>(
  fn: () => Promise<T>,
  retryable: (err: unknown, attempt: number) => boolean,
  opts: BackoffRetry = {},
): Promise<T> {
  const budget = opts.budgetMs ?? 15_000;
  const now = opts.now ?? Date.now;
  const wait = opts.sleep ?? sleep;
  let until: number | undefined;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!retryable(err, i)) throw err;
      until ??= now() + budget;
      const delay = Math.min(2_000, 100 * 2 ** (i - 1)) * (0.8 + Math.random() * 0.4);
      if (now() + delay > until) throw err;
      opts.onRetry?.(err, i);
      await wait(delay);
    }
  }
}

/** budgetMs defaults to 15 s: a Patroni failover with its defaults. */
export type UnavailableRetry = BackoffRetry;

/**
 * Calls fn again while it fails because the database is unavailable (isUnavailable), with retryWithBackoff's
 * backoff; then the last error is thrown (and the API answers 503). Also retries deadlocks like
 * retryTransient. fn must be idempotent: a connection lost during COMMIT leaves unknown whether the first
 * attempt was committed.
 */
export function retryUnavailable<T>(fn: () => Promise<T>, opts: UnavailableRetry = {}): Promise<T> {
  return retryWithBackoff(
    fn,
    (err, i) => (isTransientConflict(err) && i < TRANSIENT_ATTEMPTS) || isUnavailable(err),
    opts,
  );
}
