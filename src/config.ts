/** Settings from the environment, read in one place. */
import { type CandleTimeLimits, candleTimeLimits } from './candle-time.ts';

export interface AuthConfig {
  /** HMAC key for access tokens; unset = one generated and kept in app_meta (see docs/security.md). */
  jwtSecret?: string;
  /** Lifetime of an access token, seconds. */
  accessTokenTtl: number;
  /** Lifetime of a refresh token, seconds. */
  refreshTokenTtl: number;
  /** Seconds after a rotation in which the old refresh token gets a 409 (a parallel request), not reuse detection. */
  refreshGraceSeconds: number;
  /** Login attempts per client IP, and failed attempts per username, allowed per window. */
  loginMaxPerIp: number;
  loginMaxPerUser: number;
  loginWindowSeconds: number;
}

export interface Config {
  databaseUrl?: string;
  /** Read replicas (DATABASE_READ_URL, comma-separated): reads that tolerate lag go there (docs/replicas-and-pooling.md). */
  databaseReadUrls: string[];
  /** The primary without a pooler in between (DATABASE_DIRECT_URL): what needs a session goes there. */
  databaseDirectUrl?: string;
  /** Seconds a replica may lag before reads go back to the primary (TM_MAX_REPLICA_LAG). */
  maxReplicaLagSeconds: number;
  dataDir: string;
  host: string;
  port: number;
  demo: boolean;
  auth: AuthConfig;
  /** Origins allowed by CORS; empty = CORS off (no CORS headers at all). */
  corsOrigins: string[];
  /** Fastify's trustProxy: true, or the proxies' addresses/CIDRs; unset = X-Forwarded-For ignored. */
  trustProxy?: boolean | string[];
  /** Requests per client IP and minute on the public routes that cost the most (docs/security.md). */
  limits: {
    backtestsPerMinute: number;
    statsPerMinute: number;
    /** Bars a backtest or sweep over HTTP may read (TM_BACKTEST_MAX_BARS). */
    backtestMaxBars: number;
    /** Bars × combinations a sweep over HTTP may run (TM_SWEEP_MAX_WORK). */
    sweepMaxWork: number;
  };
  /** Where rate-limit counts live (TM_RATE_LIMIT_STORE); unset = the database on a server, memory embedded. */
  rateLimitStore?: 'memory' | 'database';
  /** How often /api/events reads new candles, signals and alerts while a stream is open (ms). */
  eventsPollMs?: number;
  /** The times imported candles may carry (TM_MIN_CANDLE_TIME, TM_MAX_CANDLE_AHEAD_SECONDS). */
  candleTime: CandleTimeLimits;
}

function trustProxy(raw: string | undefined): boolean | string[] | undefined {
  if (!raw) return undefined;
  if (raw === 'true' || raw === '1') return true;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

function storeKind(raw: string | undefined): 'memory' | 'database' | undefined {
  if (!raw) return undefined;
  if (raw === 'memory' || raw === 'database') return raw;
  throw new Error(`TM_RATE_LIMIT_STORE must be "memory" or "database", got "${raw}"`);
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

/** Comma-separated URLs; a comma splits only before a new postgres:// (a URL's own text may hold commas). */
function urlList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(/,(?=\s*postgres(?:ql)?:\/\/)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  }
  const jwtSecret = env.TM_JWT_SECRET || undefined;
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < 32) {
    throw new Error('TM_JWT_SECRET must be at least 32 bytes (e.g. `openssl rand -base64 48`)');
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  const databaseReadUrls = urlList(env.DATABASE_READ_URL);
  const databaseDirectUrl = env.DATABASE_DIRECT_URL || undefined;
  if (!databaseUrl && (databaseReadUrls.length > 0 || databaseDirectUrl)) {
    throw new Error(
      `${databaseReadUrls.length > 0 ? 'DATABASE_READ_URL' : 'DATABASE_DIRECT_URL'} is set but DATABASE_URL is not: replicas and a direct URL are for a server (the embedded database has neither)`,
    );
  }
  return {
    databaseUrl,
    databaseReadUrls,
    databaseDirectUrl,
    maxReplicaLagSeconds: positiveNumber(env, 'TM_MAX_REPLICA_LAG', 30),
    dataDir: env.TM_DATA_DIR || './data',
    host: env.HOST || '127.0.0.1',
    port,
    demo: env.TM_DEMO !== '0' && env.TM_DEMO !== 'false',
    auth: {
      jwtSecret,
      accessTokenTtl: positiveInt(env, 'TM_ACCESS_TOKEN_TTL', 15 * 60),
      refreshTokenTtl: positiveInt(env, 'TM_REFRESH_TOKEN_TTL', 30 * 24 * 3600),
      refreshGraceSeconds: positiveInt(env, 'TM_REFRESH_GRACE_SECONDS', 10),
      loginMaxPerIp: positiveInt(env, 'TM_LOGIN_MAX_PER_IP', 30),
      loginMaxPerUser: positiveInt(env, 'TM_LOGIN_MAX_PER_USER', 5),
      loginWindowSeconds: positiveInt(env, 'TM_LOGIN_WINDOW_SECONDS', 15 * 60),
    },
    trustProxy: trustProxy(env.TM_TRUST_PROXY),
    limits: {
      backtestsPerMinute: positiveInt(env, 'TM_BACKTESTS_PER_MINUTE', 10),
      statsPerMinute: positiveInt(env, 'TM_STATS_PER_MINUTE', 60),
      backtestMaxBars: positiveInt(env, 'TM_BACKTEST_MAX_BARS', 1_000_000),
      sweepMaxWork: positiveInt(env, 'TM_SWEEP_MAX_WORK', 20_000_000),
    },
    rateLimitStore: storeKind(env.TM_RATE_LIMIT_STORE),
    eventsPollMs: positiveInt(env, 'TM_EVENTS_POLL_MS', 1000),
    candleTime: candleTimeLimits(env),
    corsOrigins: (env.TM_CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}
