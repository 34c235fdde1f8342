/**
 * tm backtest sweep: a strategy over every combination of a parameter grid, ranked on the in-sample part with the
 * out-of-sample figures beside, for one split or rolling walk-forward windows (docs/backtests.md). The combinations
 * run on worker threads (one per core, --threads); nothing is stored.
 */
import type { Command } from 'commander';
import { SWEEP_METRICS, type SweepMetric } from '../../analysis/backtest/names.ts';
import type { SweepResult } from '../../analysis/backtest/sweep.ts';
import type { SplitReport, SweepReport, WalkForwardReport } from '../../analysis/strategy-sweeps.ts';
import { UsageError } from '../../errors.ts';

/** As strategy-sweeps.ts's MAX_WINDOWS, without loading the engine for --help. */
const MAX_WINDOWS = 50;
import { parseInterval } from '../../intervals.ts';
import { withDatabase } from '../context.ts';
import { intOption } from '../options.ts';
import { printer, table } from '../output.ts';
import { addCostOptions, type CostOptions, settingsFrom } from './backtest-options.ts';
import { parseJsonOption } from './strategies.ts';

interface SweepOptions extends CostOptions {
  user: string;
  strategy: string;
  version?: string;
  symbol: string;
  interval: string;
  from?: string;
  to?: string;
  grid: string;
  train: string;
  walkForward?: string;
  threads?: string;
  metric: string;
  top: string;
  params?: string;
  json?: boolean;
}

const fixed = (v: number | null) => (v === null ? null : Number(v.toFixed(2)));

const partText = (p: SplitReport['in_sample']) => `${p.from.slice(0, 10)}..${p.to.slice(0, 10)} (${p.bars})`;

function walkForwardText(r: WalkForwardReport): string {
  const m = r.metric;
  const rows = r.windows.map((w) => {
    const best = w.results[0];
    return {
      window: w.window,
      'in-sample': partText(w.in_sample),
      'out-of-sample': partText(w.out_of_sample),
      best: r.grid.map((k) => `${k}=${best.params[k]}`).join(' '),
      [`in ${m}`]: fixed(best.in_sample[m]),
      [`out ${m}`]: fixed(best.out_of_sample[m]),
      'in return%': fixed(best.in_sample.return_pct),
      'out return%': fixed(best.out_of_sample.return_pct),
      'out trades': best.out_of_sample.trades,
    };
  });
  return [
    `${r.strategy} v${r.strategy_version} on ${r.symbol} ${r.interval}: ${r.combinations} combinations, ` +
      `${r.walk_forward} walk-forward windows (train ${r.train}), each best by in-sample ${m}`,
    table(rows),
  ].join('\n');
}

function text(r: SweepReport): string {
  if ('windows' in r) return walkForwardText(r);
  const names = Object.keys(r.results[0]?.params ?? {});
  const m = r.metric;
  const rows = r.results.map((x: SweepResult) => ({
    rank: x.rank,
    ...Object.fromEntries(names.map((k) => [k, x.params[k]])),
    [`in ${m}`]: fixed(x.in_sample[m]),
    [`out ${m}`]: fixed(x.out_of_sample[m]),
    'in return%': fixed(x.in_sample.return_pct),
    'out return%': fixed(x.out_of_sample.return_pct),
    'in trades': x.in_sample.trades,
    'out trades': x.out_of_sample.trades,
    'in maxdd%': fixed(x.in_sample.max_drawdown_pct),
    'out maxdd%': fixed(x.out_of_sample.max_drawdown_pct),
  }));
  const part = (p: SplitReport['in_sample']) => `${p.from} to ${p.to} (${p.bars} bars)`;
  return [
    `${r.strategy} v${r.strategy_version} on ${r.symbol} ${r.interval}: ${r.combinations} combinations ranked by in-sample ${m}`,
    `in-sample ${part(r.in_sample)}; out-of-sample ${part(r.out_of_sample)}`,
    table(rows),
  ].join('\n');
}

