/**
 * Condition alerts while `tm serve` runs: imports and the market data sync evaluate the rules of the assets
 * they wrote; this round (every minute) also catches bars that closed with no write after them (a
 * bar closes when its interval ends, not when the next one arrives) and the demo feed's bars.
 */
import type { Leader } from '../db/lease.ts';
import type { Database } from '../db/types.ts';
import { evaluateConditionAlerts } from './condition-alerts.ts';

export function startConditionAlerts(
  db: Database,
  opts: { log: (line: string) => void; everyMs?: number; leader?: Leader; now?: () => Date },
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = running.then(async () => {
      if (opts.leader && !(await opts.leader())) return;
      try {
        const fired = await evaluateConditionAlerts(db, { now: opts.now?.() });
        if (fired.length) opts.log(`alerts: ${fired.length} condition alert(s) fired`);
      } catch (err) {
        opts.log(`alerts: evaluating condition alerts failed: ${(err as Error).message}`);
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
