/** tm portfolio: portfolios of a user, their transactions, positions, imports and performance. */
import type { Command } from 'commander';
import { requireUserByName } from '../../accounts/users.ts';
import { createPortfolio, findPortfolio, listPortfolios, removePortfolio } from '../../portfolio/portfolios.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';
import { registerPortfolioTransactions } from './portfolio-transactions.ts';
import { registerPortfolioPerformance, registerPortfolioReports } from './portfolio-reports.ts';
import { PORTFOLIO_REF } from './portfolio-args.ts';
import { registerPortfolioImport } from './portfolio-import.ts';

export function registerPortfolio(program: Command): void {
  const portfolio = program
    .command('portfolio')
    .description('portfolios: transactions, FIFO positions, imports and performance (docs/portfolio.md)');

  portfolio
    .command('create')
    .description('create a portfolio for a user')
    .argument('<name>', 'unique per user (1-100 characters, no "/")')
    .requiredOption('--user <username>', 'the owner')
    .option('--currency <code>', 'base currency: figures are converted into it', 'USD')
    .option('--json', 'output JSON')
    .action(async (name: string, opts: { user: string; currency: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const user = await requireUserByName(db, opts.user);
        const p = await createPortfolio(db, user.id, { name, base_currency: opts.currency });
        printer(!!opts.json).data(p, () => `created portfolio ${user.username}/${p.name} (${p.base_currency})`);
      });
    });

  portfolio
    .command('list')
    .description('list portfolios (all users, or one)')
    .option('--user <username>', 'only this user')
    .option('--json', 'output JSON')
    .action(async (opts: { user?: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const userId = opts.user ? (await requireUserByName(db, opts.user)).id : null;
        const list = await listPortfolios(db, userId);
        printer(!!opts.json).data(list, () =>
          table(list, ['username', 'name', 'base_currency', 'transactions', 'created_at']),
        );
      });
    });

  portfolio
    .command('remove')
    .description('delete a portfolio and all its transactions')
    .argument('<portfolio>', PORTFOLIO_REF)
    .option('--user <username>', 'the owner (instead of USER/NAME)')
    .option('--json', 'output JSON')
    .action(async (ref: string, opts: { user?: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const p = await findPortfolio(db, ref, opts.user);
        await removePortfolio(db, p.user_id, p.id);
        printer(!!opts.json).data(
          p,
          () => `removed portfolio ${p.username}/${p.name} and its ${p.transactions} transaction(s)`,
        );
      });
    });

  registerPortfolioTransactions(portfolio);
  registerPortfolioImport(portfolio);
  registerPortfolioReports(portfolio);
  registerPortfolioPerformance(portfolio);
}
