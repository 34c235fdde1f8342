/** Option values checked once for every command: a bad one is a usage error (exit 2) naming it. */
import { UsageError } from '../errors.ts';

export function intOption(value: string, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      `${what} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, got "${value}"`,
    );
  }
  return n;
}
