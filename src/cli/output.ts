/** Printing for the CLI: aligned tables for people, JSON for programs (`--json`). */

export type Cell = string | number | boolean | null | undefined | Date;

export function formatCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)));
  return String(v);
}

export function table(rows: readonly Record<string, unknown>[], columns?: string[]): string {
  if (rows.length === 0) return '(no rows)';
  const cols = columns ?? Object.keys(rows[0]);
  const cells = rows.map((r) => cols.map((c) => formatCell(r[c] as Cell)));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

export interface Printer {
  /** Data: JSON with --json, else the text the caller formats. */
  data(value: unknown, text: () => string): void;
  /** Progress and remarks: stderr, so stdout stays clean for data. */
  info(line: string): void;
}

export function printer(asJson: boolean, out: NodeJS.WritableStream = process.stdout): Printer {
  return {
    data(value, text) {
      out.write(`${asJson ? json(value) : text()}\n`);
    },
    info(line) {
      process.stderr.write(`${line}\n`);
    },
  };
}
