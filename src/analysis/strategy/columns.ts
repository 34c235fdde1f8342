// Column operations of the evaluator. A value is a Float64Array aligned to the bars, or a number that is the
// same on every bar. Conditions are 1 (true), 0 (false) or NaN (unknown: an input is still in its warm-up);
// NaN spreads through every operation, so a rule that reads a warming-up indicator is never true.
import type { ArithOp, CompareOp } from './ast.ts';

export type Value = Float64Array | number;

function at(v: Value, i: number): number {
  return typeof v === 'number' ? v : v[i];
}

function length(a: Value, b: Value): number {
  return typeof a === 'number' ? (b as Float64Array).length : a.length;
}

export function arith(op: ArithOp, a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') return applyArith(op, a, b);
  const n = length(a, b);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = applyArith(op, at(a, i), at(b, i));
  return out;
}

function applyArith(op: ArithOp, x: number, y: number): number {
  // x / 0 has no value here rather than an infinity that would poison later sums.
  if (op === '+') return x + y;
  if (op === '-') return x - y;
  if (op === '*') return x * y;
  return y === 0 ? Number.NaN : x / y;
}

export function compare(op: CompareOp, a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number') return applyCompare(op, a, b);
  const n = length(a, b);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = applyCompare(op, at(a, i), at(b, i));
  return out;
}

function applyCompare(op: CompareOp, x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  switch (op) {
    case '<':
      return x < y ? 1 : 0;
    case '<=':
      return x <= y ? 1 : 0;
    case '>':
      return x > y ? 1 : 0;
    case '>=':
      return x >= y ? 1 : 0;
    case '==':
      return x === y ? 1 : 0;
    case '!=':
      return x !== y ? 1 : 0;
  }
}

export function logic(op: 'and' | 'or', a: Value, b: Value): Value {
  const f = op === 'and' ? (x: number, y: number) => x * y : (x: number, y: number) => (x + y > 0 ? 1 : x + y);
  if (typeof a === 'number' && typeof b === 'number') return f(a, b);
  const n = length(a, b);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f(at(a, i), at(b, i));
  return out;
}

export function not(a: Value): Value {
  if (typeof a === 'number') return 1 - a;
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = 1 - a[i];
  return out;
}

export function negate(a: Value): Value {
  if (typeof a === 'number') return -a;
  return a.map((x) => -x);
}

/** The value `bars` bars earlier; NaN before the first bar. */
export function previous(a: Value, bars: number): Value {
  if (typeof a === 'number' || bars === 0) return a;
  const out = new Float64Array(a.length).fill(Number.NaN);
  out.set(a.subarray(0, Math.max(0, a.length - bars)), bars);
  return out;
}

/** crosses_above(a, b): a > b now and a <= b on the previous bar (crosses_below mirrored); NaN when any is NaN. */
export function crosses(direction: 'above' | 'below', a: Value, b: Value, n: number): Float64Array {
  const x = column(a, n);
  const y = column(b, n);
  const out = new Float64Array(n);
  if (n === 0) return out;
  out[0] = Number.NaN;
  const sign = direction === 'above' ? 1 : -1;
  let prev = sign * (x[0] - y[0]);
  for (let i = 1; i < n; i++) {
    const d = sign * (x[i] - y[i]);
    out[i] = Number.isNaN(d) || Number.isNaN(prev) ? Number.NaN : d > 0 && prev <= 0 ? 1 : 0;
    prev = d;
  }
  return out;
}

/** A value as a column of n bars. */
export function column(v: Value, n: number): Float64Array {
  return typeof v === 'number' ? new Float64Array(n).fill(v) : v;
}
