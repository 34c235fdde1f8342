/** tm paper: paper accounts that trade a strategy with the backtest's execution model (docs/portfolio.md). */
import type { Command } from 'commander';
import { requireUserByName } from '../../accounts/users.ts';
import { parseInterval } from '../../intervals.ts';
import { findPortfolio } from '../../portfolio/portfolios.ts';
import { withDatabase } from '../context.ts';
import { intOption } from '../options.ts';
import { printer, table } from '../output.ts';
import { type CostOptions, settingsFrom } from './backtest-options.ts';
import { parseJsonOption } from './strategies.ts';
import { PORTFOLIO_REF } from './portfolio-args.ts';

// The engine, the indicators and the analysis service load only when a paper command runs.
const paperLib = () => import('../../paper/paper.ts');
const service = () => import('../../analysis/service.ts');

type StartOptions = CostOptions & {
  user: string;
  strategy: string;
  version?: string;
  symbol: string;
  interval: string;
  currency: string;
  from?: string;
  params?: string;
  json?: boolean;
};

export function registerPaper(program: Command): void {
  const paper = program
    .command('paper')
    .description("paper trading: a strategy traded on closed bars with the backtest's model (docs/portfolio.md)");

  paper
    .command('start')
    .description('create a paper account (and its portfolio of the same name) with starting cash')
    .argument('<name>', 'unique per user among portfolios')
    .requiredOption('--user <username>', 'the owner of the account and the strategy')
    .requiredOption('--strategy <name>', 'strategy name')
    .option('--version <n>', 'strategy version (default: the latest)')
    .requiredOption('--symbol <ref>', 'asset')
    .option('--interval <interval>', 'candle interval', '1d')
    .option('--from <time>', 'first bar (default: the first stored bar)')
    .option('--currency <code>', "the portfolio's base currency", 'USD')
    .option('--cash <amount>', 'starting cash', '10000')
    .option('--commission <fraction>', 'of the notional, paid on entry and on exit', '0.001')
    .option('--slippage <fraction>', 'each fill moves this much against the trader', '0')
    .option('--stop-loss <fraction>', 'exit when the price moves this far against the entry')
    .option('--take-profit <fraction>', 'exit when the price moves this far in favour')
    .option('--trailing-stop <fraction>', 'exit this far below the highest high since entry')
    .option('--params <json>', "overrides of the strategy's parameter defaults")
    .option('--fractional', 'buy fractional units (default: whole units)')
    .option('--size-pct <fraction>', 'put this fraction of equity in each entry (default: all the cash)')
    .option('--json', 'output JSON')
    .action(async (name: string, o: StartOptions) => {
      const interval = parseInterval(o.interval, '--interval');
      const params = parseJsonOption(o.params, '--params');
      const settings = settingsFrom(o);
      const version = o.version === undefined ? undefined : intOption(o.version, '--version', 1);
      await withDatabase(async (db) => {
        const user = await requireUserByName(db, o.user);
        const p = await (await paperLib()).startPaper(db, {
          userId: user.id,
          name,
          currency: o.currency,
          strategy: o.strategy,
          version,
          symbol: o.symbol,
          interval,
          from: (await service()).parseTime(o.from, '--from'),
          params,
          settings: settings as never,
        });
        printer(!!o.json).data(
          p,
          () => `started paper account ${user.username}/${p.name}: run it with tm paper run ${p.name}`,
        );
      });
    });

  paper
    .command('run')
    .description('process every closed bar since the last one processed (running it again changes nothing)')
    .argument('<account>', PORTFOLIO_REF)
    .option('--user <username>', 'the owner (instead of USER/NAME)')
    .option('--json', 'output JSON')
    .action(async (ref: string, o: { user?: string; json?: boolean }) => {
      await withDatabase(
        async (db) => {
          const p = await findPortfolio(db, ref, o.user);
          const r = await (await paperLib()).runPaper(db, p);
          printer(!!o.json).data(
            r,
            () =>
              `${p.username}/${p.name}: ${r.bars} new closed bar(s), ${r.fills} fill(s); last bar ${r.last_bar ?? 'none yet'}`,
          );
        },
        { sustained: true },
      );
    });

  paper
    .command('trades')
    .description("the account's trades in the backtest's shape (an open position is the last, exit_reason end)")
    .argument('<account>', PORTFOLIO_REF)
    .option('--user <username>', 'the owner (instead of USER/NAME)')
    .option('--json', 'output JSON')
    .action(async (ref: string, o: { user?: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const p = await findPortfolio(db, ref, o.user);
        const trades = (await (await paperLib()).paperReport(db, p)).report?.trades ?? [];
        printer(!!o.json).data(trades, () => (trades.length ? table(trades) : 'no trades'));
      });
    });

  paper
    .command('status')
    .description('cash, position and equity as of the last processed bar')
    .argument('<account>', PORTFOLIO_REF)
    .option('--user <username>', 'the owner (instead of USER/NAME)')
    .option('--json', 'output JSON')
    .action(async (ref: string, o: { user?: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const p = await findPortfolio(db, ref, o.user);
        const s = await (await paperLib()).paperStatus(db, p);
        printer(!!o.json).data(s, () =>
          [
            `${p.username}/${s.name}: ${s.strategy} v${s.strategy_version} on ${s.symbol} ${s.interval} from ${s.from}, last bar ${s.last_bar ?? 'none yet'}`,
            `cash ${s.cash.toFixed(2)}, position ${s.position ? `${s.position.size} @ ${s.position.entry_price} (last ${s.position.last_price})` : 'none'}, equity ${s.equity.toFixed(2)}`,
          ].join('\n'),
        );
      });
    });
}
