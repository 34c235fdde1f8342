/** Signal expiry while `tm serve` runs: deactivates expired signals every minute (cron: tm signals expire). */
import type { Database } from '../db/types.ts';
import { expireSignals } from './signals-repository.ts';

export function startSignalExpiry(db: Database, opts: { log: (line: string) => void; everyMs?: number }): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = running.then(async () => {
      try {
        const n = await expireSignals(db);
        if (n) opts.log(`signals: ${n} expired signal(s) deactivated`);
      } catch (err) {
        opts.log(`signals: expiry failed: ${(err as Error).message}`);
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
