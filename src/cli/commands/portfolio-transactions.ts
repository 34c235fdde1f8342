/** tm portfolio add / edit / delete / transactions: a portfolio's transactions by hand. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { findPortfolio } from '../../portfolio/portfolios.ts';
import { addTransaction, editTransaction, removeTransaction } from '../../portfolio/service.ts';
import { TRANSACTION_TYPES, type TransactionInput } from '../../portfolio/transaction-input.ts';
import { listTransactions } from '../../portfolio/transactions.ts';
import { transactionView } from '../../portfolio/views.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';
import { PORTFOLIO_REF, parseAt } from './portfolio-args.ts';

interface FieldOptions {
  type?: string;
  symbol?: string;
  quantity?: string;
  price?: string;
  amount?: string;
  fee?: string;
  ratio?: string;
  currency?: string;
  at?: string;
  note?: string;
  user?: string;
  json?: boolean;
}

const COLUMNS = ['id', 'ts', 'type', 'symbol', 'quantity', 'price', 'fee', 'ratio', 'currency', 'note'];

function fields(o: FieldOptions): Partial<TransactionInput> {
  if (o.amount !== undefined && (o.quantity !== undefined || o.price !== undefined)) {
    throw new UsageError('--amount is quantity 1 at price AMOUNT: give it alone, not with --quantity or --price');
  }
  const f: Partial<TransactionInput> = {
    type: o.type,
    symbol: o.symbol,
    quantity: o.amount !== undefined ? '1' : o.quantity,
    price: o.amount ?? o.price,
    fee: o.fee,
    ratio: o.ratio,
    currency: o.currency,
    note: o.note,
    ts: o.at === undefined ? undefined : parseAt(o.at),
  };
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
}

function fieldOptions(c: Command, adding: boolean): Command {
  return c
    .option('--symbol <symbol>', 'the asset: SYMBOL, SYMBOL:EXCHANGE or id (buy, sell, split; optional for others)')
    .option('--quantity <q>', 'units (default 1 for cash transactions)')
    .option('--price <p>', 'price per unit; for cash transactions the amount')
    .option('--amount <a>', 'for cash transactions: the amount (quantity 1 at this price)')
    .option('--fee <f>', 'fee paid, in the transaction currency', adding ? '0' : undefined)
    .option('--ratio <r>', 'split: new shares per old share (2 for 2-for-1, 0.1 for 1-for-10)')
    .option('--currency <code>', "the transaction's currency (default: the portfolio's base currency)")
    .option('--at <iso>', 'when: ISO 8601 date or date-time (default: now)')
    .option('--note <text>', 'free text')
    .option('--user <username>', 'the owner (instead of USER/NAME)')
    .option('--json', 'output JSON');
}

export function registerPortfolioTransactions(portfolio: Command): void {
  fieldOptions(
    portfolio
      .command('add')
      .description('record a transaction')
      .argument('<portfolio>', PORTFOLIO_REF)
      .requiredOption('--type <type>', TRANSACTION_TYPES.join(', ')),
    true,
  ).action(async (ref: string, opts: FieldOptions) => {
    await withDatabase(async (db) => {
      const p = await findPortfolio(db, ref, opts.user);
      const input = { ts: new Date(), ...fields(opts) } as TransactionInput;
      const t = transactionView(await addTransaction(db, p, input));
      printer(!!opts.json).data(t, () => `added transaction ${t.id}: ${t.type} ${t.symbol ?? ''}`.trimEnd());
    });
  });

  fieldOptions(
    portfolio
      .command('edit')
      .description('change a transaction (only the options given); refused if the history would no longer hold')
      .argument('<portfolio>', PORTFOLIO_REF)
      .argument('<id>', 'the transaction id (tm portfolio transactions)')
      .option('--type <type>', TRANSACTION_TYPES.join(', ')),
    false,
  ).action(async (ref: string, id: string, opts: FieldOptions) => {
    const patch = fields(opts);
    if (Object.keys(patch).length === 0) throw new UsageError('nothing to change: give at least one option');
    await withDatabase(async (db) => {
      const p = await findPortfolio(db, ref, opts.user);
      const t = transactionView(await editTransaction(db, p, id, patch));
      printer(!!opts.json).data(t, () => `changed transaction ${t.id}`);
    });
  });

  portfolio
    .command('delete')
    .description('delete a transaction; refused if a later sell would then sell more than was held')
    .argument('<portfolio>', PORTFOLIO_REF)
    .argument('<id>', 'the transaction id')
    .option('--user <username>', 'the owner (instead of USER/NAME)')
    .option('--json', 'output JSON')
    .action(async (ref: string, id: string, opts: { user?: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const p = await findPortfolio(db, ref, opts.user);
        const t = transactionView(await removeTransaction(db, p, id));
        printer(!!opts.json).data(t, () => `deleted transaction ${t.id}`);
      });
    });

  portfolio
    .command('transactions')
    .description("list a portfolio's transactions in the order they apply")
    .argument('<portfolio>', PORTFOLIO_REF)
    .option('--user <username>', 'the owner (instead of USER/NAME)')
    .option('--json', 'output JSON')
    .action(async (ref: string, opts: { user?: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const p = await findPortfolio(db, ref, opts.user);
        const list = (await listTransactions(db, p.id)).map(transactionView);
        printer(!!opts.json).data(list, () => `${table(list, COLUMNS)}\n(${list.length} transaction(s))`);
      });
    });
}
