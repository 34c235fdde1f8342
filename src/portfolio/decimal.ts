/**
 * Exact money and quantities: a value is a bigint count of 10^-10 units (the database's numeric(38, 10)).
 * Addition and subtraction are exact; a product or quotient is rounded to 10 decimal places, half away
 * from zero (docs/portfolio.md). Values cross the database and the JSON output as decimal strings.
 */
import { UserError } from '../errors.ts';

export type Dec = bigint;

export const PLACES = 10;
const ONE = 10n ** BigInt(PLACES);
export const ZERO: Dec = 0n;

const DECIMAL_RE = /^([+-]?)(\d+)(?:\.(\d*))?$|^([+-]?)\.(\d+)$/;

/** Parses "12", "-0.5", "1234.5678"; `what` names the field in the error. */
export function dec(text: string | number, what = 'number'): Dec {
  const s = typeof text === 'number' ? numberText(text, what) : text.trim();
  const m = DECIMAL_RE.exec(s);
  if (!m) throw new UserError(`${what}: "${text}" is not a decimal number`);
  const sign = m[1] ?? m[4];
  const whole = m[2] ?? '0';
  const frac = m[3] ?? m[5] ?? '';
  if (frac.length > PLACES) throw new UserError(`${what}: "${text}" has more than ${PLACES} decimal places`);
  const v = BigInt(whole) * ONE + BigInt(frac.padEnd(PLACES, '0') || '0');
  return sign === '-' ? -v : v;
}

function numberText(n: number, what: string): string {
  if (!Number.isFinite(n)) throw new UserError(`${what}: ${n} is not a finite number`);
  // toFixed keeps plain notation for small and large numbers alike; floats carry at most ~17 digits.
  return n.toFixed(PLACES).replace(/\.?0+$/, '') || '0';
}

/** The shortest decimal text: "12.5", "-0.0001", "3". */
export function str(v: Dec): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = a / ONE;
  const frac = (a % ONE).toString().padStart(PLACES, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** A float for ratios and charts only (never for sums). */
export const toNumber = (v: Dec): number => Number(str(v));

/** n / d rounded half away from zero. */
function roundDiv(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError('division by zero');
  const neg = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const q = (an + ad / 2n) / ad;
  return neg ? -q : q;
}

export const mul = (a: Dec, b: Dec): Dec => roundDiv(a * b, ONE);
export const div = (a: Dec, b: Dec): Dec => roundDiv(a * ONE, b);
/** a × b / c with one rounding (a share of a lot's cost). */
export const mulDiv = (a: Dec, b: Dec, c: Dec): Dec => roundDiv(a * b, c);
export const sum = (xs: Iterable<Dec>): Dec => {
  let t = 0n;
  for (const x of xs) t += x;
  return t;
};
export const min = (a: Dec, b: Dec): Dec => (a < b ? a : b);
