/**
 * DATABASE_URL handling: libpq's sslmode semantics (node-postgres treats `require` as `verify-full`
 * since pg 8.x; managed services documented with `sslmode=require` expect encryption without a CA),
 * and printing a URL without its password.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';
import { UserError } from '../errors.ts';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

function parse(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError('DATABASE_URL is not a valid URL (expected postgres://user:password@host:5432/database)');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new UserError(`DATABASE_URL must start with postgres:// or postgresql://, got ${u.protocol}//`);
  }
  return u;
}

export function sslOptions(params: URLSearchParams): false | ConnectionOptions {
  const mode = (params.get('sslmode') ?? 'prefer') as SslMode;
  if (!SSL_MODES.includes(mode)) {
    throw new UserError(`sslmode=${mode} in DATABASE_URL is not one of ${SSL_MODES.join(', ')}`);
  }
  // node-postgres cannot fall back from TLS to plain like libpq's prefer/allow: those mean plain here.
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  const read = (key: string) => {
    const file = params.get(key);
    return file ? readFileSync(file, 'utf8') : undefined;
  };
  const ca = read('sslrootcert');
  const cert = read('sslcert');
  const key = read('sslkey');
  const files = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  // libpq: require with a root certificate behaves as verify-ca.
  if (mode === 'require' && !ca) return { ...files, rejectUnauthorized: false };
  if (mode === 'require' || mode === 'verify-ca') {
    return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  }
  return { ...files, rejectUnauthorized: true };
}

export function poolConfigFromUrl(url: string): pg.PoolConfig {
  const u = parse(url);
  const hostParam = u.searchParams.get('host'); // unix socket directory, as libpq allows
  return {
    host: hostParam ?? (decodeURIComponent(u.hostname) || 'localhost'),
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || undefined,
    password: decodeURIComponent(u.password) || undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
    ssl: sslOptions(u.searchParams),
    application_name: u.searchParams.get('application_name') ?? 'trading-manager',
    // Sessions in UTC from the first statement. A URL's own options= wins (PgBouncer users may need
    // options= empty, since it refuses unknown startup parameters).
    options: u.searchParams.get('options') ?? '-c TimeZone=UTC',
    connectionTimeoutMillis: Number(u.searchParams.get('connect_timeout') ?? 10) * 1000,
  };
}

/** The URL with the password replaced, for messages and `tm doctor`. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return '(invalid DATABASE_URL)';
  }
}

/** The same URL pointing at another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = parse(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}
