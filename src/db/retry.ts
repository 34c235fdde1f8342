/**
 * Runs a transaction again when PostgreSQL rolled it back for a deadlock or a serialization failure.
 * Writers take their locks in one order, so this is rare; it must still never reach a client as an error.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isTransientConflict } from './pg-errors.ts';

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
