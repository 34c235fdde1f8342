/** tm jobs: TimescaleDB policy jobs (list, run, history, run-due). */
import type { Command } from 'commander';
import { jobHistory, listJobs, runDueJobs, runJob } from '../../timescale/jobs.ts';
import { UserError } from '../../errors.ts';
import { withDatabase } from '../context.ts';
import { printer, table } from '../output.ts';
import { intOption } from '../options.ts';

export function registerJobs(program: Command): void {
  const j = program.command('jobs').description('TimescaleDB jobs: the compression, retention and refresh policies');

  j.command('list')
    .description('jobs with schedule, next start and last run')
    .option('--json', 'output JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const rows = await listJobs(db);
        printer(!!opts.json).data(rows, () =>
          table(
            rows.map((r) => ({
              ...r,
              last_run: r.last_run_started_at
                ? `${r.last_run_started_at.toISOString()} ${r.last_run_succeeded === false ? `FAILED: ${r.last_run_error ?? 'no message'}` : r.last_run_succeeded ? 'ok' : 'running'}`
                : 'never',
            })),
            ['job_id', 'proc_name', 'hypertable', 'schedule_interval', 'scheduled', 'next_start', 'last_run'],
          ),
        );
      });
    });

  j.command('run')
    .description('run one job now (CALL run_job) and record it in the history')
    .argument('<id>', 'job id (see tm jobs list)')
    .option('--json', 'output JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const jobId = intOption(id, 'job id', 1, 2 ** 31 - 1);
      await withDatabase(
        async (db) => {
          const r = await runJob(db, jobId, 'manual');
          printer(!!opts.json).data(
            r,
            () =>
              `job ${r.job_id} (${r.proc_name}${r.hypertable ? ` on ${r.hypertable}` : ''}) ran in ${(r.finished_at ?? r.started_at).getTime() - r.started_at.getTime()} ms`,
          );
        },
        { sustained: true },
      );
    });

  j.command('history')
    .description("job runs, newest first (runs started by tm, and the server's own where it records them)")
    .option('--job <id>', 'only this job')
    .option('--limit <n>', 'at most this many runs', '20')
    .option('--offset <n>', 'skip this many runs', '0')
    .option('--json', 'output JSON')
    .action(async (opts: { job?: string; limit: string; offset: string; json?: boolean }) => {
      const jobId = opts.job === undefined ? undefined : intOption(opts.job, '--job', 1, 2 ** 31 - 1);
      const limit = intOption(opts.limit, '--limit', 1, 1000);
      const offset = intOption(opts.offset, '--offset', 0);
      await withDatabase(async (db) => {
        const page = await jobHistory(db, { jobId, limit, offset });
        printer(!!opts.json).data(page, () =>
          [
            table(page.items, [
              'job_id',
              'proc_name',
              'hypertable',
              'started_at',
              'finished_at',
              'succeeded',
              'trigger',
              'error',
            ]),
            `${page.items.length} of ${page.total} runs`,
          ].join('\n'),
        );
      });
    });

  j.command('run-due')
    .description('run every policy job whose time has come, once (for cron with the embedded database)')
    .option('--json', 'output JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(
        async (db) => {
          const r = await runDueJobs(db, 'schedule');
          printer(!!opts.json).data(r, () =>
            [
              ...r.ran.map((x) => `job ${x.job_id} (${x.proc_name}${x.hypertable ? ` on ${x.hypertable}` : ''}) ran`),
              ...r.failed.map((f) => `job ${f.job_id} (${f.proc_name}) FAILED: ${f.error}`),
              r.ran.length + r.failed.length === 0 ? (r.note ?? 'no job is due') : '',
            ]
              .filter(Boolean)
              .join('\n'),
          );
          if (r.failed.length > 0) throw new UserError(`${r.failed.length} job(s) failed`);
        },
        { sustained: true },
      );
    });
}
