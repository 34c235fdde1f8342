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

export interface Database extends Queryable {
  readonly backend: Backend;
  /** Where the data lives, safe to print: a data directory or a URL without its password. */
  readonly target: string;
  /** Runs fn in a transaction on one connection; it commits when fn resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs fn on one dedicated connection (for advisory locks and statements that must share a session). */
  session<T>(fn: (s: Session) => Promise<T>): Promise<T>;
  /**
   * A connection of its own for health checks: on a server one connection outside the pool (opened on
   * first use, reopened after it is lost), so /health never queues behind busy pooled connections.
   * Embedded: the database itself (it has one connection).
   */
  probe(): Queryable;
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
