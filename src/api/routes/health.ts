import type { FastifyInstance } from 'fastify';
import { databaseInfo } from '../../db/info.ts';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health', async (_req, reply) => {
    try {
      const info = await databaseInfo(app.db);
      return { status: info.migrations_pending ? 'degraded' : 'ok', ...info };
    } catch (err) {
      return reply.status(503).send({ status: 'unavailable', backend: app.db.backend, error: (err as Error).message });
    }
  });
}
