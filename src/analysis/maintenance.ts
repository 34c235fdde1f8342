/**
 * Analysis upkeep while `tm serve` runs: deactivates expired signals every minute (cron: tm signals
 * expire) and, hourly, brings the daily closes up to date (portfolio performance reads them) and drops
 * candle write-log rows every series has computed past.
 */
import type { Leader } from '../db/lease.ts';
import type { Database } from '../db/types.ts';
import { refreshAllDailyCloses } from './daily-closes.ts';
import { pruneCandleWrites } from './series-state.ts';
import { expireSignals } from './signals-repository.ts';

const PRUNE_EVERY_MS = 3_600_000;

export function startSignalExpiry(
  db: Database,
  /** `leader`: with several processes on one database, a round runs only where it says so (a job lease). */
  opts: { log: (line: string) => void; everyMs?: number; leader?: Leader },
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let prunedAt = 0;
  const tick = () => {
    running = running.then(async () => {
      if (opts.leader && !(await opts.leader())) return;
      try {
        const n = await expireSignals(db);
        if (n) opts.log(`signals: ${n} expired signal(s) deactivated`);
      } catch (err) {
        opts.log(`signals: expiry failed: ${(err as Error).message}`);
      }
      if (Date.now() - prunedAt < PRUNE_EVERY_MS) return;
      prunedAt = Date.now();
      try {
        await refreshAllDailyCloses(db);
        await pruneCandleWrites(db);
      } catch (err) {
        opts.log(`analysis: pruning the candle write log failed: ${(err as Error).message}`);
      }
    });
  };
  const timer = setInterval(tick, opts.everyMs ?? 60_000);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running; // never close the database under a running statement
    },
  };
}
