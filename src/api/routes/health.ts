import type { FastifyInstance } from 'fastify';
import { databaseInfo, type DatabaseInfo } from '../../db/info.ts';
import type { Queryable } from '../../db/types.ts';
import { Migrator } from '../../db/migrate/migrator.ts';
import { isUndefinedTable } from '../../db/pg-errors.ts';
import { problem } from '../problem.ts';
import { syncHealth, type SyncHealth } from '../../sync/status.ts';
import { demoFeedStatus } from '../../demo/feed.ts';

/**
 * Public: backend, versions, schema revision. Not where the database is (host, user, data
 * directory) nor the driver's error text: `tm db info` and the server log say those.
 *
 * The check runs on the database's dedicated connection (Database.probe), so a busy pool does not
 * delay it, and requests arriving while one check is running share that check instead of queueing
 * their own behind it on that one connection. Each check is one round trip (SELECT 1). The versions,
 * schema revision and sync state change rarely: they are re-read in the background every 5 s through
 * the pool, never on a request's path (reading them took up to a quarter of a second under load).
 */
const INFO_MAX_AGE_MS = 5_000;

type Info = DatabaseInfo & { sync?: SyncHealth };

async function readInfo(app: FastifyInstance, migrator: Migrator, q: Queryable): Promise<Info> {
  const db = await databaseInfo(app.db, migrator, q);
  return { ...db, sync: db.migrations_pending ? undefined : await syncHealthIfPresent(q) };
}

/**
 * The sync tables are absent before the sync migration (migrations_pending says so; a database whose
 * revision tm does not know may lack them too): then there is no sync to report. Any other error is a
 * failed check: the refresh fails, is logged, and the first check answers 503.
 */
async function syncHealthIfPresent(q: Queryable): Promise<SyncHealth | undefined> {
  try {
    return await syncHealth(q);
  } catch (err) {
    if (isUndefinedTable(err)) return undefined;
    throw err;
  }
}

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const migrator = new Migrator(app.db);
  let known: { at: number; info: Info } | null = null;
  let refreshing: Promise<Info> | null = null;
  const refresh = (q: Queryable) => {
    refreshing ??= readInfo(app, migrator, q)
      .then((info) => {
        known = { at: Date.now(), info };
        return info;
      })
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  };
  const probe = async (): Promise<Info> => {
    const q = app.db.probe();
    // The first check reads everything on the dedicated connection: nothing is known yet.
    if (!known) return refresh(q);
    if (Date.now() - known.at >= INFO_MAX_AGE_MS) {
      refresh(app.db).catch((err: unknown) => app.log.warn({ err }, 'health: refreshing database info failed'));
    }
    await q.query('SELECT 1');
    return known.info;
  };
  let running: Promise<Info> | null = null;
  const check = () => {
    running ??= probe().finally(() => {
      running = null;
    });
    return running;
  };
  app.get('/health', async (req, reply) => {
    try {
      const { target: _target, sync, ...info } = await check();
      // Market data sync: a provider that keeps failing degrades the service (no error texts here).
      const failing = sync?.providers.filter((p) => p.failing > 0).map((p) => p.provider) ?? [];
      // Read replicas as the background check last saw them (no query here); a replica down or too far
      // behind degrades the service (the primary serves its reads). Not their URLs nor error texts.
      const replicas = (await app.db.replicas()).map(({ state, lag_seconds, checked_at }) => ({
        state,
        lag_seconds,
        checked_at,
      }));
      const replicaTrouble = replicas.some((r) => r.state === 'down' || r.state === 'lagging');
      return {
        status: info.migrations_pending || failing.length || replicaTrouble ? 'degraded' : 'ok',
        ...info,
        ...(sync ? { sync: { status: sync.status, failing_providers: failing } } : {}),
        ...(replicas.length ? { replicas } : {}),
        // The demo's simulated prices, while this process appends them (docs/assets-and-demo.md).
        ...(demoFeedStatus() ? { demo_feed: demoFeedStatus() } : {}),
      };
    } catch (err) {
      req.log.error({ err }, 'health check: database unavailable');
      return reply
        .status(503)
        .type('application/problem+json')
        .send(problem(503, 'database unavailable', { backend: app.db.backend }));
    }
  });
}
