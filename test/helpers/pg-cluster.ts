/**
 * Throwaway PostgreSQL clusters on 127.0.0.1 for tests: initdb + pg_ctl in a temp dir, a free port,
 * removed afterwards. initdb refuses to run as root, so as root it runs as the `postgres` OS user.
 *
 * When TimescaleDB is installed for these binaries the cluster preloads it, with background workers on
 * and enough worker slots for every test database's scheduler: the same kind of server users run.
 * `makePlainInstall` copies the binaries into a tree of their own without TimescaleDB's files, so the
 * plain-PostgreSQL path (extension not installed) stays tested on a machine that has the extension.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Cluster {
  url: string;
  port: number;
  dir: string;
  binDir: string;
  /** The TimescaleDB version available to CREATE EXTENSION (and preloaded), or null. */
  timescale: string | null;
  stop(): void;
}

export function findPgBin(): string | null {
  const candidates = [
    process.env.PG_BIN,
    '/usr/lib/postgresql/15/bin',
    '/usr/lib/postgresql/16/bin',
    '/usr/lib/postgresql/17/bin',
  ];
  for (const dir of candidates) if (dir && existsSync(path.join(dir, 'initdb'))) return dir;
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  return dir && existsSync(path.join(dir, 'initdb')) ? dir : null;
}

function pgConfig(binDir: string, flag: string): string {
  return execFileSync(path.join(binDir, 'pg_config'), [flag], { encoding: 'utf8' }).trim();
}

/** The TimescaleDB version whose control file these binaries' share directory holds, or null. */
export function installedTimescale(binDir: string, shareDir = pgConfig(binDir, '--sharedir')): string | null {
  const ext = path.join(shareDir, 'extension');
  if (!existsSync(path.join(ext, 'timescaledb.control'))) return null;
  const versions = readdirSync(ext)
    .map((f) => /^timescaledb--(\d+\.\d+\.\d+)\.sql$/.exec(f)?.[1])
    .filter((v): v is string => !!v)
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return versions.at(-1) ?? null;
}

const asRoot = process.getuid?.() === 0;
const postgresIds = () =>
  asRoot
    ? [
        Number(execFileSync('id', ['-u', 'postgres']).toString()),
        Number(execFileSync('id', ['-g', 'postgres']).toString()),
      ]
    : null;

export function runPg(binDir: string, cmd: string, args: string[]): void {
  const full = path.join(binDir, cmd);
  if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', full, ...args], { stdio: 'pipe' });
  else execFileSync(full, args, { stdio: 'pipe' });
}

export function chownTree(dir: string): void {
  const ids = postgresIds();
  if (ids) execFileSync('chown', ['-R', `${ids[0]}:${ids[1]}`, dir]);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A PostgreSQL install without TimescaleDB under `root`, laid out like Debian's so that the copied
 * binaries find their share and lib directories by relative path (PostgreSQL is relocatable).
 */
export function makePlainInstall(binDir: string): { binDir: string; shareDir: string; remove(): void } {
  // Its own temp dir, owned by the postgres user when we are root, so that user can reach the binaries.
  const root = mkdtempSync(path.join(os.tmpdir(), 'tm-pg-plain-'));
  const libDir = pgConfig(binDir, '--pkglibdir');
  const shareDir = pgConfig(binDir, '--sharedir');
  const binRel = path.relative('/', binDir);
  const newBin = path.join(root, binRel);
  const newLib = path.join(root, path.relative('/', libDir));
  const newShare = path.join(root, path.relative('/', shareDir));
  mkdirSync(newBin, { recursive: true });
  mkdirSync(newLib, { recursive: true });
  // Copies, not links: PostgreSQL resolves links to find its own directory.
  for (const exe of ['postgres', 'initdb', 'pg_ctl']) copyFileSync(path.join(binDir, exe), path.join(newBin, exe));
  execFileSync('chmod', ['755', ...['postgres', 'initdb', 'pg_ctl'].map((e) => path.join(newBin, e))]);
  for (const f of readdirSync(libDir)) {
    if (!f.startsWith('timescaledb')) symlinkSync(path.join(libDir, f), path.join(newLib, f));
  }
  cpSync(shareDir, newShare, { recursive: true, filter: (src) => !path.basename(src).startsWith('timescaledb') });
  chownTree(root);
  return { binDir: newBin, shareDir: newShare, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export interface ClusterOptions {
  /** The share directory the binaries use (for a plain install), to tell whether TimescaleDB is there. */
  shareDir?: string;
  /** Preload TimescaleDB when it is installed (default true); false gives "installed but not preloaded". */
  preload?: boolean;
  /** fsync, synchronous commit and full-page writes on, as on a production server (benchmarks); default off. */
  durable?: boolean;
}

export async function startCluster(binDir: string, opts: ClusterOptions = {}): Promise<Cluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tm-pg-'));
  chownTree(dir);
  const data = path.join(dir, 'data');
  runPg(binDir, 'initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const timescale = installedTimescale(binDir, opts.shareDir);
  const settings = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    ...(opts.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    '-c max_connections=200',
  ];
  if (timescale && opts.preload !== false) {
    // Every test database with the extension gets a scheduler: keep slots for many at once.
    settings.push(
      '-c shared_preload_libraries=timescaledb',
      '-c max_worker_processes=96',
      '-c timescaledb.max_background_workers=80',
      '-c timescaledb.telemetry_level=off',
    );
  }
  runPg(binDir, 'pg_ctl', [
    '-D',
    data,
    '-o',
    settings.join(' '),
    '-l',
    path.join(dir, 'log'),
    '-w',
    '-t',
    '60',
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    binDir,
    timescale,
    stop() {
      try {
        runPg(binDir, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
