/** tm compression: enable, policy add/remove, status, compress, decompress. */
import type { Command } from 'commander';
import {
  DEFAULT_COMPRESS_AFTER,
  DEFAULT_ORDERBY,
  DEFAULT_SEGMENTBY,
  ID_IN_ORDERBY_BELOW,
  addCompressionPolicy,
  compressChunks,
  compressionStatus,
  decompressChunk,
  enableCompression,
  removeCompressionPolicy,
} from '../../timescale/compression.ts';
import { DEFAULT_MERGE_UP_TO } from '../../timescale/storage-options.ts';
import { withDatabase } from '../context.ts';
import { printer } from '../output.ts';
import { formatBytes } from '../bytes.ts';

export function registerCompression(program: Command): void {
  const c = program
    .command('compression')
    .description('TimescaleDB compression of candles: settings, policy, status, manual compress/decompress');

  c.command('enable')
    .description('turn compression on for candles with the given segmentby and orderby')
    .option('--segmentby <columns>', 'columns whose equal values are stored together', DEFAULT_SEGMENTBY)
    .option(
      '--orderby <spec>',
      `order inside a segment (default: "${DEFAULT_ORDERBY}"; "${DEFAULT_ORDERBY}, id" on TimescaleDB before ${ID_IN_ORDERBY_BELOW.join('.')}, which requires the key column id)`,
    )
    .option(
      '--merge-up-to <duration>',
      'merge neighbouring chunks as they compress, up to this span (a multiple of the chunk interval; 0: never)',
      DEFAULT_MERGE_UP_TO,
    )
    .option('--json', 'output JSON')
    .action(async (opts: { segmentby: string; orderby?: string; mergeUpTo: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const r = await enableCompression(db, {
          segmentby: opts.segmentby,
          orderby: opts.orderby,
          mergeUpTo: opts.mergeUpTo,
        });
        printer(!!opts.json).data(
          r,
          () =>
            `compression enabled on candles: segmentby ${r.segmentby.join(', ') || '(none)'}, orderby ${r.orderby.join(', ')}, ` +
            (r.merge_up_to ? `chunks merged up to ${r.merge_up_to} as they compress` : 'chunks not merged'),
        );
      });
    });

  const policy = c.command('policy').description('the compression policy (a TimescaleDB job)');
  policy
    .command('add')
    .description('compress chunks older than the given age (enables compression with the defaults if it is off)')
    .option('--after <duration>', 'age, e.g. 30d, 2w, 6mon', DEFAULT_COMPRESS_AFTER)
    .option('--json', 'output JSON')
    .action(async (opts: { after: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const r = await addCompressionPolicy(db, opts.after);
        printer(!!opts.json).data(r, () =>
          [
            r.compression_enabled_with
              ? `compression enabled (segmentby ${r.compression_enabled_with.segmentby.join(', ')}, orderby ${r.compression_enabled_with.orderby.join(', ')})`
              : '',
            r.created
              ? `compression policy added: job ${r.job_id}, compress after ${opts.after}`
              : `the same compression policy exists already: job ${r.job_id}`,
          ]
            .filter(Boolean)
            .join('\n'),
        );
      });
    });
  policy
    .command('remove')
    .description('remove the compression policy (compressed chunks stay compressed)')
    .option('--json', 'output JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const r = await removeCompressionPolicy(db);
        printer(!!opts.json).data(r, () =>
          r.removed
            ? `compression policy removed (job ${r.job_id})`
            : 'candles has no compression policy: nothing to do',
        );
      });
    });

  c.command('status')
    .description('compression settings, policy, compressed chunks and sizes before/after')
    .option('--json', 'output JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const s = await compressionStatus(db);
        printer(!!opts.json).data(s, () =>
          [
            `enabled      ${s.enabled}`,
            `segmentby    ${s.segmentby.join(', ') || '-'}`,
            `orderby      ${s.orderby.join(', ') || '-'}`,
            `merge        ${s.merge_up_to ? `chunks up to ${s.merge_up_to} as they compress` : 'none'}`,
            `policy       ${s.policy ? `job ${s.policy.job_id}, compress after ${String(s.policy.config.compress_after)}, every ${s.policy.schedule_interval}` : 'none'}`,
            `chunks       ${s.compressed_chunks} of ${s.total_chunks} compressed`,
            s.before_compression_bytes !== null
              ? `size         ${formatBytes(s.before_compression_bytes)} before, ${formatBytes(s.after_compression_bytes)} after (${s.compression_ratio}x)`
              : 'size         nothing compressed yet',
          ].join('\n'),
        );
      });
    });

  c.command('compress')
    .description('compress now every chunk older than the given age')
    .option('--older-than <duration>', 'age, e.g. 30d', DEFAULT_COMPRESS_AFTER)
    .option('--json', 'output JSON')
    .action(async (opts: { olderThan: string; json?: boolean }) => {
      await withDatabase(
        async (db) => {
          const r = await compressChunks(db, opts.olderThan);
          // Merged chunks: say how many there are now, or the count above reads as a mistake.
          const s = r.compressed.length > 0 ? await compressionStatus(db) : null;
          const merged = s?.merge_up_to
            ? `; merged up to ${s.merge_up_to}, candles has ${s.compressed_chunks} compressed chunk(s)`
            : '';
          printer(!!opts.json).data(
            r,
            () =>
              `compressed ${r.compressed.length} chunk(s)${r.already_compressed ? `; ${r.already_compressed} were compressed already` : ''}${merged}`,
          );
        },
        { sustained: true },
      );
    });

  c.command('decompress')
    .description('decompress one chunk (see tm hypertable chunks for names)')
    .requiredOption('--chunk <name>', 'chunk name, e.g. _hyper_1_3_chunk')
    .option('--json', 'output JSON')
    .action(async (opts: { chunk: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const r = await decompressChunk(db, opts.chunk);
        printer(!!opts.json).data(r, () =>
          r.decompressed ? `decompressed ${r.chunk}` : `${r.chunk} is not compressed: nothing to do`,
        );
      });
    });
}
