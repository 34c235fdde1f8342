/**
 * Embedded backend: PGlite (PostgreSQL 17 in WASM) with TimescaleDB.
 * Traps handled here (see docs/embedded.md): the options object must be the only argument,
 * `LOAD 'timescaledb'` is needed on every open or compressed rows vanish from queries, calling the
 * instance from inside its own transaction deadlocks, and only one process may open a data dir.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { DataDirLock } from './datadir-lock.ts';
import { activateTimescale } from './timescale-activate.ts';
import { finiteTimestamps } from './timestamps.ts';
import { scrubQueryError } from './pg-errors.ts';
import { timescaleExtension } from './timescale-bundle.ts';
import { tuneWasmTiering, type WasmWorkload } from './wasm-tiering.ts';
import { NoticeHub, type Database, type Queryable, type QueryResult, type Row, type Session } from './types.ts';

/** The same JS types on both backends: see server.ts. */
const parsers = {
  [types.NUMERIC]: (v: string) => Number(v),
  [types.INT8]: (v: string) => Number(v),
  [types.DATE]: (v: string) => v,
  [types.TIMESTAMP]: finiteTimestamps((v) => new Date(v)),
  [types.TIMESTAMPTZ]: finiteTimestamps((v) => new Date(v)),
};

export interface EmbeddedOptions {
  /** A directory, or `memory://` for a throwaway database. */
  dataDir: string;
  /** A tarball from dumpDataDir to start from (tests, restore). */
  loadDataDir?: Blob;
  /** tm serve: the lock says so, and others reach the database through its socket (share/). */
  serve?: boolean;
  /** What this process will do with it (wasm-tiering.ts): 'sustained' unless told. */
  workload?: WasmWorkload;
}

type PGliteLike = Pick<PGlite, 'query' | 'exec'> | Transaction;

function wrap(target: PGliteLike, notices: NoticeHub): Queryable {
  const onNotice = (n: { severity?: string; message?: string }) =>
    notices.emit({ severity: n.severity ?? 'NOTICE', message: n.message ?? '' });
  return {
    async query<R = Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const res = await target.query<R>(text, params as unknown[], { onNotice }).catch((err: unknown) => {
        throw scrubQueryError(err, text);
      });
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
    async exec(text: string): Promise<void> {
      await target.exec(text, { onNotice }).catch((err: unknown) => {
        throw scrubQueryError(err, text);
      });
    },
    async copyFrom(sql: string, data: string | Uint8Array): Promise<number> {
      const blobSql = sql.replace(/\bFROM\s+STDIN\b/i, "FROM '/dev/blob'");
      const res = await target.query(blobSql, [], { blob: new Blob([data]), onNotice });
      return res.affectedRows ?? 0;
    },
  };
}

export interface EmbeddedDatabase extends Database {
  readonly backend: 'embedded';
  /** A tarball of the whole data directory (consistent: taken between queries). */
  dumpDataDir(compression?: 'none' | 'gzip'): Promise<Blob>;
  /** pg_dump (compiled to WASM) over this instance: plain SQL. */
  logicalDump(args: string[]): Promise<Blob>;
  /** The data directory's lock while this process holds it (null: memory://, or reached through tm serve). */
  readonly lock: DataDirLock | null;
}

export async function openEmbedded(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const inMemory = opts.dataDir.startsWith('memory://');
  const dataDir = inMemory ? opts.dataDir : path.resolve(opts.dataDir);
  let lock: DataDirLock | null = null;
  if (!inMemory) {
    mkdirSync(dataDir, { recursive: true });
    // Two processes on one data dir would corrupt it: PGlite has no lock of its own.
    lock = DataDirLock.acquire(dataDir, opts.serve ? { serve: true } : {});
  }
  tuneWasmTiering(opts.workload ?? 'sustained');
  let pg: PGlite;
  // Emscripten's exit handler writes PostgreSQL's status into process.exitCode (PGlite 0.3.x leaves it
  // set): a process whose event loop then empties with a promise pending would exit 0 in silence
  // instead of Node's 13 and its "unsettled top-level await" warning.
  const hostExitCode = process.exitCode;
  try {
    pg = await PGlite.create({
      dataDir,
      extensions: { timescaledb: timescaleExtension() },
      parsers,
      ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
    });
    await pg.exec("SET TIME ZONE 'UTC'");
    await activateTimescale(pg);
  } catch (err) {
    lock?.release();
    throw err;
  } finally {
    process.exitCode = hostExitCode;
  }

  // Sessions share the single connection: serialize them so one's advisory lock or
  // SET cannot leak into another's work.
  let sessionChain: Promise<unknown> = Promise.resolve();
  const notices = new NoticeHub();
  const base = wrap(pg, notices);
  const transaction = <T>(fn: (tx: Queryable) => Promise<T>) => pg.transaction((tx) => fn(wrap(tx, notices)));
  const db: EmbeddedDatabase = {
    backend: 'embedded',
    lock,
    dumpDataDir: (compression = 'none') => pg.dumpDataDir(compression),
    async logicalDump(args) {
      const { pgDump } = await import('@electric-sql/pglite-tools/pg_dump');
      const file = await pgDump({ pg, args });
      // pg_dump empties search_path on the session it used, which is ours.
      await pg.exec('RESET search_path');
      return file;
    },
    target: inMemory ? 'memory://' : dataDir,
    ...base,
    transaction,
    probe: () => base,
    reader: () => base,
    replicas: async () => [],
    onNotice: (l) => notices.add(l),
    refreshTypes: () => pg.refreshArrayTypes(),
    session<T>(fn: (s: Session) => Promise<T>): Promise<T> {
      const run = sessionChain.then(() => fn({ ...base, transaction }));
      sessionChain = run.catch(() => undefined);
      return run;
    },
    async close() {
      try {
        // PGlite's close shuts PostgreSQL down with a checkpoint: the next open replays nothing.
        const code = process.exitCode;
        if (!pg.closed) await pg.close().finally(() => (process.exitCode = code));
      } finally {
        lock?.release();
      }
    },
  };
  return db;
}
