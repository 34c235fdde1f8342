/**
 * A real streaming replica of a test cluster: pg_basebackup -R (TimescaleDB's files included) into a
 * temp dir, started as a hot standby on its own loopback port, removed by stop(). Costs seconds: share
 * one per test file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openServer } from '../../src/db/server.ts';
import { withDatabase } from '../../src/db/url.ts';
import { chownTree, findPgBin, freePort, runPg } from './pg-cluster.ts';

export interface Replica {
  /** postgres://…/postgres on the replica; withDatabase() gives another database on it. */
  url: string;
  port: number;
  /** Stops the server (immediate: as a crash or a lost machine would) and keeps its files. */
  kill(): void;
  /** Stops it and removes its files. */
  stop(): void;
}

// Settings a hot standby must have at least as high as its primary's, and TimescaleDB's preload.
const COPIED = [
  'max_connections',
  'max_worker_processes',
  'max_wal_senders',
  'max_prepared_transactions',
  'max_locks_per_transaction',
  'shared_preload_libraries',
  'timescaledb.max_background_workers',
];

export async function startReplica(primaryUrl: string): Promise<Replica> {
  const bin = findPgBin();
  if (!bin) throw new Error('no PostgreSQL binaries for a replica');
  const admin = await openServer(primaryUrl, { max: 1 });
  let settings: string[];
  try {
    const r = await admin.query<{ name: string; setting: string }>(
      'SELECT name, setting FROM pg_settings WHERE name = ANY($1)',
      [COPIED],
    );
    settings = r.rows.filter((x) => x.setting !== '').map((x) => `-c ${x.name}=${x.setting}`);
  } finally {
    await admin.close();
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-pg-replica-'));
  chownTree(dir);
  const data = path.join(dir, 'data');
  // -R writes standby.signal and primary_conninfo; -X stream brings the WAL of the copy along.
  runPg(bin, 'pg_basebackup', ['-D', data, '-R', '-X', 'stream', '-c', 'fast', '--no-sync', '-d', primaryUrl]);
  const port = await freePort();
  const opts = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c hot_standby=on',
    '-c timescaledb.telemetry_level=off',
    ...settings,
  ];
  const ctl = (args: string[]) => runPg(bin, 'pg_ctl', ['-D', data, ...args]);
  ctl(['-o', opts.join(' '), '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  const kill = () => {
    try {
      ctl(['-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    kill,
    stop() {
      kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The same database's URL on the replica. */
export const onReplica = (replica: Replica, database: string) => withDatabase(replica.url, database);

/** Waits until the replica has replayed everything the primary has written so far. */
export async function caughtUp(primaryUrl: string, replicaUrl: string, timeoutMs = 20_000): Promise<void> {
  const p = await openServer(primaryUrl, { max: 1 });
  const r = await openServer(replicaUrl, { max: 1 });
  try {
    // The insert position, not the write one: with synchronous_commit off (the test clusters), the last
    // commit record may still sit in the WAL buffers, before pg_current_wal_lsn().
    const target = (await p.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0].lsn;
    const until = Date.now() + timeoutMs;
    for (;;) {
      const ok = await r.query<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [target]);
      if (ok.rows[0].ok) return;
      if (Date.now() > until) throw new Error(`replica did not reach ${target} within ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 50));
    }
  } finally {
    await p.close();
    await r.close();
  }
}
