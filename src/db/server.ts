/**
 * Server backend: node-postgres pool against PostgreSQL (+ TimescaleDB when installed).
 * TLS follows the URL's sslmode as libpq does; the session time zone is UTC (a startup option, see url.ts).
 * Several hosts in the URL are tried in order as libpq does (multi-host.ts), following a failover.
 */
import pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { NoticeHub, type Database, type Queryable, type QueryResult, type Row, type Session } from './types.ts';
import { ReplicaSet, type ReplicaHandle } from './replicas.ts';
import { finiteTimestamps } from './timestamps.ts';
import { describeUrl, poolConfigFromUrl, targetsFromUrl } from './url.ts';
import { targetedClient } from './multi-host.ts';
import { scrubQueryError } from './pg-errors.ts';

// Same JS types as the embedded backend: int8 and numeric as numbers, date as text, ±infinity as null.
const typeParsers: Record<number, (v: string) => unknown> = {
  20: (v) => Number(v),
  1700: (v) => Number(v),
  1082: (v) => v,
  1114: finiteTimestamps(pg.types.getTypeParser(1114)),
  1184: finiteTimestamps(pg.types.getTypeParser(1184)),
};
const getTypeParser = ((oid: number, format?: string) =>
  typeParsers[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser;

function wrap(client: pg.Pool | pg.PoolClient | pg.Client): Queryable {
  return {
    async query<R = Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const res = await client
        .query({ text, values: params as unknown[], types: { getTypeParser } })
        .catch((err: unknown) => {
          throw scrubQueryError(err, text);
        });
      return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
    },
    async exec(text: string): Promise<void> {
      await client.query(text).catch((err: unknown) => {
        throw scrubQueryError(err, text);
      });
    },
    async copyFrom(sql: string, data: string | Uint8Array): Promise<number> {
      const run = async (c: pg.PoolClient) => {
        const stream = c.query(copyFromStream(sql));
        await pipeline(Readable.from([data]), stream);
        return stream.rowCount ?? 0;
      };
      if (client instanceof pg.Pool) {
        const c = await client.connect();
        try {
          return await run(c);
        } finally {
          c.release();
        }
      }
      return run(client as pg.PoolClient);
    },
  };
}

async function inTransaction<T>(client: pg.PoolClient, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await fn(wrap(client));
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export interface ServerOptions {
  /** Pooled connections to the primary (default 10). */
  max?: number;
  /** The primary without a pooler in between: sessions (Database.session) go there (DATABASE_DIRECT_URL). */
  directUrl?: string;
  /** Read replicas (DATABASE_READ_URL). */
  readUrls?: readonly string[];
  /** A replica further behind is not read from (TM_MAX_REPLICA_LAG, default 30). */
  maxReplicaLagSeconds?: number;
  /** How often the replicas' lag is checked, in the background (default 2000 ms). */
  replicaCheckMs?: number;
}

/**
 * node-postgres settings for a URL: with several hosts or a target_session_attrs, connections go
 * through targetedClient (libpq's host list and session kinds, which node-postgres lacks).
 */
function clientConfig(url: string): pg.PoolConfig {
  const config = poolConfigFromUrl(url);
  const targets = targetsFromUrl(url);
  if (targets.hosts.length === 1 && targets.sessionAttrs === 'any') return config;
  return { ...config, Client: targetedClient(targets, config) };
}

function newPool(url: string, max: number, notices: NoticeHub): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(url), max });
  pool.on('connect', (client) => {
    client.on('notice', (n) => notices.emit({ severity: n.severity ?? 'NOTICE', message: n.message ?? '' }));
    // A connection the server closes (FATAL, restart, network) rejects the query that was running;
    // the client's 'error' event must not also crash the process as an unhandled event.
    client.on('error', () => undefined);
  });
  // The same for an idle client in the pool.
  pool.on('error', () => undefined);
  return pool;
}

