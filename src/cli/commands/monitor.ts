/** tm analyze and tm monitor (queries, sizes): the seed's "Analyze Tables" and "Monitor Performance". */
import type { Command } from 'commander';
import { analyze, relationSizes, slowQueries } from '../../timescale/monitor.ts';
import { refreshSeries } from '../../market/candle-series.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';
import { intOption } from '../options.ts';
import { formatBytes } from '../bytes.ts';

export function registerMonitor(program: Command): void {
  program
    .command('analyze')
    .description(
      'update planner statistics (ANALYZE) for one table or all of them; for candles also measure each series again (after writes with plain SQL)',
    )
    .argument('[table]', 'table name (default: all tables)')
    .option('--json', 'output JSON')
    .action(async (name: string | undefined, opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const r = await analyze(db, name);
        const series = !name || name === 'candles' ? await refreshSeries(db) : undefined;
        printer(!!opts.json).data({ ...r, ...(series === undefined ? {} : { series }) }, () =>
          [`analyzed ${r.analyzed} in ${r.ms} ms`, series === undefined ? '' : `measured ${series} candle series`]
            .filter(Boolean)
            .join('\n'),
        );
      });
    });

  const m = program.command('monitor').description('slow queries and sizes');
  m.command('queries')
    .description('slowest statements by mean time (pg_stat_statements)')
    .option('--limit <n>', 'how many', '10')
    .option('--json', 'output JSON')
    .action(async (opts: { limit: string; json?: boolean }) => {
      const limit = intOption(opts.limit, '--limit', 1, 1000);
      await withDatabase(async (db) => {
        const rows = await slowQueries(db, limit);
        printer(!!opts.json).data(rows, () =>
          table(
            rows.map((r) => ({ ...r, query: r.query.replace(/\s+/g, ' ').slice(0, 80) })),
            ['mean_ms', 'max_ms', 'total_ms', 'calls', 'rows', 'query'],
          ),
        );
      });
    });
  m.command('sizes')
    .description('tables, hypertables (all chunks), continuous aggregates and indexes, largest first')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'output JSON')
    .action(async (opts: { limit: string; json?: boolean }) => {
      const limit = intOption(opts.limit, '--limit', 1, 100000);
      await withDatabase(async (db) => {
        const rows = (await relationSizes(db)).slice(0, limit);
        printer(!!opts.json).data(rows, () =>
          table(
            rows.map((r) => ({
              ...r,
              total: formatBytes(r.total_bytes),
              table_size: r.kind === 'index' ? '' : formatBytes(r.table_bytes),
              indexes: r.kind === 'index' ? '' : formatBytes(r.index_bytes),
              of: r.table ?? '',
            })),
            ['name', 'kind', 'of', 'total', 'table_size', 'indexes', 'chunks'],
          ),
        );
      });
    });
}
