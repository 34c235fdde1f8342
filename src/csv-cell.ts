/**
 * One CSV cell as every CSV we write spells it (RFC 4180 quoting), with formula injection
 * neutralised: a spreadsheet runs a cell that starts with = + - @ tab or CR as a formula
 * (`=HYPERLINK(…)`, `=CMD|' /C CALC'!A0`), so such a cell gets a leading ' (OWASP's advice) unless it
 * is a plain number such as -1.5, which spreadsheets read as a number anyway.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Whether text would start a formula in a spreadsheet. */
export function startsFormula(s: string): boolean {
  return FORMULA_START.test(s) && !NUMBER.test(s);
}

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = v instanceof Date ? v.toISOString() : String(v);
  if (startsFormula(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: readonly unknown[]): string => cells.map(csvCell).join(',');
