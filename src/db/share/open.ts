/**
 * Opens an embedded data directory: directly when it is free, through tm serve's socket when a
 * live tm serve holds it (waiting while it starts), else the lock's refusal naming the holder.
 */
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../errors.ts';
import { DataDirBusyError } from '../datadir-lock.ts';
import { openEmbedded, type EmbeddedDatabase } from '../pglite.ts';
import type { WasmWorkload } from '../wasm-tiering.ts';
import { connectShared } from './proxy.ts';

export interface SharedOpenOptions {
  /** The command needs the directory to itself (restore, downgrade, tm serve): never through tm serve. */
  exclusive?: boolean;
  /** This process is tm serve. */
  serve?: boolean;
  /** Told once when waiting for tm serve to finish starting. */
  log?: (line: string) => void;
  /** When the database is opened here: what the process will do with it (see wasm-tiering.ts). */
  workload?: WasmWorkload;
}

const START_WAIT_MS = 120_000;

export async function openEmbeddedOrShared(dataDir: string, opts: SharedOpenOptions = {}): Promise<EmbeddedDatabase> {
  if (opts.exclusive || dataDir.startsWith('memory://'))
    return openEmbedded({ dataDir, serve: opts.serve, workload: opts.workload });
  const dir = path.resolve(dataDir);
  const deadline = Date.now() + START_WAIT_MS;
  let told = false;
  while (true) {
    try {
      return await openEmbedded({ dataDir: dir, workload: opts.workload });
    } catch (err) {
      const h = err instanceof DataDirBusyError ? err.holder : null;
      if (!h?.serve || h.hostname !== os.hostname()) throw err;
      if (h.socket) {
        try {
          return await connectShared(dir, h.socket, h.pid);
        } catch (e) {
          // Stopping, or the socket is not there yet: look at the lock again.
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EACCES') {
            throw new UserError(
              `the embedded database in ${dir} is served by tm serve (pid ${h.pid}) of another user: its socket ${h.socket} is not yours`,
            );
          }
          if (code !== 'ECONNREFUSED' && code !== 'ENOENT') throw e;
        }
      } else if (!told) {
        opts.log?.(`waiting for tm serve (pid ${h.pid}) to finish starting…`);
        told = true;
      }
      if (Date.now() > deadline) {
        throw new UserError(
          `tm serve (pid ${h.pid}) holds the embedded database in ${dir} but does not answer on ${h.socket ?? 'its socket'}; ` +
            'stop it and start it again',
        );
      }
      await sleep(200);
    }
  }
}
