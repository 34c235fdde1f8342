// Parameter grids for sweeps: `fast=5..50:5,slow=20..200:20` (docs/backtests.md), parsed with errors naming the problem.
import { UserError } from '../../errors.ts';

/** At most this many combinations per sweep: beyond it a typo (a step of 0.001) would run for hours. */
export const MAX_COMBINATIONS = 10_000;

export type Grid = { name: string; values: number[] }[];

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function num(text: string, what: string, part: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) {
    throw new UserError(`grid: ${what} in "${part}" must be a number, got "${text}"`);
  }
  return n;
}

/** Values of one part: `a..b:step` (b included when the steps land on it), `a..b` (step 1) or a single `a`. */
function values(part: string, spec: string): number[] {
  const range = /^(.*?)\.\.(.*?)(?::(.*))?$/.exec(spec);
  if (!range) return [num(spec, 'the value', part)];
  const from = num(range[1], 'the start', part);
  const to = num(range[2], 'the end', part);
  const step = range[3] === undefined ? 1 : num(range[3], 'the step', part);
  if (step <= 0) throw new UserError(`grid: the step in "${part}" must be above 0, got ${step}`);
  if (to < from) throw new UserError(`grid: the end in "${part}" is below the start`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > MAX_COMBINATIONS)
    throw new UserError(`grid: "${part}" has ${count} values, more than ${MAX_COMBINATIONS}`);
  // From the start each time, rounded to 12 significant digits, so 0.1 steps do not drift (0.30000000000000004).
  return Array.from({ length: count }, (_, i) => Number((from + i * step).toPrecision(12)));
}

export function parseGrid(text: string): Grid {
  const grid: Grid = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') throw new UserError(`grid: an empty part in "${text}"; write name=from..to:step,name=...`);
    const eq = part.indexOf('=');
    if (eq < 0) throw new UserError(`grid: "${part}" has no "="; write name=from..to:step`);
    const name = part.slice(0, eq).trim();
    if (!NAME_RE.test(name)) throw new UserError(`grid: "${name}" in "${part}" is not a parameter name`);
    if (grid.some((g) => g.name === name)) throw new UserError(`grid: ${name} is given twice`);
    grid.push({ name, values: values(part, part.slice(eq + 1).trim()) });
  }
  const total = grid.reduce((n, g) => n * g.values.length, 1);
  if (total > MAX_COMBINATIONS) {
    throw new UserError(`grid: ${total} combinations, more than ${MAX_COMBINATIONS}; use larger steps`);
  }
  return grid;
}

/** Every combination, the last parameter varying fastest. */
export function combinations(grid: Grid): Record<string, number>[] {
  let out: Record<string, number>[] = [{}];
  for (const { name, values: vs } of grid) {
    out = out.flatMap((c) => vs.map((v) => ({ ...c, [name]: v })));
  }
  return out;
}
