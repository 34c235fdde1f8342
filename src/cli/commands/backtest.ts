/**
 * tm backtest: a user's strategy simulated with costs and stops (docs/backtests.md). The older hit-rate report of
 * the built-in strategies' signals stays `tm signals backtest`.
 */
import type { Command } from 'commander';
import { parseInterval } from '../../intervals.ts';
import { withDatabase } from '../context.ts';
import { intOption } from '../options.ts';
import { printer, table } from '../output.ts';
import { parseJsonOption } from './strategies.ts';
import { addCostOptions, type CostOptions, settingsFrom } from './backtest-options.ts';
import { registerBacktestSweep } from './backtest-sweep.ts';

const runs = () => import('../../analysis/strategy-backtests.ts');
const runsRepo = () => import('../../analysis/backtest-runs-repository.ts');
const users = () => import('../../accounts/users.ts');
const service = () => import('../../analysis/service.ts');

interface RunOptions extends CostOptions {
  user: string;
  strategy: string;
  version?: string;
  symbol: string;
  interval: string;
  from?: string;
  to?: string;
  params?: string;
  json?: boolean;
}

const num = (v: number | null, d = 2) => (v === null ? 'n/a' : v.toFixed(d));

export function registerBacktest(program: Command): void {
  const bt = program
    .command('backtest')
    .description("simulate a user's strategy with costs and stops (docs/backtests.md)");

  const run = bt
    .command('run')
    .description('run a strategy over stored candles and store the run')
    .requiredOption('--user <username>', "the strategy's owner")
    .requiredOption('--strategy <name>', 'strategy name')
    .option('--version <n>', 'strategy version (default: the latest)')
    .requiredOption('--symbol <ref>', 'asset')
    .option('--interval <interval>', 'candle interval', '1d')
    .option('--from <time>', 'first bar (ISO-8601, YYYY-MM-DD or epoch)')
    .option('--to <time>', 'last bar')
    .option('--params <json>', "overrides of the strategy's parameter defaults")
    .option('--json', 'output JSON')
    .action(async (o: RunOptions) => {
      const interval = parseInterval(o.interval, '--interval');
      const params = parseJsonOption(o.params, '--params');
      const settings = settingsFrom(o);
      const version = o.version === undefined ? undefined : intOption(o.version, '--version', 1);
      await withDatabase(
        async (db) => {
          const user = await (await users()).requireUserByName(db, o.user);
          const svc = await service();
          const r = await (await runs()).runStrategyBacktest(db, {
            userId: user.id,
            strategy: o.strategy,
            version,
            symbol: o.symbol,
            interval,
            from: svc.parseTime(o.from, '--from'),
            to: svc.parseTime(o.to, '--to'),
            params,
            settings,
          });
          printer(!!o.json).data(r, () =>
            [
              `${r.strategy} v${r.strategy_version} on ${r.symbol} ${r.interval}, ${r.from} to ${r.to} (${r.bars} bars), run ${r.id}`,
              r.trades.length ? table(r.trades) : 'no trades',
              `final equity ${num(r.final_equity)} (${num(r.return_pct)}%; buy and hold ${num(r.buy_and_hold_return_pct)}%), ` +
                `max drawdown ${num(r.max_drawdown_pct)}%, Sharpe ${num(r.sharpe)}, Sortino ${num(r.sortino)}, ` +
                `win rate ${num(r.win_rate)}%, profit factor ${num(r.profit_factor)}, exposure ${num(r.exposure_pct)}%`,
            ].join('\n'),
          );
        },
        { sustained: true },
      );
    });
  addCostOptions(run);
  registerBacktestSweep(bt);

  bt.command('list')
    .description("a user's stored runs, newest first")
    .requiredOption('--user <username>', 'owner')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'output JSON')
    .action(async (o: { user: string; limit: string; json?: boolean }) => {
      const limit = intOption(o.limit, '--limit', 1, 1000);
      await withDatabase(async (db) => {
        const user = await (await users()).requireUserByName(db, o.user);
        const rows = await (await runsRepo()).listBacktestRuns(db, user.id, limit);
        printer(!!o.json).data(rows, () =>
          rows.length
            ? table(
                rows.map((r) => ({ ...r, return_pct: r.metrics.return_pct, trades: null })),
                [
                  'id',
                  'strategy',
                  'strategy_version',
                  'symbol',
                  'interval',
                  'from_ts',
                  'to_ts',
                  'return_pct',
                  'created_at',
                ],
              )
            : 'no backtest runs',
        );
      });
    });

  bt.command('show')
    .description('a stored run with its trades and equity curve')
    .argument('<id>', 'run id')
    .requiredOption('--user <username>', 'owner')
    .option('--json', 'output JSON')
    .action(async (id: string, o: { user: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const user = await (await users()).requireUserByName(db, o.user);
        const r = await (await runsRepo()).getBacktestRun(db, user.id, id);
        printer(!!o.json).data(r, () =>
          [
            `${r.strategy} v${r.strategy_version} on ${r.symbol} ${r.interval}`,
            r.trades.length ? table(r.trades) : 'no trades',
          ].join('\n'),
        );
      });
    });
}
