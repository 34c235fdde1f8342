/**
 * tm backtest: a user's strategy simulated with costs and stops (docs/backtests.md). The older hit-rate report of
 * the built-in strategies' signals stays `tm signals backtest`.
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { parseInterval } from '../../intervals.ts';
import { withDatabase } from '../context.ts';
import { intOption } from '../options.ts';
import { printer, table } from '../output.ts';
import { parseJsonOption } from './strategies.ts';

const runs = () => import('../../analysis/strategy-backtests.ts');
const runsRepo = () => import('../../analysis/backtest-runs-repository.ts');
const users = () => import('../../accounts/users.ts');
const service = () => import('../../analysis/service.ts');

export function fraction(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${what} must be a number, got "${v}"`);
  return n;
}

interface RunOptions {
  user: string;
  strategy: string;
  version?: string;
  symbol: string;
  interval: string;
  from?: string;
  to?: string;
  cash: string;
  commission: string;
  slippage: string;
  stopLoss?: string;
  takeProfit?: string;
  trailingStop?: string;
  params?: string;
  fractional?: boolean;
  sizePct?: string;
  short?: boolean;
  json?: boolean;
}

export type SettingsOptions = Pick<
  RunOptions,
  'cash' | 'commission' | 'slippage' | 'stopLoss' | 'takeProfit' | 'trailingStop' | 'fractional' | 'sizePct' | 'short'
>;

/** The execution-model options tm backtest run and tm paper start share, as settings (checked later). */
export function settingsOptions(o: SettingsOptions) {
  return {
    cash: fraction(o.cash, '--cash'),
    commission: fraction(o.commission, '--commission'),
    slippage: fraction(o.slippage, '--slippage'),
    stopLoss: fraction(o.stopLoss, '--stop-loss') ?? null,
    takeProfit: fraction(o.takeProfit, '--take-profit') ?? null,
    trailingStop: fraction(o.trailingStop, '--trailing-stop') ?? null,
    fractional: !!o.fractional,
    sizePct: fraction(o.sizePct, '--size-pct') ?? null,
    short: !!o.short,
  };
}

const num = (v: number | null, d = 2) => (v === null ? 'n/a' : v.toFixed(d));

export function registerBacktest(program: Command): void {
  const bt = program
    .command('backtest')
    .description("simulate a user's strategy with costs and stops (docs/backtests.md)");

  bt.command('run')
    .description('run a strategy over stored candles and store the run')
    .requiredOption('--user <username>', "the strategy's owner")
    .requiredOption('--strategy <name>', 'strategy name')
    .option('--version <n>', 'strategy version (default: the latest)')
    .requiredOption('--symbol <ref>', 'asset')
    .option('--interval <interval>', 'candle interval', '1d')
    .option('--from <time>', 'first bar (ISO-8601, YYYY-MM-DD or epoch)')
    .option('--to <time>', 'last bar')
    .option('--cash <amount>', 'starting cash', '10000')
    .option('--commission <fraction>', 'of the notional, paid on entry and on exit', '0.001')
    .option('--slippage <fraction>', 'each fill moves this much against the trader', '0')
    .option('--stop-loss <fraction>', 'exit when the price moves this far against the entry')
    .option('--take-profit <fraction>', 'exit when the price moves this far in favour')
    .option(
      '--trailing-stop <fraction>',
      'exit this far below the highest high since entry (above the lowest low, short)',
    )
    .option('--params <json>', "overrides of the strategy's parameter defaults")
    .option('--fractional', 'buy fractional units (default: whole units)')
    .option('--size-pct <fraction>', 'put this fraction of equity in each entry (default: all the cash)')
    .option('--short', 'the exit rule also opens short positions, which the entry rule closes')
    .option('--json', 'output JSON')
    .action(async (o: RunOptions) => {
      const interval = parseInterval(o.interval, '--interval');
      const params = parseJsonOption(o.params, '--params');
      const settings = settingsOptions(o);
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
            settings: settings as never,
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
