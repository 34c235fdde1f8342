/** tm query: the seed's common queries, and candle ranges. */
import type { Command } from 'commander';
import { getAsset } from '../../market/assets-repository.ts';
import { candleRange } from '../../market/candles-repository.ts';
import { parseTimestamp } from '../../market/import/timestamps.ts';
import { parseInterval } from '../../intervals.ts';
import {
  activeSignals,
  latestCandles,
  latestIndicators,
  latestSignals,
  priceChanges,
  priceStats,
} from '../../market/queries.ts';
import { UsageError } from '../../errors.ts';
import { withDatabase } from '../context.ts';
import { intOption } from '../options.ts';
import { printer, table } from '../output.ts';

function time(v: string, name: string): Date {
  const ms = parseTimestamp(v);
  if (ms === null) throw new UsageError(`${name} must be ISO-8601, YYYY-MM-DD or epoch seconds/ms, got "${v}"`);
  return new Date(ms);
}

type Rows = Record<string, unknown>[];

export function registerQuery(program: Command): void {
  const query = program.command('query').description("the seed's common queries over candles, indicators and signals");
  const show = (json: boolean | undefined, rows: unknown[], cols?: string[]) =>
    printer(!!json).data(rows, () => table(rows as Rows, cols));

  query
    .command('latest-candles')
    .description('the latest candles of one asset, newest first')
    .requiredOption('--symbol <ref>', 'SYMBOL, SYMBOL:EXCHANGE or asset id')
    .option('--interval <interval>', 'candle interval', '1d')
    .option('--limit <n>', 'how many candles', '30')
    .option('--json', 'output JSON')
    .action(async (o: { symbol: string; interval: string; limit: string; json?: boolean }) => {
      const interval = parseInterval(o.interval, '--interval');
      const limit = intOption(o.limit, '--limit', 1, 100_000);
      await withDatabase(async (db) => {
        const a = await getAsset(db.reader(), o.symbol);
        show(o.json, await latestCandles(db.reader(), { assetId: a.id, interval, limit }));
      });
    });

  query
    .command('latest-indicators')
    .description('indicator values of the last N days, by symbol, newest first')
    .option('--days <n>', 'how many days back', '7')
    .option('--json', 'output JSON')
    .action(async (o: { days: string; json?: boolean }) => {
      const days = intOption(o.days, '--days', 1, 36_500);
      await withDatabase(async (db) => show(o.json, await latestIndicators(db.reader(), { days })));
    });

  query
    .command('active-signals')
    .description('active trading signals, newest first')
    .option('--json', 'output JSON')
    .action(async (o: { json?: boolean }) => {
      await withDatabase(async (db) => show(o.json, await activeSignals(db.reader())));
    });

  query
    .command('latest-signals')
    .description('the newest active signal of each asset')
    .option('--json', 'output JSON')
    .action(async (o: { json?: boolean }) => {
      await withDatabase(async (db) => show(o.json, await latestSignals(db.reader())));
    });

  query
    .command('price-stats')
    .description('per asset: candle count, first/last date, all-time low/high, average close')
    .option('--interval <interval>', 'candle interval', '1d')
    .option('--json', 'output JSON')
    .action(async (o: { interval: string; json?: boolean }) => {
      const interval = parseInterval(o.interval, '--interval');
      await withDatabase(async (db) => show(o.json, await priceStats(db.reader(), { interval })));
    });

  query
    .command('price-changes')
    .description('per asset: last close vs the previous one, biggest gain first')
    .option('--interval <interval>', 'candle interval', '1d')
    .option('--json', 'output JSON')
    .action(async (o: { interval: string; json?: boolean }) => {
      const interval = parseInterval(o.interval, '--interval');
      await withDatabase(async (db) => show(o.json, await priceChanges(db.reader(), { interval })));
    });

  query
    .command('candles')
    .description(
      'candles of one asset in [from, to); coarser intervals are rolled up from finer stored ones when not stored',
    )
    .requiredOption('--symbol <ref>', 'SYMBOL, SYMBOL:EXCHANGE or asset id')
    .option('--interval <interval>', 'candle interval', '1d')
    .requiredOption('--from <time>', 'start (inclusive): ISO-8601, YYYY-MM-DD or epoch')
    .option('--to <time>', 'end (exclusive; default now)')
    .option('--limit <n>', 'at most n candles', '10000')
    .option('--json', 'output JSON')
    .action(
      async (o: { symbol: string; interval: string; from: string; to?: string; limit: string; json?: boolean }) => {
        const interval = parseInterval(o.interval, '--interval');
        const from = time(o.from, '--from');
        const to = o.to ? time(o.to, '--to') : new Date();
        if (to <= from) throw new UsageError('--to must be after --from');
        const limit = intOption(o.limit, '--limit', 1, 1_000_000);
        await withDatabase(async (db) => {
          const a = await getAsset(db.reader(), o.symbol);
          const r = await candleRange(db.reader(), { assetId: a.id, interval, from, to, limit });
          printer(!!o.json).data(
            r,
            () =>
              `${table(r.candles as unknown as Rows)}\n(source: ${r.source.kind}${r.source.kind === 'rollup' ? ` of ${r.source.from_interval}` : ''})`,
          );
        });
      },
    );
}
