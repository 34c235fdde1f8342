/**
 * A real Patroni cluster for failover tests: one etcd and two Patroni-managed PostgreSQL 15 nodes
 * (TimescaleDB preloaded when installed) on 127.0.0.1, in a temp dir, with synchronous_mode on and
 * Patroni's loop short so a failover takes seconds. Debian's `patroni` (3.0) and `etcd-server` (3.4)
 * run it; `patroniSkip` says why tests skip without them. As root, Patroni (and so PostgreSQL) runs as
 * the `postgres` OS user.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { chownTree, findPgBin, freePort, installedTimescale } from './pg-cluster.ts';

const PATRONI = '/usr/bin/patroni';
const ETCD = '/usr/bin/etcd';

/** Why Patroni tests skip, or undefined when Patroni, etcd and PostgreSQL binaries are installed. */
export const patroniSkip: string | undefined = !existsSync(PATRONI)
  ? 'patroni is not installed (apt-get install patroni etcd-server; .ci/run does)'
  : !existsSync(ETCD)
    ? 'etcd is not installed (apt-get install etcd-server; .ci/run does)'
    : !findPgBin()
      ? 'no PostgreSQL binaries for Patroni'
      : undefined;

/** Patroni's timing (seconds): ttl and retry_timeout as low as its checks allow, a one-second loop. */
export const PATRONI_TIMING = { ttl: 10, loop_wait: 1, retry_timeout: 3 };

export interface PatroniNode {
  name: string;
  pgPort: number;
  restPort: number;
  dataDir: string;
}

export interface ClusterMember {
  name: string;
  role: string;
  state: string;
  port: number;
  lag?: number | string;
}

export interface PatroniCluster {
  nodes: PatroniNode[];
  /** postgres://postgres@127.0.0.1:p1,127.0.0.1:p2/postgres?target_session_attrs=read-write */
  url: string;
  /** The members as Patroni's REST API lists them. */
  members(): Promise<ClusterMember[]>;
  /** Waits until a leader runs and every other member streams from it; returns the leader. */
  healthy(timeoutMs?: number): Promise<PatroniNode>;
  /** The postmaster's pid of a node (its postmaster.pid). */
  postmasterPid(node: PatroniNode): number;
  /** The last lines of every log, for a failing test's message. */
  logs(): string;
  stop(): Promise<void>;
}

const runAs = (argv: string[]) => (process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...argv] : argv);

function start(argv: string[], outFile: string): ChildProcess {
  const [cmd, ...args] = runAs(argv);
  const out = openSync(outFile, 'a');
  // Its own process group, so stop() can end it with everything it started.
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  return child;
}

