import type { FastifyInstance } from 'fastify';
import { databaseInfo } from '../../db/info.ts';
import { Migrator } from '../../db/migrate/migrator.ts';

/**
 * Public: backend, versions, schema revision. Not where the database is (host, user, data
 * directory) nor the driver's error text: `tm db info` and the server log say those.
 */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  // Migration files are read once, not per request; queries go to the dedicated connection, so a
  // busy pool (a load of imports and reads) does not make /health slow.
  const migrator = new Migrator(app.db);
  app.get('/health', async (req, reply) => {
    try {
      const { target: _target, ...info } = await databaseInfo(app.db, migrator, app.db.probe());
      return { status: info.migrations_pending ? 'degraded' : 'ok', ...info };
    } catch (err) {
      req.log.error({ err }, 'health check: database unavailable');
      return reply.status(503).send({ status: 'unavailable', backend: app.db.backend, error: 'database unavailable' });
    }
  });
}
