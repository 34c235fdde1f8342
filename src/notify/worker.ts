/**
 * The delivery worker `tm serve` runs. Deliveries never wait on each other: a bounded pool of sends
 * (TM_NOTIFY_CONCURRENCY) is refilled as each send ends, at most TM_NOTIFY_PER_DESTINATION of them go
 * to one destination at a time, and each delivery is settled the moment it is answered. Claims use
 * FOR UPDATE SKIP LOCKED and a lease, so several servers on one database never send one claim twice.
 */
import type { Database } from '../db/types.ts';
import { enqueueJobFailures } from './admin-events.ts';
import { claimDue, markDelivered, markFailed, scheduleRetry, type ClaimedDelivery } from './deliveries.ts';
import { send } from './send.ts';
import { notifySettings, retryDelayMs, type NotifySettings } from './settings.ts';
import { redactUrl } from './ssrf.ts';

export interface WorkerStats {
  delivered: number;
  retried: number;
  failed: number;
}

/** What tests replace: the clock (ms) that claims and retry schedules use, and the retry jitter. */
export interface WorkerDeps {
  now?: () => number;
  random?: () => number;
}

export interface Settler {
  db: Database;
  s: NotifySettings;
  stats: WorkerStats;
  log: (l: string) => void;
  deps: WorkerDeps;
}

const clock = (deps: WorkerDeps) => new Date((deps.now ?? Date.now)());

/** Sends one claimed delivery and records the outcome at once: delivered, a retry, or failed for good. */
export async function settle(w: Settler, d: ClaimedDelivery, attemptAt: Date): Promise<void> {
  const { db, s, stats } = w;
  const res = await send(d, s);
  if (res.ok) {
    await markDelivered(db, d, clock(w.deps));
    stats.delivered++;
    return;
  }
  const error = res.error ?? 'unknown error';
  const where = d.kind === 'webhook' ? redactUrl(d.target) : d.target;
  // A receiver that said when to come back (Telegram's retry_after) is retried exactly then; one that
  // can never accept it (a chat that blocked the bot) is not retried at all.
  const planned = res.permanent ? null : retryDelayMs(s, d.attempts, w.deps.random);
  const delay = planned !== null && res.retryAfterMs !== undefined ? res.retryAfterMs : planned;
  if (delay !== null) {
    await scheduleRetry(db, d, attemptAt, delay, error);
    stats.retried++;
    return;
  }
  stats.failed++;
  const disabled = await db.transaction((tx) => markFailed(tx, d, error, s.disableAfter));
  w.log(`notify: delivery ${d.id} to ${where} failed after ${d.attempts} attempt(s): ${error}`);
  if (disabled) w.log(`notify: channel ${d.channel_id} (${where}) disabled after ${s.disableAfter} failed deliveries`);
}

/** One round (tests, tools): claims up to a batch, sends them concurrently and settles each as it ends. */
export async function deliverDue(
  db: Database,
  s: NotifySettings,
  stats: WorkerStats,
  log: (l: string) => void,
  deps: WorkerDeps = {},
): Promise<number> {
  const attemptAt = clock(deps);
  const batch = await claimDue(db, s.concurrency, s.leaseS, { now: attemptAt, perDestination: s.perDestination });
  await Promise.all(batch.map((d) => settle({ db, s, stats, log, deps }, d, attemptAt)));
  return batch.length;
}

export interface DeliveryWorker {
  stats: WorkerStats;
  stop(): Promise<void>;
}

export function startDeliveryWorker(
  db: Database,
  opts: { log: (line: string) => void; settings?: NotifySettings; deps?: WorkerDeps },
): DeliveryWorker {
  const s = opts.settings ?? notifySettings();
  const deps = opts.deps ?? {};
  const stats: WorkerStats = { delivered: 0, retried: 0, failed: 0 };
  const w: Settler = { db, s, stats, log: opts.log, deps };
  const inFlight = new Set<Promise<void>>();
  const perDestination = new Map<string, number>();
  let stopped = false;
  let wake: (() => void) | null = null;
  const rouse = () => wake?.();
  let checkedAt = 0;
  let adminError = '';

  const start = (d: ClaimedDelivery, attemptAt: Date) => {
    perDestination.set(d.destination, (perDestination.get(d.destination) ?? 0) + 1);
    const p = settle(w, d, attemptAt)
      .catch((err: unknown) => opts.log(`notify: settling delivery ${d.id} failed: ${(err as Error).message}`))
      .finally(() => {
        const left = (perDestination.get(d.destination) ?? 1) - 1;
        if (left) perDestination.set(d.destination, left);
        else perDestination.delete(d.destination);
        inFlight.delete(p);
        rouse(); // a slot is free: claim again at once
      });
    inFlight.add(p);
  };

  const checkAdmin = async () => {
    if (Date.now() - checkedAt < s.adminCheckMs) return;
    checkedAt = Date.now();
    try {
      await enqueueJobFailures(db);
      adminError = '';
    } catch (err) {
      // once per distinct problem, not every minute (e.g. TimescaleDB installed but not preloaded)
      const msg = (err as Error).message;
      if (msg !== adminError) opts.log(`notify: checking for failed jobs failed: ${msg}`);
      adminError = msg;
    }
  };

  const loop = async () => {
    while (!stopped) {
      await checkAdmin();
      const free = s.concurrency - inFlight.size;
      let claimed = 0;
      if (free > 0) {
        try {
          const attemptAt = clock(deps);
          const batch = await claimDue(db, free, s.leaseS, {
            now: attemptAt,
            perDestination: s.perDestination,
            busy: perDestination,
          });
          for (const d of batch) start(d, attemptAt);
          claimed = batch.length;
        } catch (err) {
          opts.log(`notify: claiming deliveries failed: ${(err as Error).message}`);
        }
      }
      // Every slot filled may mean more are due: go on once a send ends; else wait for the next poll.
      if (stopped || (claimed > 0 && claimed === free)) {
        if (!stopped && inFlight.size >= s.concurrency) await new Promise<void>((r) => (wake = r));
        continue;
      }
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, s.pollMs).unref();
      });
    }
  };
  const running = loop();
  return {
    stats,
    async stop() {
      stopped = true;
      rouse();
      await running;
      await Promise.all(inFlight); // sends in flight finish and are settled before the database closes
    },
  };
}
