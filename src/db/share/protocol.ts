/**
 * The wire between tm serve and other tm processes on the same embedded database: messages framed
 * by a 4-byte length and encoded with v8.serialize, so Dates, BigInts and byte arrays arrive as
 * they left. A request names a scope: 0 is the database, others are sessions and transactions the
 * server holds open for this connection.
 */
import type { Socket } from 'node:net';
import { deserialize, serialize } from 'node:v8';
import { UserError } from '../../errors.ts';
import type { Notice } from '../types.ts';

export const PROTOCOL = 1;

export type Op =
  | 'hello'
  | 'query'
  | 'exec'
  | 'copyFrom'
  | 'begin'
  | 'session'
  | 'end'
  | 'refreshTypes'
  | 'dumpDataDir'
  | 'logicalDump';

export interface Request {
  id: number;
  op: Op;
  /** 0: the database; else a session or transaction this connection opened. */
  scope: number;
  text?: string;
  params?: unknown[];
  data?: string | Uint8Array;
  /** end: commit (true) or roll back a transaction. */
  commit?: boolean;
  args?: string[];
  compression?: 'none' | 'gzip';
  protocol?: number;
}

export interface WireError {
  name: string;
  message: string;
  /** UserError's HTTP status, when it is one. */
  status?: number;
  /** PostgreSQL's fields (code, constraint, detail, …). */
  fields: Record<string, string | number | boolean>;
}

export type Response =
  | { id: number; ok: true; value?: unknown }
  | { id: number; ok: false; error: WireError }
  | { notice: Notice };

export function toWire(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: WireError['fields'] = {};
  for (const [k, v] of Object.entries(err)) {
    if (['string', 'number', 'boolean'].includes(typeof v)) fields[k] = v as string | number | boolean;
  }
  return {
    name: err.name,
    message: err.message,
    ...(err instanceof UserError ? { status: err.status } : {}),
    fields,
  };
}

export function fromWire(w: WireError): Error {
  const err = w.status !== undefined ? new UserError(w.message, w.status) : new Error(w.message);
  Object.assign(err, w.fields);
  err.name = w.name;
  return err;
}

export function send(socket: Socket, message: Request | Response): void {
  const body = serialize(message);
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length);
  socket.write(head);
  socket.write(body);
}

/** Calls onMessage for each complete frame that arrives on the socket (a large frame is joined once). */
export function onFrames<T>(socket: Socket, onMessage: (message: T) => void): void {
  let pending: Buffer[] = [];
  let size = 0;
  let need = -1; // length of the frame being received, once its head is in
  socket.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    size += chunk.length;
    while (true) {
      if (need < 0) {
        if (size < 4) return;
        need = (pending[0].length >= 4 ? pending[0] : Buffer.concat(pending, size)).readUInt32BE(0);
      }
      if (size < 4 + need) return;
      const buf = pending.length === 1 ? pending[0] : Buffer.concat(pending, size);
      const message = deserialize(buf.subarray(4, 4 + need)) as T;
      const rest = buf.subarray(4 + need);
      pending = rest.length ? [rest] : [];
      size = rest.length;
      need = -1;
      onMessage(message);
    }
  });
}
