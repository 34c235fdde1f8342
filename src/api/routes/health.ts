import type { FastifyInstance } from 'fastify';
import { databaseInfo } from '../../db/info.ts';
import { problem } from '../problem.ts';

/**
 * Public: backend, versions, schema revision. Not where the database is (host, user, data
 * directory) nor the driver's error text: `tm db info` and the server log say those.
 */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health', async (req, reply) => {
    try {
      const { target: _target, ...info } = await databaseInfo(app.db);
      return { status: info.migrations_pending ? 'degraded' : 'ok', ...info };
    } catch (err) {
      req.log.error({ err }, 'health check: database unavailable');
      return reply
        .status(503)
        .type('application/problem+json')
        .send(problem(503, 'database unavailable', { backend: app.db.backend }));
    }
  });
}
