/** tm signals: generate and store strategy signals, list them, backtest a strategy, expire old signals. */
import type { Command } from 'commander';
import { STRATEGY_NAMES } from '../../../analysis/signals/names.ts';
import { UsageError } from '../../../errors.ts';
import { getAsset } from '../../../market/assets-repository.ts';
import { parseInterval } from '../../../intervals.ts';
import { withDatabase } from '../../context.ts';
import { intOption } from '../../options.ts';
import { printer, table } from '../../output.ts';
import { collect, fixed, parseJson, service, signalsRepo } from './shared.ts';

export function registerSignals(program: Command): void {
  const sig = program.command('signals').description(`trading signals from strategies (${STRATEGY_NAMES.join(', ')})`);
  signalsGenerate(sig);
  signalsList(sig);
  signalsBacktest(sig);
  signalsExpire(sig);
}

function signalsGenerate(parent: Command): void {
  parent
    .command('generate')
    .description('run strategies over stored candles and store their signals (incremental, idempotent)')
    .option('--symbol <ref>', 'asset; repeatable', collect)
    .option('--all', 'every asset with candles of the interval')
    .option(
      '--strategy <name>',
      "one strategy (default: all built-in ones, or all of --user's); repeatable with --user",
      collect,
    )
    .option(
      '--user <username>',
      "run this user's strategies (tm strategies), latest versions, instead of the built-in ones",
    )
    .option('--params <json>', 'built-in strategy parameters (with --strategy)')
    .option('--interval <interval>', 'candle interval', '1d')
    .option('--json', 'output JSON')
    .action(
      async (o: {
        symbol?: string[];
        all?: boolean;
        strategy?: string[];
        user?: string;
        params?: string;
        interval: string;
        json?: boolean;
      }) => {
        const interval = parseInterval(o.interval, '--interval');
        if (o.params && !o.strategy) throw new UsageError('--params needs --strategy');
        if (o.params && o.user)
          throw new UsageError("--params is for built-in strategies; a user's strategy runs with its saved defaults");
        if (!o.user && (o.strategy?.length ?? 0) > 1) throw new UsageError('give one --strategy (or none for all)');
        await withDatabase(
          async (db) => {
            const choice = { symbols: o.symbol, all: o.all };
            const res = o.user
              ? await (await service()).generateUserSignals(
                  db,
                  choice,
                  interval,
                  await (await import('../../../accounts/users.ts')).requireUserByName(db, o.user),
                  o.strategy,
                )
              : await (await service()).generateStoredSignals(
                  db,
                  choice,
                  interval,
                  o.strategy,
                  parseJson(o.params, '--params'),
                );
            printer(!!o.json).data(
              res,
              () =>
                `${table(res.map((r) => ({ symbol: r.symbol, strategy: r.strategy, version: r.strategy_version ?? '', candidates: r.candidates, inserted: r.inserted, deactivated: r.deactivated, recomputed: r.recomputed ? 'yes' : '' })))}\n` +
                `${res.reduce((n, r) => n + r.inserted, 0)} new signals`,
            );
          },
          { sustained: true },
        );
      },
    );
}

function signalsList(parent: Command): void {
  parent
    .command('list')
    .description('stored signals, newest first')
    .option('--active', 'only active ones')
    .option('--symbol <ref>', 'asset')
    .option('--strategy <name>', 'strategy')
    .option('--interval <interval>', 'timeframe')
    .option('--limit <n>', 'rows', '50')
    .option('--json', 'output JSON')
    .action(
      async (o: {
        active?: boolean;
        symbol?: string;
        strategy?: string;
        interval?: string;
        limit: string;
        json?: boolean;
      }) => {
        const timeframe = o.interval ? parseInterval(o.interval, '--interval') : undefined;
        const limit = intOption(o.limit, '--limit', 1, 100_000);
        await withDatabase(async (db) => {
          const assetId = o.symbol ? (await getAsset(db, o.symbol)).id : undefined;
          const page = await (await signalsRepo()).listSignals(db, {
            assetId,
            strategy: o.strategy,
            timeframe,
            active: o.active ? true : undefined,
            viewer: 'all',
            limit,
            offset: 0,
          });
          printer(!!o.json).data(
            page,
            () =>
              `${table(
                page.items.map((s) => ({
                  symbol: s.symbol,
                  ts: s.ts,
                  type: s.signal_type,
                  strategy: s.strategy,
                  strength: fixed(s.strength, 2),
                  confidence: fixed(s.confidence, 2),
                  price: fixed(s.price),
                  active: s.is_active ? 'yes' : '',
                  rationale: s.rationale,
                })),
              )}\n${page.items.length} of ${page.total}`,
          );
        });
      },
    );
}

function signalsBacktest(parent: Command): void {
  parent
    .command('backtest')
    .description("how a strategy's signals would have done: hit rate, average return after N bars, max drawdown")
    .requiredOption('--symbol <ref>', 'asset')
    .requiredOption('--strategy <name>', `strategy (${STRATEGY_NAMES.join(', ')})`)
    .option('--params <json>', 'strategy parameters')
    .option('--interval <interval>', 'candle interval', '1d')
    .option('--from <time>', 'first bar (ISO-8601, YYYY-MM-DD or epoch)')
    .option('--to <time>', 'last bar')
    .option('--horizon <n>', 'bars after a signal at which its outcome is read', '10')
    .option('--json', 'output JSON')
    .action(
      async (o: {
        symbol: string;
        strategy: string;
        params?: string;
        interval: string;
        from?: string;
        to?: string;
        horizon: string;
        json?: boolean;
      }) => {
        const interval = parseInterval(o.interval, '--interval');
        const horizon = intOption(o.horizon, '--horizon', 1, 10_000);
        await withDatabase(async (db) => {
          const r = await (await service()).runBacktest(db, {
            symbol: o.symbol,
            strategy: o.strategy,
            interval,
            from: (await service()).parseTime(o.from, '--from'),
            to: (await service()).parseTime(o.to, '--to'),
            horizon,
            params: parseJson(o.params, '--params'),
          });
          const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
          printer(!!o.json).data(r, () =>
            [
              `${r.strategy} on ${r.symbol} ${r.interval}: ${r.bars} bars, ${r.signals} directional signals (${r.count} scored, ${r.pending} too recent, ${r.holds} holds)`,
              `hit rate ${pct(r.hitRate)}, average return after ${r.horizon} bars ${pct(r.avgReturn)}, max drawdown ${pct(r.maxDrawdown)}, final equity ${r.finalEquity.toFixed(4)}`,
            ].join('\n'),
          );
        });
      },
    );
}

function signalsExpire(parent: Command): void {
  parent
    .command('expire')
    .description('deactivate signals whose expires_at has passed (tm serve does this every minute)')
    .option('--json', 'output JSON')
    .action(async (o: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const n = await (await signalsRepo()).expireSignals(db);
        printer(!!o.json).data({ deactivated: n }, () => `${n} signal(s) deactivated`);
      });
    });
}
