/**
 * The paper worker `tm serve` runs: paper accounts advance as bars arrive, whoever writes them (sync,
 * `tm import`, the API, plain SQL). Each round reads which accounts have newer bars stored than they
 * processed (candle_series, see listDueAccounts) and runs each with runPaper, the same function as
 * `tm paper run`: fills and the last processed bar commit together under the account's row lock, so a
 * round is idempotent and crash-safe, and a concurrent `tm paper run` or another process adds nothing
 * twice. With several processes on one database a lease (the `leader` gate) keeps the work in one.
 */
import type { Leader } from '../db/lease.ts';
import type { Database } from '../db/types.ts';
import { bucketStart } from '../intervals.ts';
import { getPortfolio } from '../portfolio/portfolios.ts';
import { type DueAccount, listDueAccounts } from './accounts.ts';
import { runPaper } from './paper.ts';

export interface PaperWorkerOptions {
  log: (line: string) => void;
  /** How often to look for new bars (default 5000 ms). */
  everyMs?: number;
  leader?: Leader;
  /** The clock deciding which bars are closed (tests inject one). */
  now?: () => number;
}

export interface RoundResult {
  accounts: number;
  bars: number;
  fills: number;
}

/**
 * What a round found nothing to do for, per account: the series' last bar, the current bar's start and
 * the last processed bar. While all three stay the same a run would find nothing new, so it is skipped
 * (an open bar newer than the last processed one would otherwise be replayed every round until it closes).
 */
export type IdleMemo = Map<string, string>;

const memoKey = (d: DueAccount, now: number) =>
  `${d.series_last_ts.getTime()}|${bucketStart(d.interval, now)}|${d.last_bar_ts?.getTime() ?? ''}`;

/** One round: runs every account with newer bars. Errors are per account (logged once until they change). */
export async function advanceDue(
  db: Database,
  now: Date,
  idle: IdleMemo = new Map(),
  onError: (portfolioId: string, err: Error) => void = () => undefined,
): Promise<RoundResult> {
  const out: RoundResult = { accounts: 0, bars: 0, fills: 0 };
  for (const d of await listDueAccounts(db)) {
    const key = memoKey(d, now.getTime());
    if (idle.get(d.portfolio_id) === key) continue;
    try {
      const p = await getPortfolio(db, d.user_id, d.portfolio_id);
      const r = await runPaper(db, p, now);
      if (r.bars === 0) idle.set(d.portfolio_id, key);
      else {
        idle.delete(d.portfolio_id);
        out.accounts++;
        out.bars += r.bars;
        out.fills += r.fills;
      }
    } catch (err) {
      idle.set(d.portfolio_id, key); // not retried until something changes: a new bar, a new period
      onError(d.portfolio_id, err as Error);
    }
  }
  return out;
}

export interface PaperWorker {
  /** Runs a round now (after the one in progress); resolves when it ends. */
  round(): Promise<RoundResult | null>;
  stop(): Promise<void>;
}

export function startPaperWorker(db: Database, opts: PaperWorkerOptions): PaperWorker {
  const idle: IdleMemo = new Map();
  const errors = new Map<string, string>();
  const clock = opts.now ?? Date.now;
  let running: Promise<RoundResult | null> = Promise.resolve(null);
  const onError = (id: string, err: Error) => {
    if (errors.get(id) === err.message) return;
    errors.set(id, err.message);
    opts.log(`paper: account ${id} could not advance: ${err.message}`);
  };
  const round = () => {
    running = running.then(async () => {
      if (opts.leader && !(await opts.leader())) return null;
      try {
        const r = await advanceDue(db, new Date(clock()), idle, onError);
        if (r.accounts) opts.log(`paper: ${r.accounts} account(s) advanced ${r.bars} bar(s), ${r.fills} fill(s)`);
        return r;
      } catch (err) {
        opts.log(`paper: round failed: ${(err as Error).message}`);
        return null;
      }
    });
    return running;
  };
  const timer = setInterval(() => void round(), opts.everyMs ?? 5000);
  timer.unref();
  void round();
  return {
    round,
    async stop() {
      clearInterval(timer);
      await running; // never close the database under a running statement
    },
  };
}
