/**
 * Checking a transaction before it is stored: which fields each type needs (docs/portfolio.md,
 * "Transactions"). Pure: the asset is resolved by the caller.
 */
import { UserError } from '../errors.ts';
import { dec, str, ZERO, type Dec } from './decimal.ts';
import { parseCurrency } from './portfolios.ts';

export const TRANSACTION_TYPES = [
  'buy',
  'sell',
  'deposit',
  'withdrawal',
  'dividend',
  'fee',
  'interest',
  'split',
  'transfer_in',
  'transfer_out',
] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

/** Types that must name an asset, and those that must not. */
const NEEDS_ASSET: readonly TransactionType[] = ['buy', 'sell', 'split'];
const NO_ASSET: readonly TransactionType[] = ['deposit', 'withdrawal'];

export function parseTransactionType(v: string): TransactionType {
  const t = v.trim().toLowerCase();
  if (!(TRANSACTION_TYPES as readonly string[]).includes(t)) {
    throw new UserError(`type: "${v}" is not one of ${TRANSACTION_TYPES.join(', ')}`);
  }
  return t as TransactionType;
}

/** What a caller supplies (CLI, API, import row); numbers as decimal text or numbers. */
export interface TransactionInput {
  type: string;
  ts: Date;
  symbol?: string | null;
  quantity?: string | number | null;
  price?: string | number | null;
  fee?: string | number | null;
  ratio?: string | number | null;
  currency?: string | null;
  note?: string | null;
  import_key?: string | null;
}

/** A checked transaction, numbers exact, ready for the repository (symbol still unresolved). */
export interface CheckedTransaction {
  type: TransactionType;
  ts: Date;
  symbol: string | null;
  quantity: Dec;
  price: Dec;
  fee: Dec;
  ratio: Dec | null;
  currency: string;
  note: string | null;
  import_key: string | null;
}

const FORMULA_RE = /^[=+\-@\t\r]/;

function amount(v: string | number | null | undefined, what: string, fallback: Dec | null): Dec {
  if (v === undefined || v === null || v === '') {
    if (fallback === null) throw new UserError(`${what}: required`);
    return fallback;
  }
  const d = dec(v, what);
  if (d < ZERO) throw new UserError(`${what}: must not be negative (the type says the direction)`);
  return d;
}

/** Checks one transaction; `baseCurrency` is the default currency. */
export function checkTransaction(input: TransactionInput, baseCurrency: string): CheckedTransaction {
  const type = parseTransactionType(input.type);
  if (!(input.ts instanceof Date) || Number.isNaN(input.ts.getTime())) throw new UserError('date: not a valid date');
  const symbol = input.symbol?.trim() ? input.symbol.trim() : null;
  if (symbol && FORMULA_RE.test(symbol)) {
    throw new UserError(
      `symbol: "${symbol}" starts with ${JSON.stringify(symbol[0])} (refused: a spreadsheet formula)`,
    );
  }
  if (NEEDS_ASSET.includes(type) && !symbol) throw new UserError(`symbol: required for a ${type}`);
  if (NO_ASSET.includes(type) && symbol) throw new UserError(`symbol: a ${type} is cash and names no asset`);
  const fee = amount(input.fee, 'fee', ZERO);
  let quantity: Dec = ZERO;
  let price: Dec = ZERO;
  let ratio: Dec | null = null;
  if (type === 'split') {
    ratio = amount(input.ratio, 'ratio', null);
    if (ratio === ZERO) throw new UserError('ratio: must be more than 0 (2 for a 2-for-1 split)');
  } else {
    if (input.ratio !== undefined && input.ratio !== null && input.ratio !== '') {
      throw new UserError(`ratio: only a split has one`);
    }
    // Cash transactions without a quantity are one unit of `price` (the amount).
    const cash = !symbol || ['dividend', 'interest', 'fee'].includes(type);
    quantity = amount(input.quantity, 'quantity', cash ? dec('1') : null);
    price = amount(input.price, 'price', type === 'transfer_in' || type === 'transfer_out' ? ZERO : null);
    if (quantity === ZERO) throw new UserError('quantity: must be more than 0');
  }
  const note = input.note?.trim() ? input.note.trim() : null;
  if (note && note.length > 1000) throw new UserError('note: at most 1000 characters');
  return {
    type,
    ts: input.ts,
    symbol,
    quantity,
    price,
    fee,
    ratio,
    currency: parseCurrency(input.currency?.trim() ? input.currency : baseCurrency),
    note,
    import_key: input.import_key ?? null,
  };
}

/** A checked transaction's numbers as the database's text. */
export function numericParams(t: CheckedTransaction): [string, string, string, string | null] {
  return [str(t.quantity), str(t.price), str(t.fee), t.ratio === null ? null : str(t.ratio)];
}
