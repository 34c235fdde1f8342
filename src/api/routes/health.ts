import type { FastifyInstance } from 'fastify';
import { databaseInfo } from '../../db/info.ts';
import { syncHealth } from '../../sync/status.ts';

/**
 * Public: backend, versions, schema revision. Not where the database is (host, user, data
 * directory) nor the driver's error text: `tm db info` and the server log say those.
 */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health', async (req, reply) => {
    try {
      const { target: _target, ...info } = await databaseInfo(app.db);
      // Market data sync: a provider that keeps failing degrades the service (no error texts here).
      const sync = info.migrations_pending ? undefined : await syncHealth(app.db).catch(() => undefined);
      const failing = sync?.providers.filter((p) => p.failing > 0).map((p) => p.provider) ?? [];
      return {
        status: info.migrations_pending || failing.length ? 'degraded' : 'ok',
        ...info,
        ...(sync ? { sync: { status: sync.status, failing_providers: failing } } : {}),
      };
    } catch (err) {
      req.log.error({ err }, 'health check: database unavailable');
      return reply.status(503).send({ status: 'unavailable', backend: app.db.backend, error: 'database unavailable' });
    }
  });
}
