/** tm aggregates compression: the columnstore policy of the continuous aggregates' old chunks. */
import type { Command } from 'commander';
import type { Database } from '../../db/types.ts';
import {
  type AggregateStorage,
  DEFAULT_AGGREGATE_COMPRESS_AFTER,
  addAggregateCompression,
  aggregateStorage,
  removeAggregateCompression,
} from '../../timescale/aggregate-storage.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';

const COLUMNS = [
  'view_name',
  'enabled',
  'policy_job_id',
  'compress_after',
  'total_chunks',
  'compressed_chunks',
  'compression_ratio',
];

type Options = { after?: string; json?: boolean };

/** Every subcommand prints the same table: the aggregates it touched, as they are now. */
const run =
  (fn: (db: Database, names: string[], opts: Options) => Promise<AggregateStorage[]>) =>
  async (names: string[], opts: Options) =>
    withDatabase(async (db) => {
      const rows = await fn(db, names, opts);
      printer(!!opts.json).data(rows, () => table(rows, COLUMNS));
    });

export function registerAggregateCompression(aggregates: Command): void {
  const c = aggregates
    .command('compression')
    .description('compress (columnstore) the old chunks of the continuous aggregates');
  c.command('add')
    .description('turn the columnstore on and add a policy that compresses chunks older than --after')
    .argument('[names...]', 'view names, e.g. candles_1h (default: every aggregate)')
    .option('--after <duration>', 'age, e.g. 90d, 6mon', DEFAULT_AGGREGATE_COMPRESS_AFTER)
    .option('--json', 'output JSON')
    .action(run((db, names, o) => addAggregateCompression(db, names, o.after)));
  c.command('remove')
    .description('remove the policies (compressed chunks stay compressed)')
    .argument('[names...]', 'view names (default: every aggregate)')
    .option('--json', 'output JSON')
    .action(run((db, names) => removeAggregateCompression(db, names)));
  c.command('status')
    .description('per aggregate: columnstore on, policy, compressed chunks and ratio')
    .argument('[names...]', 'view names (default: every aggregate)')
    .option('--json', 'output JSON')
    .action(run((db, names) => aggregateStorage(db, names)));
}