async function until<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(`${what} within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(100);
  }
}

export async function startPatroni(opts: { scope?: string } = {}): Promise<PatroniCluster> {
  const bin = findPgBin();
  if (!bin || patroniSkip) throw new Error(patroniSkip ?? 'no PostgreSQL binaries');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-patroni-'));
  const [etcdClient, etcdPeer] = [await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const etcdLog = path.join(dir, 'etcd.log');
  children.push(startEtcd(path.join(dir, 'etcd'), etcdClient, etcdPeer, etcdLog));
  await until('etcd answers', 20_000, async () => {
    const r = await fetch(`http://127.0.0.1:${etcdClient}/health`);
    return r.ok ? true : undefined;
  });
  const timescale = installedTimescale(bin);
  const nodes: PatroniNode[] = [];
  for (const name of ['pg1', 'pg2']) {
    const node = { name, pgPort: await freePort(), restPort: await freePort(), dataDir: path.join(dir, name, 'data') };
    mkdirSync(path.join(dir, name), { recursive: true });
    const config = nodeConfig(
      opts.scope ?? 'tm-test',
      node,
      path.join(dir, name),
      `127.0.0.1:${etcdClient}`,
      bin,
      !!timescale,
    );
    writeFileSync(path.join(dir, name, 'patroni.yml'), stringify(config));
    nodes.push(node);
  }
  chownTree(dir);
  // Both at once: the first to take the initialize key in etcd bootstraps, the other waits for a leader and
  // clones it (pg_basebackup).
  for (const n of nodes) children.push(startNode(dir, n));
  const rest = (n: PatroniNode, p: string) => fetch(`http://127.0.0.1:${n.restPort}${p}`);

  const members = async (): Promise<ClusterMember[]> => {
    for (const n of nodes) {
      try {
        const r = await rest(n, '/cluster');
        if (r.ok) return ((await r.json()) as { members: ClusterMember[] }).members;
      } catch {
        // this node's REST API is down: ask the other
      }
    }
    throw new Error('no Patroni REST API answers');
  };
  const logs = () =>
    [etcdLog, ...nodes.flatMap((n) => ['patroni.out', 'patroni.log'].map((f) => path.join(dir, n.name, f)))]
      .filter(existsSync)
      .map((f) => `== ${f}\n${readFileSync(f, 'utf8').split('\n').slice(-40).join('\n')}`)
      .join('\n');
  const cluster: PatroniCluster = {
    nodes,
    url: `postgres://postgres@${nodes.map((n) => `127.0.0.1:${n.pgPort}`).join(',')}/postgres?target_session_attrs=read-write`,
    members,
    async healthy(timeoutMs = 120_000) {
      const leader = await until('a leader and a streaming replica', timeoutMs, async () => {
        const ms = await members();
        const lead = ms.find((m) => m.role === 'leader' && m.state === 'running');
        const others = ms.filter((m) => m !== lead);
        const streaming =
          others.length === nodes.length - 1 &&
          others.every((m) => m.state === 'streaming' || (m.state === 'running' && m.role.includes('standby')));
        return lead && streaming ? lead : undefined;
      });
      return nodes.find((n) => n.name === leader.name) as PatroniNode;
    },
    postmasterPid: (node) => Number(readFileSync(path.join(node.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]),
    logs,
    async stop() {
      for (const c of children.slice(1)) signalGroup(c, 'SIGTERM');
      // Patroni stops its PostgreSQL on SIGTERM; wait for that before etcd goes.
      await Promise.all(children.slice(1).map((c) => exited(c, 20_000)));
      for (const n of nodes) killPostmaster(n);
      // etcd's data is thrown away: no need for a clean stop.
      for (const c of children) signalGroup(c, 'SIGKILL');
      await exited(children[0], 10_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;

  function startNode(root: string, n: PatroniNode): ChildProcess {
    return start([PATRONI, path.join(root, n.name, 'patroni.yml')], path.join(root, n.name, 'patroni.out'));
  }
}

function startEtcd(data: string, client: number, peer: number, log: string): ChildProcess {
  const c = `http://127.0.0.1:${client}`;
  const p = `http://127.0.0.1:${peer}`;
  const child = spawn(
    ETCD,
    [
      '--name=tm',
      `--data-dir=${data}`,
      `--listen-client-urls=${c}`,
      `--advertise-client-urls=${c}`,
      `--listen-peer-urls=${p}`,
      `--initial-advertise-peer-urls=${p}`,
      `--initial-cluster=tm=${p}`,
      `--log-outputs=${log}`,
      '--logger=zap',
    ],
    { detached: true, stdio: 'ignore' },
  );
  return child;
}

function nodeConfig(
  scope: string,
  n: PatroniNode,
  home: string,
  etcd: string,
  bin: string,
  timescale: boolean,
): Record<string, unknown> {
  return {
    scope,
    name: n.name,
    log: { dir: home, level: 'INFO', file_num: 1 },
    restapi: { listen: `127.0.0.1:${n.restPort}`, connect_address: `127.0.0.1:${n.restPort}` },
    etcd3: { hosts: etcd },
    bootstrap: {
      dcs: {
        ...PATRONI_TIMING,
        // A crashed leader is failed over at once rather than restarted in place first.
        primary_start_timeout: 0,
        synchronous_mode: true,
        maximum_lag_on_failover: 1_048_576,
        postgresql: { use_pg_rewind: true, use_slots: true },
      },
      // Throwaway data: no fsync anywhere (a SIGKILLed postmaster loses no page cache, so acknowledged
      // commits are still tested), and the clone starts from an immediate checkpoint.
      initdb: [{ encoding: 'UTF8' }, { locale: 'C' }, 'no-sync'],
      pg_hba: [
        'host replication replicator 127.0.0.1/32 trust',
        'host all all 127.0.0.1/32 trust',
        'local all all trust',
      ],
    },
    postgresql: {
      listen: `127.0.0.1:${n.pgPort}`,
      connect_address: `127.0.0.1:${n.pgPort}`,
      data_dir: n.dataDir,
      bin_dir: bin,
      pgpass: path.join(home, 'pgpass'),
      basebackup: [{ checkpoint: 'fast' }, 'no-sync'],
      authentication: {
        superuser: { username: 'postgres', password: 'postgres' },
        replication: { username: 'replicator', password: 'replicator' },
      },
      parameters: {
        unix_socket_directories: home,
        fsync: 'off',
        max_connections: 100,
        ...(timescale
          ? {
              shared_preload_libraries: 'timescaledb',
              'timescaledb.telemetry_level': 'off',
              max_worker_processes: 16,
              'timescaledb.max_background_workers': 8,
            }
          : {}),
      },
    },
  };
}

function signalGroup(c: ChildProcess, signal: NodeJS.Signals): void {
  if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
  try {
    process.kill(-c.pid, signal);
  } catch {
    // already gone
  }
}

function exited(c: ChildProcess, timeoutMs: number): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, timeoutMs);
    c.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** A postmaster Patroni left behind (it detaches them): stopped by its pid file. */
function killPostmaster(n: PatroniNode): void {
  const pidFile = path.join(n.dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    // not running
  }
}
