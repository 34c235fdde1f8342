/**
 * Where rate-limit counts live. One process (embedded, or a single tm serve): in its memory. Several
 * processes on one server database (`tm serve --workers N`, or several hosts): in rate_limit_hits
 * (revision 0009), so a limit applies to the combined count: one upsert per counted request, a fixed
 * window per key from its first hit, timed by the database clock so every process agrees on it.
 */
import type { FastifyRateLimitOptions, FastifyRateLimitStore } from '@fastify/rate-limit';
import type { Database, Queryable } from '../db/types.ts';
import { FixedWindowLimiter, type Hit } from './rate-limit.ts';

/** A limit of `max` per window on one kind of key (login attempts per IP, ...). */
export interface Limiter {
  /** Counts an attempt; `allowed` is false once the key has used up its window. */
  hit(key: string): Promise<Hit>;
  /** Whether another attempt is allowed now, without counting one. */
  check(key: string): Promise<Hit>;
  reset(key: string): Promise<void>;
}

export type RateLimitStoreKind = 'memory' | 'database';

export interface RateLimits {
  readonly kind: RateLimitStoreKind;
  /** A limiter whose keys are kept apart from every other limiter's by `name`. */
  limiter(name: string, max: number, windowMs: number): Limiter;
  /** The store for @fastify/rate-limit's per-route limits (undefined: its own in-memory store). */
  readonly fastifyStore?: new (
    options: FastifyRateLimitOptions,
  ) => FastifyRateLimitStore;
}

const retryAfter = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs / 1000));

export function memoryRateLimits(): RateLimits {
  return {
    kind: 'memory',
    limiter(_name, max, windowMs) {
      const l = new FixedWindowLimiter(max, windowMs);
      return { hit: async (k) => l.hit(k), check: async (k) => l.check(k), reset: async (k) => l.reset(k) };
    },
  };
}

/** Counts one hit on `key` (a new window when the last one ended); returns its count and the ms left in it. */
export async function countHit(q: Queryable, key: string, windowMs: number): Promise<{ hits: number; ttlMs: number }> {
  const r = await q.query<{ hits: number; ttl_ms: number }>(
    `INSERT INTO rate_limit_hits AS h (key, expires_at, hits)
     VALUES ($1, now() + make_interval(secs => $2::float8 / 1000), 1)
     ON CONFLICT (key) DO UPDATE
       SET hits = CASE WHEN h.expires_at <= now() THEN 1 ELSE h.hits + 1 END,
           expires_at = CASE WHEN h.expires_at <= now() THEN EXCLUDED.expires_at ELSE h.expires_at END
     RETURNING hits, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS ttl_ms`,
    [key, windowMs],
  );
  return { hits: r.rows[0].hits, ttlMs: Number(r.rows[0].ttl_ms) };
}

async function readHits(q: Queryable, key: string, windowMs: number): Promise<{ hits: number; ttlMs: number }> {
  const r = await q.query<{ hits: number; ttl_ms: number }>(
    `SELECT hits, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS ttl_ms
     FROM rate_limit_hits WHERE key = $1 AND expires_at > now()`,
    [key],
  );
  const row = r.rows[0];
  return row ? { hits: row.hits, ttlMs: Number(row.ttl_ms) } : { hits: 0, ttlMs: windowMs };
}

const SWEEP_EVERY_MS = 60_000;

export function databaseRateLimits(db: Queryable): RateLimits {
  let sweptAt = Date.now();
  // Finished windows are deleted now and then by whichever process counts a hit (no job needed).
  const sweep = () => {
    if (Date.now() - sweptAt < SWEEP_EVERY_MS) return;
    sweptAt = Date.now();
    db.query(`DELETE FROM rate_limit_hits WHERE expires_at < now()`).catch(() => undefined);
  };
  const incr = async (key: string, windowMs: number) => {
    const r = await countHit(db, key, windowMs);
    sweep();
    return r;
  };
  class DatabaseStore implements FastifyRateLimitStore {
    constructor(
      _options: FastifyRateLimitOptions,
      private readonly prefix = 'route:',
    ) {}
    incr(key: string, cb: (err: Error | null, res?: { current: number; ttl: number }) => void, timeWindow: number) {
      incr(this.prefix + key, timeWindow).then(
        (r) => cb(null, { current: r.hits, ttl: r.ttlMs }),
        (err: Error) => cb(err),
      );
    }
    child(route: FastifyRateLimitOptions & { routeInfo?: { method?: string | string[]; url?: string } }) {
      return new DatabaseStore(route, `${this.prefix}${route.routeInfo?.method}${route.routeInfo?.url}-`);
    }
  }
  return {
    kind: 'database',
    fastifyStore: DatabaseStore,
    limiter(name, max, windowMs) {
      const k = (key: string) => `${name}:${key}`;
      return {
        async hit(key) {
          const r = await incr(k(key), windowMs);
          return { allowed: r.hits <= max, retryAfter: retryAfter(r.ttlMs) };
        },
        async check(key) {
          const r = await readHits(db, k(key), windowMs);
          return { allowed: r.hits < max, retryAfter: retryAfter(r.ttlMs) };
        },
        async reset(key) {
          await db.query(`DELETE FROM rate_limit_hits WHERE key = $1`, [k(key)]);
        },
      };
    },
  };
}

/** Database-backed on a server (other processes may share it), in memory on the embedded database. */
export function rateLimitsFor(
  db: Database,
  kind: RateLimitStoreKind | undefined = db.backend === 'server' ? 'database' : 'memory',
): RateLimits {
  return kind === 'database' ? databaseRateLimits(db) : memoryRateLimits();
}
