/** tm demo seed: deterministic synthetic market data for trying the product. */
import type { Command } from 'commander';
import { parseTimestamp } from '../../market/import/timestamps.ts';
import { parseInterval, type Interval } from '../../intervals.ts';
import { UsageError } from '../../errors.ts';
import { withDatabase } from '../context.ts';
import { intOption } from '../options.ts';
import { printer } from '../output.ts';

export function registerDemo(program: Command): void {
  const demo = program.command('demo').description('synthetic demo data');
  demo
    .command('seed')
    .description(
      'create demo assets (exchange DEMO), a deterministic geometric random walk of OHLCV candles, their indicators and signals, and optionally a watchlist; idempotent',
    )
    .option('--assets <n>', 'number of assets', '50')
    .option('--days <n>', 'days of history, ending at the start of today (UTC)', '365')
    .option('--interval <interval>', 'candle interval; finer than 1d also stores the daily rollup', '1h')
    .option('--seed <n>', 'random seed: the same seed and end date give the same candles', '42')
    .option('--end <date>', 'exclusive end date YYYY-MM-DD (default: today, UTC)')
    .option(
      '--analysis <intervals>',
      'comma-separated seeded intervals to compute all indicators and signals for, or "none" (default: 1d)',
    )
    .option(
      '--watchlist-user <username>',
      'give this existing user a "Demo" watchlist of the demo assets with price alerts 5% around the last close',
    )
    .option('--json', 'output JSON')
    .action(
      async (o: {
        assets: string;
        days: string;
        interval: string;
        seed: string;
        end?: string;
        analysis?: string;
        watchlistUser?: string;
        json?: boolean;
      }) => {
        // parseTimestamp refuses 2024-02-30 (new Date would roll it over to 03-01).
        const endMs =
          o.end === undefined ? undefined : /^\d{4}-\d{2}-\d{2}$/.test(o.end.trim()) ? parseTimestamp(o.end) : null;
        if (endMs === null) throw new UsageError(`--end must be a date YYYY-MM-DD, got "${o.end}"`);
        const end = endMs === undefined ? undefined : new Date(endMs);
        const seed = Number(o.seed);
        if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${o.seed}"`);
        const interval = parseInterval(o.interval, '--interval');
        // Daily analysis by default: a year of 1h bars times ten indicators is millions of rows.
        const analysis: Interval[] =
          o.analysis === undefined
            ? ['1d']
            : o.analysis === 'none'
              ? []
              : o.analysis.split(',').map((v) => parseInterval(v.trim(), '--analysis'));
        const opts = {
          assets: intOption(o.assets, '--assets', 1, 10_000),
          days: intOption(o.days, '--days', 1, 36_500),
          interval,
          seed,
          end,
          analysis,
          watchlistUser: o.watchlistUser,
        };
        await withDatabase(
          async (db) => {
            const { seedFullDemo } = await import('../../demo/seed.ts'); // with the indicators and strategies
            const s = await seedFullDemo(db, opts, (l) => process.stderr.write(`${l}\n`));
            printer(!!o.json).data(
              s,
              () =>
                `${[
                  `demo data: ${s.assets} assets (${s.created_assets} new)`,
                  ...s.candles.map(
                    (c) =>
                      `${c.interval} candles: ${c.inserted} inserted, ${c.updated} updated, ${c.skipped} unchanged`,
                  ),
                  ...s.analysis.map(
                    (a) => `${a.interval} analysis: ${a.indicator_rows} indicator rows, ${a.signals} signals written`,
                  ),
                  ...(s.watchlist
                    ? [`watchlist "Demo" of ${s.watchlist.user}: ${s.watchlist.added_items} items added`]
                    : []),
                ].join('; ')} in ${s.seconds}s`,
            );
          },
          { sustained: true },
        );
      },
    );
}
