/**
 * Debian's pgbouncer in transaction pooling mode in front of a test cluster, on loopback, with a small
 * server pool so that consecutive transactions of one client land on different server connections
 * (session state would be lost, as it is in production). The test clusters trust loopback, so
 * pgbouncer trusts its users too (auth_type trust still needs them in the auth_file).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chownTree, freePort } from './pg-cluster.ts';

export interface Bouncer {
  /** postgres://postgres@127.0.0.1:PORT/postgres through pgbouncer; withDatabase() for another database. */
  url: string;
  port: number;
  stop(): void;
}

const BIN = '/usr/sbin/pgbouncer';

/** Why pgbouncer tests skip, or undefined when Debian's pgbouncer is installed. */
export const pgbouncerSkip: string | undefined = existsSync(BIN)
  ? undefined
  : 'pgbouncer is not installed (apt-get install pgbouncer; .ci/run does)';

export async function startPgbouncer(serverUrl: string, opts: { poolSize?: number } = {}): Promise<Bouncer> {
  const server = new URL(serverUrl);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-pgbouncer-'));
  const port = await freePort();
  writeFileSync(path.join(dir, 'userlist.txt'), `"${decodeURIComponent(server.username) || 'postgres'}" ""\n`);
  writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${opts.poolSize ?? 3}`,
      'max_client_conn = 500',
      // pgbouncer 1.18 refuses the startup option tm sends (-c TimeZone=UTC): the database's own
      // timezone setting stands in for it (docs/replicas-and-pooling.md).
      'ignore_startup_parameters = options',
      `logfile = ${path.join(dir, 'log')}`,
      `pidfile = ${path.join(dir, 'pid')}`,
      '',
    ].join('\n'),
  );
  chownTree(dir);
  // pgbouncer refuses to run as root; -d: a daemon that writes its pidfile once it listens.
  const args = ['-d', path.join(dir, 'pgbouncer.ini')];
  const r =
    process.getuid?.() === 0
      ? spawnSync('runuser', ['-u', 'postgres', '--', BIN, ...args], { encoding: 'utf8' })
      : spawnSync(BIN, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pgbouncer did not start: ${r.stderr}${readLog(dir)}`);
  await waitForPort(port, dir);
  return {
    url: `postgres://${server.username || 'postgres'}@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      try {
        const pid = Number(readFileSync(path.join(dir, 'pid'), 'utf8').trim());
        if (pid) process.kill(pid, 'SIGTERM');
        // Its files go once it has let go of them.
        for (let i = 0; i < 50 && alive(pid); i++) execFileSync('sleep', ['0.1']);
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readLog(dir: string): string {
  const f = path.join(dir, 'log');
  return existsSync(f) ? `\n${readFileSync(f, 'utf8').slice(-2000)}` : '';
}

async function waitForPort(port: number, dir: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`pgbouncer is not listening on ${port}${readLog(dir)}`);
}
