/** Transactions as the CLI and the API show them: exact numbers as decimal strings. */
import { str } from './decimal.ts';
import type { Transaction } from './transactions.ts';

export type TransactionView = {
  id: string;
  type: string;
  ts: string;
  symbol: string | null;
  quantity: string;
  price: string;
  fee: string;
  ratio: string | null;
  currency: string;
  note: string | null;
  import_key: string | null;
};

export function transactionView(t: Transaction): TransactionView {
  return {
    id: t.id,
    type: t.type,
    ts: t.ts.toISOString(),
    symbol: t.symbol,
    quantity: str(t.quantity),
    price: str(t.price),
    fee: str(t.fee),
    ratio: t.ratio === null ? null : str(t.ratio),
    currency: t.currency,
    note: t.note,
    import_key: t.import_key,
  };
}
