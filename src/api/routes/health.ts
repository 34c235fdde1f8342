import type { FastifyInstance } from 'fastify';
import { databaseInfo, type DatabaseInfo } from '../../db/info.ts';
import { Migrator } from '../../db/migrate/migrator.ts';

/**
 * Public: backend, versions, schema revision. Not where the database is (host, user, data
 * directory) nor the driver's error text: `tm db info` and the server log say those.
 *
 * The check runs on the database's dedicated connection (Database.probe), so a busy pool does not
 * delay it, and requests arriving while one check is running share that check instead of queueing
 * their own behind it on that one connection. Migration files are read once, not per request, and
 * the versions and schema revision are re-read every 5 s (a ping in between).
 */
const INFO_MAX_AGE_MS = 5_000;

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const migrator = new Migrator(app.db);
  // Versions and schema revision change only with an upgrade or a migration: read them at most every
  // INFO_MAX_AGE_MS; in between one round trip (SELECT 1) proves the database answers.
  let known: { at: number; info: DatabaseInfo } | null = null;
  const probe = async (): Promise<DatabaseInfo> => {
    const q = app.db.probe();
    if (known && Date.now() - known.at < INFO_MAX_AGE_MS) {
      await q.query('SELECT 1');
      return known.info;
    }
    const info = await databaseInfo(app.db, migrator, q);
    known = { at: Date.now(), info };
    return info;
  };
  let running: Promise<DatabaseInfo> | null = null;
  const check = () => {
    running ??= probe().finally(() => {
      running = null;
    });
    return running;
  };
  app.get('/health', async (req, reply) => {
    try {
      const { target: _target, ...info } = await check();
      return { status: info.migrations_pending ? 'degraded' : 'ok', ...info };
    } catch (err) {
      req.log.error({ err }, 'health check: database unavailable');
      return reply.status(503).send({ status: 'unavailable', backend: app.db.backend, error: 'database unavailable' });
    }
  });
}
