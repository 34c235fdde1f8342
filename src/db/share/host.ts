/**
 * tm serve's side of sharing the embedded database: a Unix socket (mode 0600, in a private
 * directory, recorded in the data directory's lock) where other tm processes send their Database
 * calls. A client's transaction is a real transaction here, held open while it sends statements
 * and rolled back when it disconnects; its session is a real session (sessions queue as in-process).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net, { type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { EmbeddedDatabase } from '../pglite.ts';
import type { Database, Notice, Queryable, Session } from '../types.ts';
import { onFrames, PROTOCOL, send, toWire, type Request, type Response } from './protocol.ts';

interface Scope {
  kind: 'db' | 'session' | 'tx';
  q: Queryable & Partial<Pick<Session, 'transaction'>>;
  parent: number;
  /** Requests on one scope run in order; `end` waits for those in flight. */
  chain: Promise<unknown>;
  finish?: (commit: boolean) => void;
  whole?: Promise<unknown>;
  /** A session's state when it began, put back if its client vanishes. */
  before?: SessionState;
}

interface SessionState {
  searchPath: string;
  tempTables: Set<string>;
}

const TEMP_TABLES = "SELECT relname AS name FROM pg_class WHERE relnamespace = pg_my_temp_schema() AND relkind = 'r'";

async function sessionState(q: Queryable): Promise<SessionState> {
  const sp = await q.query<{ p: string }>("SELECT current_setting('search_path') AS p");
  const temp = await q.query<{ name: string }>(TEMP_TABLES);
  return { searchPath: sp.rows[0].p, tempTables: new Set(temp.rows.map((r) => r.name)) };
}

/**
 * A client killed in a session leaves its temp tables (an import's staging) and SET search_path on
 * the one connection tm serve shares; in-process they died with it. Sessions run one at a time,
 * so what appeared during this one is its own.
 */
async function restoreSession(q: Queryable, before: SessionState): Promise<void> {
  for (const { name } of (await q.query<{ name: string }>(TEMP_TABLES)).rows) {
    if (!before.tempTables.has(name)) await q.exec(`DROP TABLE IF EXISTS pg_temp."${name.replace(/"/g, '""')}"`);
  }
  await q.query("SELECT set_config('search_path', $1, false)", [before.searchPath]);
}

/** Thrown inside a client's transaction to make the server roll it back. */
class RollBack extends Error {}

class Connection {
  private scopes = new Map<number, Scope>();
  private nextScope = 1;
  private closed = false;
  readonly gone: Promise<void>;

  constructor(
    private db: EmbeddedDatabase,
    private socket: Socket,
    als: AsyncLocalStorage<Connection>,
  ) {
    this.scopes.set(0, { kind: 'db', q: db, parent: -1, chain: Promise.resolve() });
    onFrames<Request>(socket, (req) => als.run(this, () => this.handle(req)));
    socket.on('error', () => undefined); // 'close' follows
    this.gone = new Promise((resolve) => socket.on('close', () => resolve(this.abort())));
  }

  notice(n: Notice): void {
    if (!this.closed) this.write({ notice: n });
  }

  private write(m: Response): void {
    if (!this.closed && !this.socket.destroyed) send(this.socket, m);
  }

  private handle(req: Request): void {
    const scope = this.scopes.get(req.scope);
    if (!scope) {
      this.write({ id: req.id, ok: false, error: toWire(new Error(`no open session or transaction ${req.scope}`)) });
      return;
    }
    const step = scope.chain.then(() => this.run(req, scope));
    scope.chain = step.catch(() => undefined);
    step.then(
      (value) => this.write({ id: req.id, ok: true, value }),
      (err) => this.write({ id: req.id, ok: false, error: toWire(err) }),
    );
  }

  private async run(req: Request, scope: Scope): Promise<unknown> {
    const { q } = scope;
    switch (req.op) {
      case 'hello':
        if (req.protocol !== PROTOCOL)
          throw new Error(`tm serve speaks protocol ${PROTOCOL}, this tm ${req.protocol}: restart tm serve`);
        return { pid: process.pid };
      case 'query': {
        const res = await q.query(req.text ?? '', req.params ?? []);
        return { rows: res.rows, rowCount: res.rowCount };
      }
      case 'exec':
        return q.exec(req.text ?? '');
      case 'copyFrom':
        return q.copyFrom(req.text ?? '', req.data ?? '');
      case 'begin':
      case 'session':
        return this.open(req.op === 'begin' ? 'tx' : 'session', req.scope);
      case 'end':
        return this.end(req.scope, !!req.commit);
      case 'refreshTypes':
        return this.db.refreshTypes();
      case 'dumpDataDir':
        return new Uint8Array(await (await this.db.dumpDataDir(req.compression)).arrayBuffer());
      case 'logicalDump':
        return new Uint8Array(await (await this.db.logicalDump(req.args ?? [])).arrayBuffer());
    }
  }

