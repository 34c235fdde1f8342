/** The value, or a failed test naming what was missing (instead of a `!` that fails later and vaguely). */
export function must<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`expected a ${what}, got ${value}`);
  return value;
}
