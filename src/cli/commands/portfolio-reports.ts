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

export function registerPortfolioPerformance(portfolio: Command): void {
  portfolio
    .command('performance')
    .description('value per day, time- and money-weighted return, max drawdown, against a benchmark asset')
    .argument('<portfolio>', PORTFOLIO_REF)
    .option('--from <date>', 'first day, YYYY-MM-DD (default: the first transaction)')
    .option('--to <date>', 'last day, YYYY-MM-DD (default: today, UTC)')
    .option('--benchmark <symbol>', 'an asset to compare with: SYMBOL, SYMBOL:EXCHANGE or id')
    .option('--user <username>', 'the owner (instead of USER/NAME)')
    .option('--json', 'output JSON')
    .action(
      async (ref: string, opts: { from?: string; to?: string; benchmark?: string; user?: string; json?: boolean }) => {
        const { performance } = await import('../../portfolio/performance.ts');
        await withDatabase(async (db) => {
          const p = await findPortfolio(db, ref, opts.user);
          const r = await performance(db, p, opts);
          const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)} %`);
          printer(!!opts.json).data(r, () =>
            [
              `${r.portfolio}: ${r.from} to ${r.to} (${r.base_currency})`,
              `value ${r.start_value} -> ${r.end_value}, net flows ${r.net_flows}`,
              `time-weighted return ${pct(r.time_weighted_return)}, money-weighted (annual) ${pct(r.money_weighted_return)}, max drawdown ${pct(r.max_drawdown)}`,
              r.benchmark
                ? `benchmark ${r.benchmark.symbol}: return ${pct(r.benchmark.return)}, max drawdown ${pct(r.benchmark.max_drawdown)}`
                : '',
            ]
              .filter(Boolean)
              .join('\n'),
          );
        });
      },
    );
}