export async function openServer(url: string, opts: ServerOptions = {}): Promise<Database> {
  const notices = new NoticeHub();
  const pool = newPool(url, opts.max ?? 10, notices);
  // Fail now with a clear message rather than on the first query.
  const probe = await pool.connect().catch(async (err: Error) => {
    await pool.end().catch(() => undefined);
    // PgBouncer before 1.20 refuses the startup option that makes sessions UTC: say what to do.
    const hint = /unsupported startup parameter: options/.test(err.message)
      ? " (a pooler that refuses the options startup parameter: add options to PgBouncer's ignore_startup_parameters or end the URL with ?options=, and make the database's timezone UTC; see docs/replicas-and-pooling.md)"
      : '';
    throw new Error(`cannot connect to ${describeUrl(url)}: ${err.message}${hint}`);
  });
  probe.release();

  const base = wrap(pool);
  const healthConnection = dedicatedConnection(url);
  // Sessions keep state (locks, SET, temp tables) a transaction-mode pooler would lose: with a direct
  // URL they get connections of their own there. Opened on first use: most processes never need one.
  let direct: pg.Pool | undefined;
  const sessionPool = () => {
    if (!opts.directUrl) return pool;
    direct ??= newPool(opts.directUrl, 4, notices);
    return direct;
  };
  const replicas = opts.readUrls?.length
    ? new ReplicaSet(
        base,
        opts.readUrls.map((u) => replicaHandle(u, opts.max ?? 10)),
        { maxLagSeconds: opts.maxReplicaLagSeconds ?? 30, checkEveryMs: opts.replicaCheckMs ?? 2_000 },
      )
    : undefined;
  return {
    backend: 'server',
    target: describeUrl(url),
    ...base,
    onNotice: (l) => notices.add(l),
    // node-postgres writes every JS array as an array literal: nothing to learn.
    refreshTypes: async () => undefined,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        return await inTransaction(client, fn);
      } finally {
        client.release();
      }
    },
    async session<T>(fn: (s: Session) => Promise<T>): Promise<T> {
      const client = await sessionPool().connect();
      try {
        return await fn({ ...wrap(client), transaction: (f) => inTransaction(client, f) });
      } finally {
        // A session may leave state behind (locks, SET): never hand that connection to anyone else.
        client.release(true);
      }
    },
    probe: () => healthConnection.queryable,
    reader: () => replicas?.reader ?? base,
    replicas: async (o = {}) => (replicas ? (o.refresh ? replicas.check() : replicas.status()) : []),
    async close() {
      await replicas?.close();
      await healthConnection.close();
      await direct?.end();
      await pool.end();
    },
  };
}

/** A replica's own pool; a replica that is down does not stop the primary from opening. */
function replicaHandle(url: string, max: number): ReplicaHandle {
  const pool = newPool(url, max, new NoticeHub());
  return { target: describeUrl(url), q: wrap(pool), close: () => pool.end() };
}

/** One connection outside the pool (see Database.probe), connected on first use and again after it is lost. */
function dedicatedConnection(url: string): { queryable: Queryable; close(): Promise<void> } {
  let client: Promise<pg.Client> | undefined;
  const connect = () => {
    const { Client, ...config } = clientConfig(url);
    const c = new ((Client as typeof pg.Client | undefined) ?? pg.Client)({
      ...config,
      connectionTimeoutMillis: 5_000,
    });
    c.on('error', () => {
      client = undefined; // lost: the next call reconnects
    });
    client = c.connect().then(
      () => c,
      (err: unknown) => {
        client = undefined;
        throw err;
      },
    );
    return client;
  };
  // One statement at a time on this connection (node-postgres deprecates overlapping client.query calls).
  let queue: Promise<unknown> = Promise.resolve();
  const on = <T>(fn: (q: Queryable) => Promise<T>): Promise<T> => {
    const run = queue.then(async () => fn(wrap(await (client ?? connect()))));
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    queryable: {
      query: (text, params) => on((q) => q.query(text, params)),
      exec: (text) => on((q) => q.exec(text)),
      copyFrom: () => Promise.reject(new Error('COPY is not for the health connection')),
    },
    async close() {
      const c = client;
      client = undefined;
      if (c) await (await c.catch(() => undefined))?.end().catch(() => undefined);
    },
  };
}