export function registerBacktestSweep(bt: Command): void {
  const sweep = bt
    .command('sweep')
    .description('run a strategy over a parameter grid, ranked in-sample, with the out-of-sample figures beside')
    .requiredOption('--user <username>', "the strategy's owner")
    .requiredOption('--strategy <name>', 'strategy name')
    .option('--version <n>', 'strategy version (default: the latest)')
    .requiredOption('--symbol <ref>', 'asset')
    .option('--interval <interval>', 'candle interval', '1d')
    .option('--from <time>', 'first bar (ISO-8601, YYYY-MM-DD or epoch)')
    .option('--to <time>', 'last bar')
    .requiredOption('--grid <spec>', "parameters to vary, e.g. 'fast=5..50:5,slow=20..200:20'")
    .option('--train <fraction>', 'the first fraction of the bars that is in-sample (where the ranking is made)', '0.7')
    .option('--walk-forward <n>', 'rolling walk-forward windows, each split by --train, instead of one split')
    .option('--threads <n>', 'worker threads (default: one per core; 1 runs in this thread)')
    .option('--metric <name>', `rank by this in-sample figure: ${SWEEP_METRICS.join(', ')}`, 'sharpe')
    .option('--top <n>', 'print this many combinations', '10')
    .option('--params <json>', "overrides of the strategy's other parameter defaults")
    .option('--json', 'output JSON');
  addCostOptions(sweep).action(async (o: SweepOptions) => {
    const interval = parseInterval(o.interval, '--interval');
    const params = parseJsonOption(o.params, '--params');
    const settings = settingsFrom(o);
    const version = o.version === undefined ? undefined : intOption(o.version, '--version', 1);
    const top = intOption(o.top, '--top', 1, 10_000);
    const train = Number(o.train);
    if (o.train.trim() === '' || !(train > 0 && train < 1)) {
      throw new UsageError(`--train must be a fraction above 0 and below 1, got "${o.train}"`);
    }
    if (!(SWEEP_METRICS as readonly string[]).includes(o.metric)) {
      throw new UsageError(`--metric must be one of ${SWEEP_METRICS.join(', ')}, got "${o.metric}"`);
    }
    const walkForward =
      o.walkForward === undefined ? undefined : intOption(o.walkForward, '--walk-forward', 1, MAX_WINDOWS);
    const [{ default: cliProgress }, { runStrategySweep }, { requireUserByName }, { parseTime }, pools] =
      await Promise.all([
        import('cli-progress'),
        import('../../analysis/strategy-sweeps.ts'),
        import('../../accounts/users.ts'),
        import('../../analysis/service.ts'),
        import('../../analysis/sweep-pool.ts'),
      ]);
    const threads = o.threads === undefined ? pools.defaultSweepThreads() : intOption(o.threads, '--threads', 1, 256);
    const pool = threads > 1 ? pools.sweepPool({ threads }) : undefined;
    const bar = process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: 'sweep [{bar}] {value}/{total} | ETA {eta_formatted}', stream: process.stderr, hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
    try {
      await withDatabase(
        async (db) => {
          const user = await requireUserByName(db, o.user);
          const r = await runStrategySweep(db, {
            userId: user.id,
            strategy: o.strategy,
            version,
            symbol: o.symbol,
            interval,
            from: parseTime(o.from, '--from'),
            to: parseTime(o.to, '--to'),
            params,
            settings,
            grid: o.grid,
            train,
            walkForward,
            pool,
            metric: o.metric as SweepMetric,
            top,
            onStart: (total) => bar?.start(total, 0),
            onProgress: (done) => bar?.update(done),
          });
          bar?.stop();
          printer(!!o.json).data(r, () => text(r));
        },
        { sustained: true },
      );
    } finally {
      bar?.stop();
      await pool?.close();
    }
  });
}
