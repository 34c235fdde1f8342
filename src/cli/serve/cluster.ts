/**
 * tm serve --workers N: the primary process. It migrates once, then forks N workers (node:cluster) that
 * each run a whole tm serve on the same port. On Linux, Node's cluster hands connections out round-robin
 * from the primary (SO_REUSEPORT needs Node 22.12+; the kernel's own balancing is uneven for keep-alive
 * clients anyway). A worker that dies is started again after a back-off; SIGTERM/SIGINT stop every worker
 * gracefully (each finishes its requests and jobs and closes its pool) before the primary exits.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../../config.ts';
import { openDatabase } from '../../db/connect.ts';
import { Migrator } from '../../db/migrate/migrator.ts';

export interface ClusterOptions {
  workers: number;
  migrate: boolean;
  log: (line: string) => void;
  /** How long workers get to stop after SIGTERM before they are killed (default 30 s). */
  stopTimeoutMs?: number;
}

/** Back-off before restarting a worker: 1 s, 2 s, 4 s ... 30 s; reset once a worker has lived a minute. */
export function restartDelayMs(crashesInARow: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.max(0, crashesInARow - 1));
}

const STABLE_MS = 60_000;

export async function runPrimary(config: Config, opts: ClusterOptions): Promise<void> {
  const { log } = opts;
  if (opts.migrate) {
    const db = await openDatabase(config);
    try {
      await new Migrator(db, undefined, { log }).upgrade('head');
    } finally {
      await db.close();
    }
  }
  interface Slot {
    n: number;
    worker?: Worker;
    startedAt: number;
    crashes: number;
    listened: boolean;
    restart?: NodeJS.Timeout;
  }
  const slots: Slot[] = Array.from({ length: opts.workers }, (_, i) => ({
    n: i + 1,
    startedAt: 0,
    crashes: 0,
    listened: false,
  }));
  let closing = false;
  let anyListened = false;

  const start = (slot: Slot) => {
    slot.restart = undefined;
    slot.startedAt = Date.now();
    slot.listened = false;
    // The worker runs this same command line; TM_WORKER_ID tells it apart (and prefixes its log lines).
    const w = cluster.fork({ TM_WORKER_ID: String(slot.n) });
    slot.worker = w;
    log(`worker ${slot.n} started (pid ${w.process.pid})`);
    w.on('listening', () => {
      slot.listened = true;
      if (!anyListened && slots.every((s) => s.listened)) log(`${opts.workers} workers listening`);
      anyListened ||= slots.every((s) => s.listened);
    });
    w.on('exit', (code, signal) => {
      if (slot.worker !== w) return;
      slot.worker = undefined;
      if (closing) return;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (!slot.listened && !anyListened) {
        // It never started (port taken, bad setting): restarting would only repeat the error.
        log(`worker ${slot.n} (pid ${w.process.pid}) exited with ${how} before listening; stopping`);
        void stopAll(1);
        return;
      }
      slot.crashes = Date.now() - slot.startedAt > STABLE_MS ? 1 : slot.crashes + 1;
      const delay = restartDelayMs(slot.crashes);
      log(`worker ${slot.n} (pid ${w.process.pid}) exited with ${how}; restarting in ${delay / 1000} s`);
      slot.restart = setTimeout(() => start(slot), delay);
    });
  };

  const stopAll = async (exitCode: number) => {
    if (closing) return;
    closing = true;
    for (const s of slots) if (s.restart) clearTimeout(s.restart);
    const running = slots.flatMap((s) => (s.worker && !s.worker.isDead() ? [s.worker] : []));
    const kill = setTimeout(() => {
      for (const w of running) if (!w.isDead()) w.process.kill('SIGKILL');
    }, opts.stopTimeoutMs ?? 30_000);
    await Promise.all(
      running.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve());
            w.process.kill('SIGTERM');
          }),
      ),
    );
    clearTimeout(kill);
    log(`all workers stopped`);
    process.exit(exitCode);
  };

  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      log(`${signal}: stopping ${opts.workers} workers`);
      void stopAll(0);
    });
  log(`starting ${opts.workers} workers (node:cluster, round-robin on one port)`);
  for (const slot of slots) start(slot);
}
