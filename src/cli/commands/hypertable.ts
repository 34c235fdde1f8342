/** tm hypertable: list, chunks, stats, ensure. */
import type { Command } from 'commander';
import {
  chunkShape,
  ensureHypertable,
  hypertableStats,
  listChunks,
  listHypertables,
  setChunkInterval,
} from '../../timescale/hypertables.ts';
import { parseDuration } from '../../timescale/duration.ts';
import { intOption } from '../options.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';
import { formatBytes } from '../bytes.ts';

export function registerHypertable(program: Command): void {
  const ht = program
    .command('hypertable')
    .description('TimescaleDB hypertables: list, chunks, sizes, and the "not a hypertable" fix');

  ht.command('list')
    .description('hypertables with their time column, chunk interval, chunk count and size')
    .option('--json', 'output JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const rows = await listHypertables(db);
        printer(!!opts.json).data(rows, () =>
          table(
            rows.map((r) => ({ ...r, size: formatBytes(r.total_bytes) })),
            ['hypertable_name', 'time_column', 'chunk_interval', 'num_chunks', 'compression_enabled', 'size'],
          ),
        );
      });
    });

  ht.command('chunk-interval')
    .description(
      'show the chunk interval of candles, or set it for chunks created from now on (e.g. 1y for daily history)',
    )
    .argument('[duration]', 'new interval, e.g. 7d, 90d, 1y')
    .option('--json', 'output JSON')
    .action(async (duration: string | undefined, opts: { json?: boolean }) => {
      const interval = duration === undefined ? undefined : parseDuration(duration, 'duration');
      await withDatabase(async (db) => {
        const shape = interval ? await setChunkInterval(db, interval) : await chunkShape(db);
        printer(!!opts.json).data(
          shape,
          () =>
            `chunk interval ${shape.chunk_interval}${interval ? ' (for new chunks; existing ones keep theirs)' : ''}; ${shape.chunks} chunks` +
            (shape.avg_rows === null ? '' : `, about ${Math.round(shape.avg_rows)} rows each`),
        );
      });
    });

  ht.command('chunks')
    .description('chunks of a hypertable: name, time range, size, compressed or not (oldest first)')
    .option('--table <name>', 'hypertable', 'candles')
    .option('--limit <n>', 'at most this many chunks', '1000')
    .option('--offset <n>', 'skip this many chunks', '0')
    .option('--json', 'output JSON')
    .action(async (opts: { table: string; limit: string; offset: string; json?: boolean }) => {
      const limit = intOption(opts.limit, '--limit', 1);
      const offset = intOption(opts.offset, '--offset', 0);
      await withDatabase(async (db) => {
        const page = await listChunks(db, opts.table, { limit, offset });
        printer(!!opts.json).data(page, () =>
          [
            table(
              page.items.map((c) => ({
                chunk: c.chunk_name,
                range_start: c.range_start,
                range_end: c.range_end,
                compressed: c.is_compressed,
                size: formatBytes(c.total_bytes),
                before_compression: formatBytes(c.before_compression_bytes),
              })),
            ),
            `${page.items.length} of ${page.total} chunks`,
          ].join('\n'),
        );
      });
    });

  ht.command('stats')
    .description(
      "sizes of a hypertable (table, index, toast, total), chunk count, compression before/after (replaces the seed's hypertable_stats)",
    )
    .option('--table <name>', 'hypertable', 'candles')
    .option('--json', 'output JSON')
    .action(async (opts: { table: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const s = await hypertableStats(db, opts.table);
        printer(!!opts.json).data(s, () =>
          [
            `hypertable            ${s.hypertable_name}`,
            `chunks                ${s.num_chunks} (${s.compressed_chunks} compressed)`,
            `table / index / toast ${formatBytes(s.table_bytes)} / ${formatBytes(s.index_bytes)} / ${formatBytes(s.toast_bytes)}`,
            `total                 ${formatBytes(s.total_bytes)}`,
            s.before_compression_bytes !== null
              ? `compressed chunks     ${formatBytes(s.before_compression_bytes)} before, ${formatBytes(s.after_compression_bytes)} after (${s.compression_ratio}x)`
              : 'compressed chunks     none',
          ].join('\n'),
        );
      });
    });

  ht.command('ensure')
    .description('make candles a hypertable with 7-day chunks, migrating its rows (no-op when it already is one)')
    .option('--json', 'output JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const r = await ensureHypertable(db);
        printer(!!opts.json).data(r, () =>
          r.converted
            ? `candles is now a hypertable with ${r.chunk_interval} chunks (${r.migrated_rows} rows moved into chunks)`
            : `candles is already a hypertable (${r.chunk_interval} chunks): nothing to do`,
        );
      });
    });
}
