/**
 * CORS, off unless TM_CORS_ORIGINS lists origins: then those origins (exact match) may call the API
 * from a browser with the Authorization header. Tokens travel in headers, never cookies, so
 * credentials mode is not allowed.
 */
import type { FastifyInstance } from 'fastify';

export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    void reply.header('vary', 'Origin');
    if (!origin || !allowed.has(origin)) return;
    void reply.header('access-control-allow-origin', origin);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      await reply
        .status(204)
        .header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE')
        .header('access-control-allow-headers', 'Authorization, Content-Type')
        .header('access-control-max-age', '600')
        .send();
    }
  });
}
