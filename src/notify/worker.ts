/**
 * The delivery worker `tm serve` runs: claims due deliveries (FOR UPDATE SKIP LOCKED, so several
 * servers on one database never send the same claim twice), sends them a few at a time, and settles
 * each: delivered, retried on the schedule with jitter, or failed after the last retry.
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

async function settle(
  db: Database,
  d: ClaimedDelivery,
  s: NotifySettings,
  stats: WorkerStats,
  log: (l: string) => void,
  sent: { d: ClaimedDelivery; at: Date }[],
): Promise<void> {
  const res = await send(d, s);
  if (res.ok) {
    sent.push({ d, at: new Date() });
    stats.delivered++;
    return;
  }
  const error = res.error ?? 'unknown error';
  const where = d.kind === 'webhook' ? redactUrl(d.target) : d.target;
  const delay = retryDelayMs(s, d.attempts);
  if (delay !== null) {
    await scheduleRetry(db, d, delay, error);
    stats.retried++;
    return;
  }
  stats.failed++;
  const disabled = await db.transaction((tx) => markFailed(tx, d, error, s.disableAfter));
  log(`notify: delivery ${d.id} to ${where} failed after ${d.attempts} attempt(s): ${error}`);
  if (disabled) log(`notify: channel ${d.channel_id} (${where}) disabled after ${s.disableAfter} failed deliveries`);
}

/** One round: claims and sends up to a batch; returns how many were claimed. */
export async function deliverDue(
  db: Database,
  s: NotifySettings,
  stats: WorkerStats,
  log: (l: string) => void,
): Promise<number> {
  const batch = await claimDue(db, s.concurrency * 4, s.leaseS);
  let next = 0;
  const sent: { d: ClaimedDelivery; at: Date }[] = [];
  const lane = async () => {
    while (next < batch.length) await settle(db, batch[next++], s, stats, log, sent);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(s.concurrency, batch.length) }, lane));
  } finally {
    // Successes are recorded together (one statement per batch); a crash before this resends them (at least once).
    await markDelivered(db, sent);
  }
  return batch.length;
}

export interface DeliveryWorker {
  stats: WorkerStats;
  stop(): Promise<void>;
}

export function startDeliveryWorker(
  db: Database,
  opts: { log: (line: string) => void; settings?: NotifySettings },
): DeliveryWorker {
  const s = opts.settings ?? notifySettings();
  const stats: WorkerStats = { delivered: 0, retried: 0, failed: 0 };
  let stopped = false;
  let wake: (() => void) | null = null;
  let checkedAt = 0;
  let adminError = '';
  const loop = async () => {
    while (!stopped) {
      let n = 0;
      if (Date.now() - checkedAt >= s.adminCheckMs) {
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
      }
      try {
        n = await deliverDue(db, s, stats, opts.log);
      } catch (err) {
        opts.log(`notify: delivery round failed: ${(err as Error).message}`);
      }
      // A full batch means more may be due: go on at once; else wait for the next poll.
      if (n < s.concurrency * 4 && !stopped)
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
      wake?.();
      await running; // sends in flight finish and are settled before the database closes
    },
  };
}
