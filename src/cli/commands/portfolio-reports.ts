/** tm portfolio positions: figures computed from the transactions and the candles. */
import type { Command } from 'commander';
import { findPortfolio } from '../../portfolio/portfolios.ts';
import { positions } from '../../portfolio/positions.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';
import { PORTFOLIO_REF } from './portfolio-args.ts';

export function registerPortfolioReports(portfolio: Command): void {
  portfolio
    .command('positions')
    .description(
      'positions with FIFO cost basis and P&L at the newest close, cash per currency, totals in the base currency',
    )
    .argument('<portfolio>', PORTFOLIO_REF)
    .option('--user <username>', 'the owner (instead of USER/NAME)')
    .option('--json', 'output JSON')
    .action(async (ref: string, opts: { user?: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const p = await findPortfolio(db, ref, opts.user);
        const r = await positions(db, p);
        printer(!!opts.json).data(r, () =>
          [
            table(r.positions, [
              'symbol',
              'currency',
              'quantity',
              'average_cost',
              'cost_basis',
              'last_price',
              'market_value',
              'unrealized_pnl',
              'realized_pnl',
              'income',
            ]),
            '',
            table(r.cash, ['currency', 'amount', 'base_amount']),
            '',
            table([r.totals]),
            `(figures in ${r.base_currency} where converted)`,
          ].join('\n'),
        );
      });
    });
}
