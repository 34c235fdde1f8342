/**
 * pg_dump, pg_restore and pg_basebackup for server backups: found on PATH, PG_BIN or Debian's
 * /usr/lib/postgresql/N/bin, of a major version at least the server's (older ones refuse newer
 * servers). Credentials travel in the environment, never on the command line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.ts';
import type { Queryable } from '../types.ts';
import { poolConfigFromUrl } from '../url.ts';

export type PgTool = 'pg_dump' | 'pg_restore' | 'pg_basebackup' | 'psql';

function majorOf(bin: string): number | null {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  const m = r.status === 0 ? /(\d+)(?:\.\d+)?/.exec(r.stdout.replace(/^[^)]*\)/, '')) : null;
  return m ? Number(m[1]) : null;
}

function candidates(tool: PgTool): string[] {
  const out: string[] = [];
  if (process.env.PG_BIN) out.push(path.join(process.env.PG_BIN, tool));
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a)))
      out.push(path.join(debian, v, 'bin', tool));
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) out.push(path.join(dir, tool));
  return out.filter((p, i) => out.indexOf(p) === i && existsSync(p));
}

/** The server's major version (15 for 15.18), which the tools must reach. */
export async function serverMajor(q: Queryable): Promise<number> {
  const r = await q.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
  return Math.floor(Number(r.rows[0].v) / 10000);
}

/** The newest installed tool, refusing one older than the server's major version. */
export function findTool(tool: PgTool, serverMajor: number): string {
  const found = candidates(tool)
    .map((bin) => ({ bin, major: majorOf(bin) }))
    .filter((c): c is { bin: string; major: number } => c.major !== null)
    .sort((a, b) => b.major - a.major);
  if (found.length === 0) {
    throw new UserError(
      `${tool} is not installed. Fix: install the PostgreSQL client tools (Debian/Ubuntu: apt-get install postgresql-client-${serverMajor}; macOS: brew install libpq), or set PG_BIN`,
    );
  }
  if (found[0].major < serverMajor) {
    throw new UserError(
      `${tool} ${found[0].major} (${found[0].bin}) is older than the server (PostgreSQL ${serverMajor}) and would refuse it. Fix: install postgresql-client-${serverMajor} or newer, or set PG_BIN`,
    );
  }
  return found[0].bin;
}

/** libpq environment for a DATABASE_URL, so no password shows in `ps`. */
export function libpqEnv(url: string): NodeJS.ProcessEnv {
  const c = poolConfigFromUrl(url);
  const u = new URL(url);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGHOST: String(c.host),
    PGPORT: String(c.port),
    PGAPPNAME: 'trading-manager',
  };
  if (c.user) env.PGUSER = c.user;
  if (c.password) env.PGPASSWORD = String(c.password);
  if (c.database) env.PGDATABASE = c.database;
  for (const [param, name] of [
    ['sslmode', 'PGSSLMODE'],
    ['sslrootcert', 'PGSSLROOTCERT'],
    ['sslcert', 'PGSSLCERT'],
    ['sslkey', 'PGSSLKEY'],
  ] as const) {
    const v = u.searchParams.get(param);
    if (v) env[name] = v;
  }
  return env;
}

export interface RunResult {
  code: number;
  stderr: string;
}

/** Runs a tool; stderr is kept (the last 64 KiB) for error messages. */
export function runTool(
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onStderr?: (line: string) => void,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-65536);
      if (onStderr) for (const line of d.split('\n')) if (line.trim()) onStderr(line);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}
