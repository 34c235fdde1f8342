/**
 * tm portfolio import: a CSV of transactions, all or nothing. Every row is checked first and every
 * problem is reported with its line number; nothing is written unless all rows are good. Each row
 * gets a stable key (a hash of its cells and how many identical rows came before it in the file), so
 * importing the same file again adds nothing, and a longer export adds only its new rows.
 */
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { Database } from '../db/types.ts';
import { UserError, errorMessage } from '../errors.ts';
import { resolveSymbols } from '../market/assets-repository.ts';
import {
  DEFAULT_MAPPING,
  numberCell,
  parseDate,
  typeBySign,
  typeCell,
  type Field,
  type Mapping,
} from './import-mapping.ts';
import type { Portfolio } from './portfolios.ts';
import { checkHistory } from './service.ts';
import { checkTransaction, type CheckedTransaction } from './transaction-input.ts';
import { insertImported } from './transactions.ts';

export type ImportResult = {
  rows: number;
  inserted: number;
  unchanged: number;
};

const MAX_ERRORS = 20;
const BATCH = 5_000;

interface Parsed {
  line: number;
  t: CheckedTransaction;
}

function records(text: string, m: Mapping): { line: number; cells: Record<string, string> }[] {
  try {
    const rows = parse(text, {
      // A header cell that is empty or repeats an earlier one is named by its position: #1, #2, …
      columns: (header: string[]) => header.map((h, i) => (h === '' || header.indexOf(h) < i ? `#${i + 1}` : h)),
      bom: true,
      delimiter: m.delimiter,
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as { record: Record<string, string>; info: { lines: number } }[];
    return rows.map((r) => ({ line: r.info.lines, cells: r.record }));
  } catch (err) {
    throw new UserError(`CSV: ${errorMessage(err)}`);
  }
}

function checkHeader(cells: Record<string, string> | undefined, m: Mapping): void {
  if (!cells) throw new UserError('CSV: no rows after the header');
  const required: Field[] = m.signTypes ? ['date', 'quantity'] : ['date', 'type'];
  const missing = required.filter((f) => !m.columns[f].some((c) => c in cells));
  if (missing.length) {
    throw new UserError(
      `CSV header: no column ${missing.map((f) => `"${m.columns[f].join('" or "')}"`).join(', ')} (found: ${Object.keys(cells).join(', ')}); a --mapping file names the columns`,
    );
  }
}

/** Checks every row; throws one error listing the first problems by line. */
function parseRows(text: string, m: Mapping, base: string): Parsed[] {
  const recs = records(text, m);
  checkHeader(recs[0]?.cells, m);
  const errors: string[] = [];
  const out: Parsed[] = [];
  const seen = new Map<string, number>();
  for (const { line, cells } of recs) {
    const cell = (f: Field): string | undefined =>
      m.columns[f].map((c) => cells[c]).find((v) => v !== undefined && v !== '');
    try {
      const amount = cell('amount');
      const raw = cell('symbol');
      const symbol = raw !== undefined && m.cashSymbol?.test(raw) ? undefined : raw;
      const byAmount =
        amount !== undefined && (cell('quantity') === undefined || (m.amountForCash && symbol === undefined));
      const t = checkTransaction(
        {
          type: typeCell(cell('type') ?? typeBySign(cell('quantity'), m) ?? '', m),
          ts: parseDate([cell('date') ?? '', cell('time') ?? ''].join(' ').trim(), m.date_format),
          symbol,
          quantity: byAmount ? '1' : mapNum(cell('quantity'), m),
          price:
            byAmount && (cell('price') === undefined || m.amountForCash)
              ? numberCell(amount, m)
              : mapNum(cell('price'), m),
          fee: mapNum(cell('fee'), m),
          ratio: undefined,
          currency: cell('currency'),
          note: cell('note'),
        },
        base,
      );
      const content = JSON.stringify(Object.entries(cells).sort(([a], [b]) => a.localeCompare(b)));
      const n = (seen.get(content) ?? 0) + 1;
      seen.set(content, n);
      t.import_key = `${createHash('sha256').update(content).digest('hex').slice(0, 32)}#${n}`;
      out.push({ line, t });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      errors.push(`line ${line}: ${err.message}`);
      if (errors.length >= MAX_ERRORS) break;
    }
  }
  if (errors.length) throw importError(errors);
  return out;
}

const mapNum = (v: string | undefined, m: Mapping) => (v === undefined ? undefined : numberCell(v, m));

function importError(errors: string[]): UserError {
  const more = errors.length >= MAX_ERRORS ? `\n(stopped after ${MAX_ERRORS} errors)` : '';
  return new UserError(`import refused, nothing written:\n${errors.join('\n')}${more}`, 400, { errors });
}

/** Imports a CSV's transactions into the portfolio, all or nothing. */
export async function importTransactions(
  db: Database,
  p: Portfolio,
  text: string,
  mapping: Mapping = DEFAULT_MAPPING,
): Promise<ImportResult> {
  const rows = parseRows(text, mapping, p.base_currency);
  const symbols = [...new Set(rows.flatMap((r) => (r.t.symbol ? [r.t.symbol] : [])))];
  return db.transaction(async (tx) => {
    const { ids, unknown } = await resolveSymbols(tx, symbols);
    if (unknown.length) {
      const missing = new Set(unknown);
      const errors = rows
        .filter((r) => r.t.symbol && missing.has(r.t.symbol))
        .slice(0, MAX_ERRORS)
        .map((r) => `line ${r.line}: symbol: no asset "${r.t.symbol}" (add it with tm assets add)`);
      throw importError(errors);
    }
    await tx.query('SELECT 1 FROM portfolios WHERE id = $1 FOR UPDATE', [p.id]);
    let inserted = 0;
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows
        .slice(i, i + BATCH)
        .map((r) => ({ t: r.t, assetId: r.t.symbol ? (ids.get(r.t.symbol) ?? null) : null }));
      inserted += await insertImported(tx, p.id, batch);
    }
    await checkHistory(tx, p.id);
    return { rows: rows.length, inserted, unchanged: rows.length - inserted };
  });
}
