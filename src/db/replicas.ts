/**
 * Read replicas: where reads that tolerate lag go (Database.reader), and how far behind each replica is.
 *
 * Lag is checked in the background (every `checkEveryMs`), never per query. A replica is used while its
 * last check found it up and at most `maxLagSeconds` behind; otherwise the primary serves. A read that
 * fails on a replica for a reason of the replica's own (connection lost, shut down, recovery conflict)
 * runs again on the primary and the replica is left out until a check finds it well: no failed request.
 *
 * Lag: 0 when the replica has replayed the primary's current WAL position. Otherwise the smaller of two
 * upper bounds on how stale it is: the age of the oldest primary WAL position (sampled at each check)
 * it has not yet replayed, and now() - pg_last_xact_replay_timestamp(). The second alone overstates the
 * lag of a replica that is current on an idle primary (the last transaction may be hours old).
 */
import type { Database, Queryable, QueryResult, ReplicaStatus, Row } from './types.ts';

/** One replica: a pool on its URL, reached through a Queryable. */
export interface ReplicaHandle {
  /** The URL without its password. */
  target: string;
  q: Queryable;
  close(): Promise<void>;
}

export interface ReplicaOptions {
  maxLagSeconds: number;
  checkEveryMs: number;
  /** How long one replica's check may take before it counts as down. */
  checkTimeoutMs?: number;
}

interface Sample {
  at: number;
  lsn: bigint;
}

interface State {
  handle: ReplicaHandle;
  status: ReplicaStatus;
}

