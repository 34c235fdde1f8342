/** The one database interface the product uses, over PGlite (embedded) or node-postgres (server). */

export type Backend = 'embedded' | 'server';

export type Row = Record<string, unknown>;

export interface QueryResult<R> {
  rows: R[];
  /** Rows affected by INSERT/UPDATE/DELETE, or returned by SELECT. */
  rowCount: number;
}

/** Something SQL can be sent to: the database, a transaction or a session. */
export interface Queryable {
  query<R = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs one or more statements without parameters (simple protocol). */
  exec(text: string): Promise<void>;
  /**
   * COPY ... FROM STDIN with the given CSV/text payload. `sql` is the full COPY statement
   * ending in `FROM STDIN`; the embedded backend rewrites it to read from a blob.
   */
  copyFrom(sql: string, data: string | Uint8Array): Promise<number>;
}

/** One connection held for a while: session state (advisory locks, SET) stays on it. */
export interface Session extends Queryable {
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

/** A NOTICE or WARNING the server sent while running a statement. */
export interface Notice {
  severity: string;
  message: string;
}

export type NoticeListener = (notice: Notice) => void;

/** A read replica as its last background check found it (docs/replicas-and-pooling.md). */
export interface ReplicaStatus {
  /** Its URL without the password. */
  target: string;
  /** ok: reads go there; lagging: more than TM_MAX_REPLICA_LAG behind (or not yet measurable); down: unreachable. */
  state: 'ok' | 'lagging' | 'down' | 'unchecked';
  /** Seconds behind the primary (0 when it has replayed everything); null when down or not yet known. */
  lag_seconds: number | null;
  checked_at: string | null;
  /** Why it is down (the driver's text: for tm doctor and logs, not for /health). */
  error?: string;
}

export interface Database extends Queryable {
  readonly backend: Backend;
  /** Where the data lives, safe to print: a data directory or a URL without its password. */
  readonly target: string;
  /** Runs fn in a transaction on one connection; it commits when fn resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs fn on one dedicated connection (for advisory locks, temp tables and statements that must share
   * a session). On a server with DATABASE_DIRECT_URL, a connection of its own to that URL: a pooler in
   * transaction mode (PgBouncer) cannot keep a session's state.
   */
  session<T>(fn: (s: Session) => Promise<T>): Promise<T>;
  /**
   * A connection of its own for health checks: on a server one connection outside the pool (opened on
   * first use, reopened after it is lost), so /health never queues behind busy pooled connections.
   * Embedded: the database itself (it has one connection).
   */
  probe(): Queryable;
  /**
   * Where reads that may lag a few seconds go: charts and candle ranges, the common queries, backtests,
   * exports, the markets page. A read replica (DATABASE_READ_URL) that is up and within
   * TM_MAX_REPLICA_LAG, else the primary; a read that fails on a replica for the replica's sake runs
   * again on the primary. Without replicas (and embedded) it is the database itself. Writes, and reads
   * that must see a write just made, use the database (or a transaction), never this.
   */
  reader(): Queryable;
  /** The read replicas as of the last background check (`refresh`: check now); [] without replicas. */
  replicas(opts?: { refresh?: boolean }): Promise<ReplicaStatus[]>;
  /** After DDL that created types: lets the driver learn them (PGlite serializes only known array types). */
  refreshTypes(): Promise<void>;
  /** Listens to server notices and warnings (RAISE WARNING in migrations); returns the unsubscribe. */
  onNotice(listener: NoticeListener): () => void;
  close(): Promise<void>;
}

/** Fans notices out to whoever listens at the moment. */
export class NoticeHub {
  private listeners = new Set<NoticeListener>();
  add(l: NoticeListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(n: Notice): void {
    for (const l of this.listeners) l(n);
  }
}
