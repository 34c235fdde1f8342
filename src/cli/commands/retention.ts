/** tm retention: add, remove, status (the seed's retention policy). */
import type { Command } from 'commander';
import {
  DEFAULT_DROP_AFTER,
  addRetentionPolicy,
  removeRetentionPolicy,
  retentionStatus,
} from '../../timescale/retention.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';

export function registerRetention(program: Command): void {
  const r = program
    .command('retention')
    .description('TimescaleDB retention of candles: drop chunks older than a horizon');

  r.command('add')
    .description('add a retention policy: chunks entirely older than the horizon are dropped by the policy job')
    .option('--drop-after <duration>', 'horizon, e.g. 1y, 90d', DEFAULT_DROP_AFTER)
    .option('--json', 'output JSON')
    .action(async (opts: { dropAfter: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const res = await addRetentionPolicy(db, opts.dropAfter);
        printer(!!opts.json).data(res, () =>
          res.created
            ? `retention policy added: job ${res.job_id}, drop chunks older than ${opts.dropAfter}`
            : `the same retention policy exists already: job ${res.job_id}`,
        );
      });
    });

  r.command('remove')
    .description('remove the retention policy')
    .option('--json', 'output JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const res = await removeRetentionPolicy(db);
        printer(!!opts.json).data(res, () =>
          res.removed
            ? `retention policy removed (job ${res.job_id})`
            : 'candles has no retention policy: nothing to do',
        );
      });
    });

  r.command('status')
    .description('the retention policy and the chunks its next run drops')
    .option('--json', 'output JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const s = await retentionStatus(db);
        printer(!!opts.json).data(s, () =>
          s.policy
            ? [
                `policy: job ${s.policy.job_id}, drop after ${s.drop_after}, every ${s.policy.schedule_interval}`,
                `${s.chunks_past_horizon.length} of ${s.total_chunks} chunks are past the horizon${s.chunks_past_horizon.length ? ':' : ''}`,
                ...(s.chunks_past_horizon.length ? [table(s.chunks_past_horizon)] : []),
              ].join('\n')
            : `no retention policy: candles are kept forever (${s.total_chunks} chunks). Add one with: tm retention add --drop-after 1y`,
        );
      });
    });
}