  /** Opens a transaction (in the database or a session) or a session; resolves once it has begun. */
  private open(kind: 'tx' | 'session', parentId: number): Promise<number> {
    const parent = this.scopes.get(parentId);
    if (kind === 'session' && parentId !== 0) throw new Error('a session opens on the database only');
    const begin = parent?.q.transaction?.bind(parent.q);
    if (kind === 'tx' && !begin) throw new Error('transactions do not nest');
    const id = this.nextScope++;
    return new Promise((resolve, reject) => {
      let finish: (commit: boolean) => void = () => undefined;
      const decided = new Promise<boolean>((r) => {
        finish = r;
      });
      let whole: Promise<unknown> | undefined;
      const body = async (q: Queryable) => {
        const before = kind === 'session' ? await sessionState(q) : undefined;
        this.scopes.set(id, { kind, q, parent: parentId, chain: Promise.resolve(), finish, whole, before });
        resolve(id);
        if (this.closed) finish(false); // the client left while this waited its turn
        if (!(await decided) && kind === 'tx') throw new RollBack();
      };
      const db = this.db as Database;
      whole = kind === 'tx' && begin ? begin(body) : db.session((s) => body(s));
      whole.catch(reject); // before it began: the client hears why; after, `end` reports it
      const s = this.scopes.get(id);
      if (s) s.whole = whole;
    });
  }

  /**
   * Commits or rolls back a transaction, or ends a session (rolling back what it left open).
   * `abandoned`: the client is gone, so a session's state is put back as it was.
   */
  private async end(id: number, commit: boolean, abandoned = false): Promise<void> {
    const scope = this.scopes.get(id);
    if (!scope || id === 0) throw new Error(`no open session or transaction ${id}`);
    for (const [childId, child] of this.scopes) {
      if (child.parent === id) {
        child.chain = child.chain.then(() => this.end(childId, false)).catch(() => undefined);
        await child.chain;
      }
    }
    if (abandoned && scope.before) await restoreSession(scope.q, scope.before).catch(() => undefined);
    scope.finish?.(commit);
    try {
      await scope.whole;
    } catch (err) {
      if (!(err instanceof RollBack)) throw err;
    } finally {
      this.scopes.delete(id);
    }
  }

  /** The client is gone: roll back its transactions and end its sessions. */
  private async abort(): Promise<void> {
    this.closed = true;
    const open = [...this.scopes.entries()].filter(([id]) => id !== 0);
    for (const [id, scope] of open.reverse()) {
      if (!this.scopes.has(id)) continue;
      scope.chain = scope.chain.then(() => this.end(id, false, true)).catch(() => undefined);
      await scope.chain;
    }
  }
}

export interface Share {
  socket: string;
  /** Disconnects every client (their open transactions roll back) and removes the socket. */
  close(): Promise<void>;
}

/** Shares an embedded database held by this process; null when there is nothing to share (memory://, server). */
export async function shareEmbedded(db: Database): Promise<Share | null> {
  const embedded = db as Partial<EmbeddedDatabase>;
  if (db.backend !== 'embedded' || !embedded.lock || !embedded.dumpDataDir) return null;
  const lock = embedded.lock;
  // mkdtemp makes the directory 0700: nobody else can reach the socket, even before its chmod.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-'));
  const socketPath = path.join(dir, 'db.sock');
  const als = new AsyncLocalStorage<Connection>();
  // Notices go to the client whose statement raised them (PGlite runs one statement at a time).
  const unsubscribe = db.onNotice((n) => als.getStore()?.notice(n));
  const connections = new Set<Connection>();
  const sockets = new Set<Socket>();
  const server = net.createServer((socket) => {
    const c = new Connection(db as EmbeddedDatabase, socket, als);
    connections.add(c);
    sockets.add(socket);
    void c.gone.then(() => {
      connections.delete(c);
      sockets.delete(socket);
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, resolve);
    });
    chmodSync(socketPath, 0o600);
    lock.update({ serve: true, socket: socketPath });
  } catch (err) {
    server.close();
    rmSync(dir, { recursive: true, force: true });
    unsubscribe();
    throw err;
  }
  return {
    socket: socketPath,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      const gone = [...connections].map((c) => c.gone);
      for (const s of sockets) s.destroy();
      await Promise.all(gone);
      await closed;
      unsubscribe();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
