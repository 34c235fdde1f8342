/**
 * Live sync while `tm serve` runs: every few seconds, each linked (asset, interval) whose next
 * bucket has closed is brought up to date, and recorded gaps are asked for again now and then.
 * Providers run side by side, so one that fails (and backs off) never holds up the others.
 */
import type { Leader } from '../db/lease.ts';
import type { Database } from '../db/types.ts';
import { errorMessage } from '../errors.ts';
import { bucketStart, intervalMs, type Interval } from '../intervals.ts';
import { retryRanges, syncRange } from './engine.ts';
import { gapsToRetry } from './gaps-repository.ts';
import { providerFor } from './providers/index.ts';
import { ProviderError, type Provider, type ProviderName } from './providers/provider.ts';
import { listSources, type Source } from './sources-repository.ts';
import { coverageEnd } from './state-repository.ts';

export interface SyncSchedulerOptions {
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /** How often due work is looked for (default 5 s; TM_SYNC_TICK_MS). */
  tickMs?: number;
  /** Wait after a bucket closes (our clock) before asking for it; the provider's own rule and clock decide
   *  what is stored (default 2 s). */
  graceMs?: number;
  /** Gaps are asked for again at most this often, up to `gapAttempts` times (default 10 min, 5). */
  gapRetryMs?: number;
  gapAttempts?: number;
  /** Pages one (asset, interval) may fetch per round, so a long catch-up does not hold up the others (default 10). */
  pagesPerRound?: number;
  /** With several processes on one database: runs a round only when this says so (a job lease). */
  leader?: Leader;
  /** The clock (tests pin it away from a minute's edge); default Date.now. */
  now?: () => number;
  /** The provider of a name; default the process's shared one (`providerFor`). Tests give theirs a pinned clock. */
  provider?: (name: ProviderName) => Provider;
}

export interface SyncScheduler {
  stop(): Promise<void>;
  /** Runs one round now (tests); resolves when it is done. */
  tick(): Promise<void>;
}

/** Backoff after consecutive failures of one market interval: 30 s, 1 min, 2 min ... at most 30 min. */
function failureDelay(n: number): number {
  return Math.min(30 * 60_000, 30_000 * 2 ** Math.max(0, n - 1));
}

export function startSyncScheduler(db: Database, opts: SyncSchedulerOptions = {}): SyncScheduler {
  const log = opts.log ?? (() => undefined);
  const env = opts.env ?? process.env;
  const tickMs = opts.tickMs ?? (Number(env.TM_SYNC_TICK_MS) || 5_000);
  const graceMs = opts.graceMs ?? 2_000;
  const clock = opts.now ?? Date.now;
  const failures = new Map<string, { n: number; until: number }>();
  const pausedUntil = new Map<ProviderName, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  // The process's providers: the API and the CLI share their pacing and rate budgets.
  const providerOf = opts.provider ?? ((name: ProviderName) => providerFor(name, env));

  const one = async (p: Provider, s: Source, interval: Interval) => {
    const key = `${s.id}/${interval}`;
    const now = clock();
    const f = failures.get(key);
    if (f && f.until > now) return;
    try {
      await p.ready?.();
      const open = bucketStart(interval, now - graceMs);
      const end = await coverageEnd(db, s.id, interval);
      const page = p.pageBuckets(interval);
      const start = end ?? open - Math.min(page, 1000) * intervalMs(interval);
      const until = Math.min(open, start + (opts.pagesPerRound ?? 10) * page * intervalMs(interval));
      if (until > start) {
        const r = await syncRange(db, p, s, interval, start, until, { now: () => now - graceMs });
        if (r.inserted || r.updated)
          log(`sync: ${s.asset} ${interval} from ${p.name}: ${r.inserted} new, ${r.updated} updated candle(s)`);
      }
      const gaps = await gapsToRetry(db, s.id, interval, opts.gapAttempts ?? 5, opts.gapRetryMs ?? 600_000);
      if (gaps.length) await retryRanges(db, p, s, interval, gaps);
      failures.delete(key);
    } catch (err) {
      const n = (f?.n ?? 0) + 1;
      failures.set(key, { n, until: clock() + failureDelay(n) });
      if (err instanceof ProviderError && err.retryAt && (err.kind === 'banned' || err.kind === 'rate_limited'))
        pausedUntil.set(p.name, err.retryAt);
      log(`sync: ${s.asset} ${interval} from ${p.name} failed (${n} in a row): ${errorMessage(err)}`);
    }
  };

  const round = async () => {
    if (opts.leader && !(await opts.leader())) return;
    let sources: Source[];
    try {
      sources = await listSources(db);
    } catch (err) {
      log(`sync scheduler: ${errorMessage(err)}`); // not migrated yet, or closing: next round
      return;
    }
    const byProvider = new Map<ProviderName, Source[]>();
    for (const s of sources) byProvider.set(s.provider, [...(byProvider.get(s.provider) ?? []), s]);
    await Promise.all(
      [...byProvider].map(async ([name, list]) => {
        if ((pausedUntil.get(name) ?? 0) > clock()) return;
        let p: Provider;
        try {
          p = providerOf(name);
        } catch (err) {
          log(`sync: ${name}: ${errorMessage(err)}`);
          return;
        }
        for (const s of list) for (const i of s.intervals) if (!stopped) await one(p, s, i);
      }),
    );
  };
  const tick = (): Promise<void> => {
    if (!running) running = round().finally(() => (running = undefined));
    return running;
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => void tick().then(() => schedule(tickMs)), ms);
    timer.unref();
  };
  schedule(Math.min(tickMs, 1_000));
  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
