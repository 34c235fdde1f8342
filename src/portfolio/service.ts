/**
 * Changing a portfolio's transactions: each change runs in one database transaction that locks the
 * portfolio, applies the change and replays the whole history, so a change that would leave a sell of
 * more than was held (at any point, not only at its own date) is refused and nothing is written.
 */
import type { Database, Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { getAsset } from '../market/assets-repository.ts';
import { dec, str as decText } from './decimal.ts';
import { replay } from './ledger.ts';
import type { Portfolio } from './portfolios.ts';
import { checkTransaction, type TransactionInput } from './transaction-input.ts';
import {
  deleteTransaction,
  getTransaction,
  insertTransaction,
  listTransactions,
  updateTransaction,
  type Transaction,
} from './transactions.ts';

const ONE = dec('1');

/** Replays the history with unit rates: only quantities matter for what may be stored. */
export async function checkHistory(q: Queryable, portfolioId: string): Promise<void> {
  replay(await listTransactions(q, portfolioId), () => ONE);
}

async function lockPortfolio(tx: Queryable, p: Portfolio): Promise<void> {
  await tx.query('SELECT 1 FROM portfolios WHERE id = $1 FOR UPDATE', [p.id]);
}

async function resolveAsset(q: Queryable, symbol: string | null): Promise<string | null> {
  if (!symbol) return null;
  try {
    return (await getAsset(q, symbol)).id;
  } catch (err) {
    if (err instanceof UserError && err.status === 404) {
      throw new UserError(`symbol: no asset "${symbol}" (add it with tm assets add)`);
    }
    throw err;
  }
}

export async function addTransaction(db: Database, p: Portfolio, input: TransactionInput): Promise<Transaction> {
  const t = checkTransaction(input, p.base_currency);
  return db.transaction(async (tx) => {
    await lockPortfolio(tx, p);
    const id = await insertTransaction(tx, p.id, t, await resolveAsset(tx, t.symbol));
    await checkHistory(tx, p.id);
    return getTransaction(tx, p.id, id);
  });
}

/** Replaces a transaction; fields not given keep their values. */
export async function editTransaction(
  db: Database,
  p: Portfolio,
  id: string,
  patch: Partial<TransactionInput>,
): Promise<Transaction> {
  return db.transaction(async (tx) => {
    await lockPortfolio(tx, p);
    const cur = await getTransaction(tx, p.id, id);
    const merged: TransactionInput = {
      type: cur.type,
      ts: cur.ts,
      symbol: cur.symbol,
      quantity: cur.quantity === 0n ? null : decText(cur.quantity),
      price: decText(cur.price),
      fee: decText(cur.fee),
      ratio: cur.ratio === null ? null : decText(cur.ratio),
      currency: cur.currency,
      note: cur.note,
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
    };
    // A changed type may not carry the old type's fields: a split has no quantity, others no ratio.
    if (patch.type !== undefined && patch.type !== cur.type) {
      if (patch.ratio === undefined) merged.ratio = null;
      if (patch.quantity === undefined && cur.type === 'split') merged.quantity = null;
    }
    const t = checkTransaction(merged, p.base_currency);
    await updateTransaction(tx, p.id, id, t, await resolveAsset(tx, t.symbol));
    await checkHistory(tx, p.id);
    return getTransaction(tx, p.id, id);
  });
}

export async function removeTransaction(db: Database, p: Portfolio, id: string): Promise<Transaction> {
  return db.transaction(async (tx) => {
    await lockPortfolio(tx, p);
    const t = await deleteTransaction(tx, p.id, id);
    await checkHistory(tx, p.id);
    return t;
  });
}
