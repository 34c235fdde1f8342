/**
 * The embedded database's job scheduler. TimescaleDB's background workers do not run inside PGlite,
 * so tm serve runs due policy jobs itself (CALL run_job) and records them in job_runs. On a server
 * it does nothing: TimescaleDB's own scheduler runs the jobs there.
 */
import type { Database } from '../db/types.ts';
import { errorMessage } from '../errors.ts';
import { timescaleVersion } from '../db/info.ts';
import { runDueJobs } from './jobs.ts';

export interface SchedulerOptions {
  log?: (line: string) => void;
  /** How often due jobs are looked for (default one minute). */
  intervalMs?: number;
  /** Delay before the first look (default 5 s, so start-up is not slowed). */
  firstDelayMs?: number;
}

export interface JobScheduler {
  /** Whether it runs jobs (embedded) or is idle (server). */
  readonly active: boolean;
  /** Stops looking; waits for a run in progress to finish. */
  stop(): Promise<void>;
  /** Runs one round now (tests); resolves when it is done. */
  tick(): Promise<void>;
}

export function startJobScheduler(db: Database, opts: SchedulerOptions = {}): JobScheduler {
  const log = opts.log ?? (() => undefined);
  if (db.backend !== 'embedded') {
    return { active: false, stop: async () => undefined, tick: async () => undefined };
  }
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const round = async () => {
    try {
      if (!(await timescaleVersion(db))) return; // nothing to schedule without the extension
      const r = await runDueJobs(db, 'schedule');
      for (const run of r.ran)
        log(`job ${run.job_id} (${run.proc_name}${run.hypertable ? ` on ${run.hypertable}` : ''}) ran`);
      for (const f of r.failed) log(`job ${f.job_id} (${f.proc_name}) failed: ${f.error}`);
    } catch (err) {
      // The database may be closing or not migrated yet: try again next round.
      log(`job scheduler: ${errorMessage(err)}`);
    }
  };
  const tick = (): Promise<void> => {
    if (!running) running = round().finally(() => (running = undefined));
    return running;
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      void tick().then(() => schedule(opts.intervalMs ?? 60_000));
    }, ms);
    timer.unref();
  };
  schedule(opts.firstDelayMs ?? 5_000);
  return {
    active: true,
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
