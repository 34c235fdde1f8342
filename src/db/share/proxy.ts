/**
 * The other side: a Database whose calls go to the tm serve that holds the embedded data directory.
 * Results, errors (with their SQLSTATE) and notices arrive as the in-process database gives them.
 */
import net, { type Socket } from 'node:net';
import { UserError } from '../../errors.ts';
import type { EmbeddedDatabase } from '../pglite.ts';
import { NoticeHub, type Queryable, type QueryResult, type Row, type Session } from '../types.ts';
import { fromWire, onFrames, PROTOCOL, send, type Op, type Request, type Response } from './protocol.ts';

function connect(socketPath: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

export async function connectShared(dataDir: string, socketPath: string, servePid: number): Promise<EmbeddedDatabase> {
  const socket = await connect(socketPath);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const notices = new NoticeHub();
  let nextId = 1;
  let broken: Error | null = null;
  let closing = false;

  onFrames<Response>(socket, (m) => {
    if ('notice' in m) {
      notices.emit(m.notice);
      return;
    }
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (pending.size === 0) socket.unref(); // an idle connection does not keep the process alive
    if (m.ok) p?.resolve(m.value);
    else p?.reject(fromWire(m.error));
  });
  socket.on('error', () => undefined); // 'close' follows
  socket.on('close', () => {
    broken = new UserError(
      closing
        ? 'the connection to tm serve is closed'
        : `tm serve (pid ${servePid}) closed the connection to the embedded database in ${dataDir} (was it stopped?); ` +
            'what this command had not committed was rolled back',
    );
    for (const p of pending.values()) p.reject(broken);
    pending.clear();
  });

  const call = <T>(op: Op, scope: number, extra: Partial<Request> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (broken) return reject(broken);
      const id = nextId++;
      if (pending.size === 0) socket.ref();
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      send(socket, { id, op, scope, ...extra });
    });

  const queryable = (scope: number): Queryable => ({
    query: <R = Row>(text: string, params: readonly unknown[] = []) =>
      call<QueryResult<R>>('query', scope, { text, params: [...params] }),
    exec: (text: string) => call<void>('exec', scope, { text }),
    copyFrom: (text: string, data: string | Uint8Array) => call<number>('copyFrom', scope, { text, data }),
  });

  /** The server runs a real transaction, held open while fn sends its statements. */
  const transactionIn =
    (parent: number) =>
    async <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> => {
      const id = await call<number>('begin', parent);
      let result: T;
      try {
        result = await fn(queryable(id));
      } catch (err) {
        await call('end', id, { commit: false }).catch(() => undefined);
        throw err;
      }
      await call('end', id, { commit: true });
      return result;
    };

  await call('hello', 0, { protocol: PROTOCOL });
  return {
    backend: 'embedded',
    target: dataDir,
    lock: null,
    ...queryable(0),
    // Health checks go through the same serve connection: it is one embedded database either way.
    probe: () => queryable(0),
    reader: () => queryable(0),
    replicas: async () => [],
    transaction: transactionIn(0),
    async session<T>(fn: (s: Session) => Promise<T>): Promise<T> {
      const id = await call<number>('session', 0);
      try {
        return await fn({ ...queryable(id), transaction: transactionIn(id) });
      } finally {
        await call('end', id).catch(() => undefined);
      }
    },
    refreshTypes: () => call<void>('refreshTypes', 0),
    onNotice: (l) => notices.add(l),
    async dumpDataDir(compression = 'none') {
      return new Blob([await call<Uint8Array>('dumpDataDir', 0, { compression })]);
    },
    async logicalDump(args) {
      return new Blob([await call<Uint8Array>('logicalDump', 0, { args })]);
    },
    async close() {
      closing = true;
      if (socket.destroyed) return;
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.ref(); // keep the process alive until the server has let go
        socket.end();
      });
    },
  };
}