/** 'X/Y' (pg_lsn's text) as one number. */
export function parseLsn(text: string): bigint {
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

/**
 * Errors that are the replica's, not the query's: no SQLSTATE (socket closed, refused, timed out),
 * connection exceptions (08), operator intervention (57: shut down, cannot connect now), too many
 * connections (53300), and the standby's recovery conflict (40001). A query's own error (syntax, a
 * constraint, a bad value) would fail on the primary too and is thrown as is.
 */
export function isReplicaFault(err: unknown): boolean {
  const code = sqlState(err);
  if (code === undefined) return true;
  return code.startsWith('08') || code.startsWith('57') || code === '53300' || code === '40001';
}

/**
 * A write sent through the reader (25006, read-only transaction): a read path that keeps its bookkeeping
 * up to date as it reads (candle_series corrections). It runs on the primary; the replica stays in use.
 */
export function isReadOnlyRefusal(err: unknown): boolean {
  return sqlState(err) === '25006';
}

function sqlState(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

const CHECK_SQL = `SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replay,
  extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS replay_age`;

export class ReplicaSet {
  private readonly states: State[];
  private samples: Sample[] = [];
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReplicaStatus[]> | null = null;
  /** The first check: reads wait for it, so even a short-lived command uses a replica that is there. */
  private readonly first: Promise<unknown>;

  constructor(
    private readonly primary: Queryable,
    handles: ReplicaHandle[],
    private readonly opts: ReplicaOptions,
  ) {
    this.states = handles.map((handle) => ({
      handle,
      status: { target: handle.target, state: 'unchecked', lag_seconds: null, checked_at: null },
    }));
    this.first = this.check().catch(() => undefined);
    this.timer = setInterval(() => void this.check().catch(() => undefined), opts.checkEveryMs);
    this.timer.unref();
  }

  /** The replicas as of the last check. */
  status(): ReplicaStatus[] {
    return this.states.map((s) => ({ ...s.status }));
  }

  /** Checks every replica now (a check already running is shared). */
  check(): Promise<ReplicaStatus[]> {
    this.running ??= this.runCheck().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runCheck(): Promise<ReplicaStatus[]> {
    // The primary's position first: a replica that has replayed it, read after, is current.
    const r = await this.primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    const now = Date.now();
    this.samples.push({ at: now, lsn: parseLsn(r.rows[0].lsn) });
    // Samples older than the allowed lag cannot make a replica usable: keep a few beyond it.
    const keepFrom = now - (this.opts.maxLagSeconds * 1000 + 4 * this.opts.checkEveryMs);
    this.samples = this.samples.filter((s) => s.at >= keepFrom);
    await Promise.all(this.states.map((s) => this.checkOne(s)));
    return this.status();
  }

  private async checkOne(s: State): Promise<void> {
    const checkedAt = new Date().toISOString();
    try {
      const row = await withTimeout(s.handle.q.query<CheckRow>(CHECK_SQL), this.opts.checkTimeoutMs ?? 3_000);
      const lag = this.lagOf(row.rows[0]);
      const lagging = lag === null || lag > this.opts.maxLagSeconds;
      s.status = {
        target: s.handle.target,
        state: lagging ? 'lagging' : 'ok',
        lag_seconds: lag === null ? null : Math.round(lag * 1000) / 1000,
        checked_at: checkedAt,
      };
    } catch (err) {
      s.status = { target: s.handle.target, state: 'down', lag_seconds: null, checked_at: checkedAt, error: text(err) };
    }
  }

  /** Seconds behind the primary, or null when it cannot be told yet (then the replica is not used). */
  private lagOf(row: CheckRow): number | null {
    if (!row.standby) return 0; // a read URL that points at a primary is as current as it gets
    if (row.replay === null) return null;
    const replay = parseLsn(row.replay);
    const latest = this.samples.at(-1);
    if (latest && replay >= latest.lsn) return 0;
    const bounds: number[] = [];
    // The newest sample it has replayed: everything committed before that moment is there.
    const reached = this.samples.filter((x) => x.lsn <= replay).at(-1);
    if (reached) bounds.push((Date.now() - reached.at) / 1000);
    if (row.replay_age !== null) bounds.push(Math.max(0, row.replay_age));
    return bounds.length ? Math.min(...bounds) : null;
  }

  /** A replica to read from (round robin among the usable ones), or null for the primary. */
  private pick(): State | null {
    const usable = this.states.filter((s) => s.status.state === 'ok');
    if (usable.length === 0) return null;
    this.next = (this.next + 1) % usable.length;
    return usable[this.next];
  }

  private async onReplica<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    await this.first;
    const s = this.pick();
    if (!s) return fn(this.primary);
    try {
      return await fn(s.handle.q);
    } catch (err) {
      if (isReadOnlyRefusal(err)) return fn(this.primary);
      if (!isReplicaFault(err)) throw err;
      // Left out until the next check finds it well; this read goes to the primary.
      s.status = { ...s.status, state: 'down', lag_seconds: null, error: text(err) };
      return fn(this.primary);
    }
  }

  /** The Queryable for reads that tolerate lag. COPY is a write: it goes to the primary. */
  readonly reader: Queryable = {
    query: <R = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> =>
      this.onReplica((q) => q.query<R>(sql, params)),
    exec: (sql: string) => this.onReplica((q) => q.exec(sql)),
    copyFrom: (sql: string, data: string | Uint8Array) => this.primary.copyFrom(sql, data),
  };

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    await Promise.all(this.states.map((s) => s.handle.close().catch(() => undefined)));
  }
}

interface CheckRow {
  standby: boolean;
  replay: string | null;
  replay_age: number | null;
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

/** One line of tm doctor (the shape of timescale/doctor.ts's Check, which this layer cannot import). */
export interface ReplicaCheck {
  check: string;
  status: 'ok' | 'warning' | 'problem';
  detail: string;
  fix?: string;
}

/**
 * tm doctor's lines for the read replicas (checked now) and the session time zone: a replica down or
 * too far behind is a warning (the primary serves its reads); a time zone other than UTC on pooled
 * connections (a pooler that dropped the startup option) is a problem, since day buckets depend on it.
 */
export async function replicaDoctorChecks(
  db: Pick<Database, 'replicas' | 'query' | 'backend'>,
  maxLagSeconds: number,
): Promise<ReplicaCheck[]> {
  const checks: ReplicaCheck[] = [];
  if (db.backend === 'server') {
    const tz = (await db.query<{ tz: string }>("SELECT current_setting('TimeZone') AS tz")).rows[0].tz;
    checks.push(
      tz === 'UTC' || tz === 'Etc/UTC'
        ? { check: 'session time zone', status: 'ok', detail: tz }
        : {
            check: 'session time zone',
            status: 'problem',
            detail: `${tz}: tm expects UTC sessions (a pooler may have dropped the startup option -c TimeZone=UTC)`,
            fix: "ALTER DATABASE <db> SET timezone TO 'UTC' (see docs/replicas-and-pooling.md)",
          },
    );
  }
  for (const r of await db.replicas({ refresh: true })) {
    const name = `read replica ${r.target}`;
    if (r.state === 'ok') {
      checks.push({ check: name, status: 'ok', detail: `lag ${r.lag_seconds ?? 0} s (limit ${maxLagSeconds} s)` });
    } else if (r.state === 'lagging') {
      checks.push({
        check: name,
        status: 'warning',
        detail: `${r.lag_seconds === null ? 'lag not measurable yet' : `lag ${r.lag_seconds} s`}, over the limit of ${maxLagSeconds} s: the primary serves its reads`,
        fix: 'check the replica (pg_stat_replication on the primary, its log), or raise TM_MAX_REPLICA_LAG',
      });
    } else {
      checks.push({
        check: name,
        status: 'warning',
        detail: `unreachable (${r.error ?? r.state}): the primary serves its reads`,
        fix: 'check DATABASE_READ_URL and that the replica is running',
      });
    }
  }
  return checks;
}
