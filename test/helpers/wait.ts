/**
 * Waiting for an event instead of for a time: `until` polls a condition (a query, a counter) and returns
 * its first value that is not undefined, null or false, failing with what it waited for when the bound passes. The bound is generous:
 * it only decides how long a broken test takes to fail, never whether a slow machine passes.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  opts: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const end = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(opts.everyMs ?? 20);
  }
}

/** Resolves once `fn` is true; for conditions with nothing to return. */
export async function untilTrue(what: string, fn: () => Promise<boolean> | boolean, timeoutMs?: number): Promise<void> {
  await until(what, async () => ((await fn()) ? true : undefined), { timeoutMs });
}

/**
 * The bound on one `tm` command a test runs: it decides only how long a hung command takes to fail. A
 * loaded 2-core machine (load average 25) took over 120 s for a first import into a fresh data dir.
 */
export const TM_COMMAND_TIMEOUT_MS = 600_000;
