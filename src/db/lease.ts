/**
 * Job leases (job_leases, revision 0009): with several tm serve processes on one database, a background
 * job runs in the one process holding its unexpired lease. One statement takes or renews it, so it
 * works on both backends and through PgBouncer in transaction mode, where a session advisory lock would
 * be held by whichever client shares the pooled connection next. A holder that dies stops renewing;
 * another process takes over once the lease expires, and a process on the holder's own host at once
 * (it can see that the pid is gone, as the data-directory lock does).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { bootId, holderAlive, procStat } from './datadir-lock.ts';
import type { Queryable } from './types.ts';

/**
 * This process's name in job_leases.holder: `host:pid:random:start:boot`, the random part because pids
 * repeat across hosts, the process start time (clock ticks after boot) and boot id so that a process on
 * the same host can tell the holder is gone even when its pid was reused.
 */
export const PROCESS_HOLDER = holderName(process.pid, procStat(process.pid)?.start, bootId());

export function holderName(pid: number, start?: string, boot?: string): string {
  return [hostname(), pid, randomUUID().slice(0, 8), start ?? '', boot ?? ''].join(':');
}

/**
 * A holder recorded by a process on this host that is no longer running. Holders on other hosts, and
 * names without a pid (older versions), cannot be checked: they count as alive until the lease expires.
 */
export function holderGone(holder: string): boolean {
  const [host, pid, , start, boot] = holder.split(':');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '') || start === undefined) return false;
  return !holderAlive({
    pid: Number(pid),
    hostname: host,
    command: '',
    since: '',
    procStart: start || undefined,
    bootId: boot || undefined,
  });
}

export interface LeaseRow {
  name: string;
  holder: string;
  acquired_at: Date;
  expires_at: Date;
  runs: string;
}

/**
 * Takes the lease `name` for `ttlMs` when it is free, expired or already ours (renewing it and counting
 * one run), or when its holder was a process on this host that is gone. Returns whether this holder has it now.
 */
export async function takeLease(q: Queryable, name: string, ttlMs: number, holder = PROCESS_HOLDER): Promise<boolean> {
  const r = await q.query(
    `INSERT INTO job_leases AS l (name, holder, acquired_at, expires_at, runs)
     VALUES ($1, $2, now(), now() + make_interval(secs => $3), 1)
     ON CONFLICT (name) DO UPDATE
       SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at, runs = l.runs + 1,
           acquired_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_at ELSE now() END
       WHERE l.holder = EXCLUDED.holder OR l.expires_at < now()
     RETURNING 1`,
    [name, holder, ttlMs / 1000],
  );
  if (r.rowCount === 1) return true;
  // Held and not expired: still ours to take when its holder died on this host (a restart after kill -9).
  const current = await q.query<{ holder: string }>('SELECT holder FROM job_leases WHERE name = $1', [name]);
  const dead = current.rows[0]?.holder;
  if (dead === undefined || dead === holder || !holderGone(dead)) return false;
  // Only if it is still the dead holder's: two processes restarting at once take it once.
  const taken = await q.query(
    `UPDATE job_leases SET holder = $2, acquired_at = now(), expires_at = now() + make_interval(secs => $3),
       runs = runs + 1
     WHERE name = $1 AND holder = $4`,
    [name, holder, ttlMs / 1000, dead],
  );
  return taken.rowCount === 1;
}

/** Extends a lease this holder has (a long round must not lose it halfway); false when it is no longer ours. */
export async function renewLease(q: Queryable, name: string, ttlMs: number, holder = PROCESS_HOLDER): Promise<boolean> {
  const r = await q.query(
    `UPDATE job_leases SET expires_at = now() + make_interval(secs => $3) WHERE name = $1 AND holder = $2`,
    [name, holder, ttlMs / 1000],
  );
  return r.rowCount === 1;
}

/** Gives the lease up (at shutdown), so another process takes over at its next round, not after the TTL. */
export async function releaseLease(q: Queryable, name: string, holder = PROCESS_HOLDER): Promise<void> {
  await q.query(`DELETE FROM job_leases WHERE name = $1 AND holder = $2`, [name, holder]);
}

export async function listLeases(q: Queryable): Promise<LeaseRow[]> {
  const r = await q.query<LeaseRow>(
    `SELECT name, holder, acquired_at, expires_at, runs::text AS runs FROM job_leases ORDER BY name`,
  );
  return r.rows;
}

/** A gate a job calls before each round: true when this process should run it. */
export type Leader = () => Promise<boolean>;

/**
 * The gate for one job: holds the lease while the process runs it, renewing it every third of `ttlMs`
 * in between (so a round longer than the TTL keeps it). `ttlMs` is how long a dead holder blocks the job.
 */
export function leaseGate(
  q: Queryable,
  name: string,
  ttlMs: number,
  log: (line: string) => void = () => undefined,
): Leader & { release(): Promise<void> } {
  let held = false;
  let renewal: NodeJS.Timeout | undefined;
  const stopRenewal = () => {
    if (renewal) clearInterval(renewal);
    renewal = undefined;
  };
  const renew = async () => {
    try {
      if (await renewLease(q, name, ttlMs)) return;
      log(`lease ${name}: lost to another process`);
    } catch (err) {
      log(`lease ${name}: renewal failed: ${(err as Error).message}`);
    }
    held = false;
    stopRenewal();
  };
  const gate = async () => {
    let now: boolean;
    try {
      now = await takeLease(q, name, ttlMs);
    } catch (err) {
      // Not migrated yet or the database is away: skip this round rather than risk running it twice.
      log(`lease ${name}: ${(err as Error).message}`);
      now = false;
    }
    if (now !== held) log(now ? `lease ${name}: this process runs it` : `lease ${name}: another process runs it`);
    held = now;
    if (held && !renewal) {
      renewal = setInterval(() => void renew(), ttlMs / 3);
      renewal.unref();
    } else if (!held) stopRenewal();
    return now;
  };
  return Object.assign(gate, {
    async release() {
      stopRenewal();
      if (held) await releaseLease(q, name).catch(() => undefined);
      held = false;
    },
  });
}
