/**
 * DATABASE_URL handling: libpq's sslmode semantics (node-postgres treats `require` as `verify-full`
 * since pg 8.x; managed services documented with `sslmode=require` expect encryption without a CA),
 * printing a URL without its password, and libpq's multi-host URLs (`h1:p1,h2:p2` with
 * target_session_attrs), which server.ts follows.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';
import { UserError } from '../errors.ts';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** A URL's parts with several hosts (libpq's `postgres://h1:p1,h2:p2/db`), which WHATWG URL cannot hold. */
const AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/)([^@/?#]*@)?([^/?#]*)(.*)$/is;

/** The URL with its host list replaced by the first host, so `new URL` can read the rest. */
function splitHosts(url: string): { single: string; hostList: string } {
  const m = AUTHORITY.exec(url);
  if (!m) return { single: url, hostList: '' };
  if (m[3] && !m[3].includes(',')) return { single: url, hostList: m[3] };
  // No host (libpq allows it with ?host=): a placeholder keeps the user and password readable.
  return { single: `${m[1]}${m[2] ?? ''}${m[3].split(',')[0] || 'localhost'}${m[4]}`, hostList: m[3] };
}

function parse(url: string): URL {
  let u: URL;
  try {
    u = new URL(splitHosts(url).single);
  } catch {
    throw new UserError('DATABASE_URL is not a valid URL (expected postgres://user:password@host:5432/database)');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new UserError(`DATABASE_URL must start with postgres:// or postgresql://, got ${u.protocol}//`);
  }
  return u;
}

export interface HostPort {
  host: string;
  port: number;
}

export const SESSION_ATTRS = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'] as const;
export type SessionAttrs = (typeof SESSION_ATTRS)[number];

export interface Targets {
  /** The servers to try, in order (libpq: hosts in the authority, or the host= and port= lists). */
  hosts: HostPort[];
  /** libpq's target_session_attrs: which kind of server a connection must reach (default any). */
  sessionAttrs: SessionAttrs;
}

function portNumber(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535)
    throw new UserError(`port ${text} in DATABASE_URL is not a port number`);
  return n;
}

/**
 * The hosts a URL names and the kind of session it wants, as libpq reads them: `h1:p1,h2:p2` in the
 * authority (a host without a port gets 5432), or `?host=h1,h2&port=p1,p2` (one port for all, or one
 * each; a host starting with / is a socket directory).
 */
export function targetsFromUrl(url: string): Targets {
  const u = parse(url);
  const attrs = (u.searchParams.get('target_session_attrs') ?? 'any') as SessionAttrs;
  if (!SESSION_ATTRS.includes(attrs)) {
    throw new UserError(`target_session_attrs=${attrs} in DATABASE_URL is not one of ${SESSION_ATTRS.join(', ')}`);
  }
  const hostParam = u.searchParams.get('host');
  if (hostParam !== null) {
    const names = hostParam.split(',');
    const ports = (u.searchParams.get('port') ?? (u.port || '5432')).split(',');
    if (ports.length !== 1 && ports.length !== names.length) {
      throw new UserError(`DATABASE_URL names ${names.length} hosts but ${ports.length} ports`);
    }
    const hosts = names.map((h, i) => ({
      host: h || 'localhost',
      port: portNumber(ports[ports.length === 1 ? 0 : i]),
    }));
    return { hosts, sessionAttrs: attrs };
  }
  const list = splitHosts(url).hostList;
  const hosts = list.split(',').map((part) => {
    const m = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(part);
    if (!m) throw new UserError(`host ${part} in DATABASE_URL is not host or host:port`);
    const host = decodeURIComponent(m[1].replace(/^\[(.*)\]$/, '$1')) || 'localhost';
    return { host, port: m[2] ? portNumber(m[2]) : 5432 };
  });
  return { hosts, sessionAttrs: attrs };
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
  // The first host; server.ts tries the others (a host starting with / is a socket directory, as in libpq).
  const first = targetsFromUrl(url).hosts[0];
  return {
    host: first.host,
    port: first.port,
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
    const { single, hostList } = splitHosts(url);
    const u = new URL(single);
    if (u.password) u.password = '****';
    return hostList.includes(',') ? withHostList(u.toString(), hostList) : u.toString();
  } catch {
    return '(invalid DATABASE_URL)';
  }
}

/** Puts a host list back into a URL that `new URL` wrote with the first host only. */
function withHostList(url: string, hostList: string): string {
  const m = AUTHORITY.exec(url);
  return m ? `${m[1]}${m[2] ?? ''}${hostList}${m[4]}` : url;
}

/** The same URL pointing at another database on the same server (or servers). */
export function withDatabase(url: string, database: string): string {
  const u = parse(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  const { hostList } = splitHosts(url);
  return hostList.includes(',') ? withHostList(u.toString(), hostList) : u.toString();
}
