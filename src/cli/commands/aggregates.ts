/** tm aggregates: continuous aggregates of candles (create, list, refresh, drop). */
import type { Command } from 'commander';
import {
  createAggregates,
  dropAggregate,
  listAggregates,
  parseTargets,
  refreshAggregate,
} from '../../timescale/aggregates.ts';
import { withDatabase } from '../context.ts';
import { registerAggregateCompression } from './aggregate-compression.ts';
import { printer, table } from '../output.ts';

export function registerAggregates(program: Command): void {
  const a = program
    .command('aggregates')
    .description(
      'continuous aggregates: candles rolled up from a stored interval to coarser ones, kept fresh by policies',
    );

  a.command('create')
    .description(
      'create one continuous aggregate per target interval (view candles_<interval>), with a refresh policy, and fill it',
    )
    .option('--from <interval>', 'stored source interval', '1m')
    .option('--to <intervals>', 'comma-separated target intervals', '5m,15m,1h,4h,1d')
    .option('--no-refresh', 'do not materialize now (real-time aggregation still answers queries)')
    .option(
      '--hierarchical',
      'build each aggregate on the coarsest finer one (e.g. 1d on 1h) instead of the base candles (TimescaleDB 2.9+)',
    )
    .option('--json', 'output JSON')
    .action(async (opts: { from: string; to: string; refresh: boolean; hierarchical?: boolean; json?: boolean }) => {
      const targets = parseTargets(opts.to);
      await withDatabase(async (db) => {
        const rows = await createAggregates(db, opts.from, targets, {
          refresh: opts.refresh,
          hierarchical: !!opts.hierarchical,
        });
        printer(!!opts.json).data(rows, () => table(rows));
      });
    });

  a.command('list')
    .description('the continuous aggregates made by tm, with their refresh policy')
    .option('--json', 'output JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const rows = await listAggregates(db);
        printer(!!opts.json).data(rows, () =>
          table(rows, [
            'view_name',
            'source_interval',
            'target_interval',
            'exists',
            'materialized_only',
            'refresh_job_id',
            'refresh_schedule',
            'created_at',
          ]),
        );
      });
    });

  a.command('refresh')
    .description('materialize an aggregate over a time window now (default: all of it)')
    .argument('<name>', 'view name, e.g. candles_1h')
    .option('--from <time>', 'window start (ISO date or timestamp)')
    .option('--to <time>', 'window end (ISO date or timestamp)')
    .option('--json', 'output JSON')
    .action(async (name: string, opts: { from?: string; to?: string; json?: boolean }) => {
      await withDatabase(
        async (db) => {
          const r = await refreshAggregate(db, name, opts.from, opts.to);
          printer(!!opts.json).data(
            r,
            () =>
              `refreshed ${r.view_name} from ${r.from?.toISOString() ?? 'the beginning'} to ${r.to?.toISOString() ?? 'the end'}`,
          );
        },
        { sustained: true },
      );
    });

  a.command('drop')
    .description('drop an aggregate and its refresh policy')
    .argument('<name>', 'view name, e.g. candles_1h')
    .option('--json', 'output JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const r = await dropAggregate(db, name);
        printer(!!opts.json).data(r, () => `dropped ${r.view_name}`);
      });
    });

  registerAggregateCompression(a);
}
