/** The HTTP API: a Fastify instance over one open database. Routes stay thin: they call the library. */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Database } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { healthRoutes } from './routes/health.ts';

export interface AppOptions {
  db: Database;
  config: Config;
  /** pino logging of requests; off in tests. */
  logger?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
    config: Config;
  }
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ? { level: 'info', redact: ['req.headers.authorization', 'req.headers.cookie'] } : false,
    bodyLimit: 10 * 1024 * 1024,
  });
  app.decorate('db', opts.db);
  app.decorate('config', opts.config);

  // One error shape for every route: application/problem+json (RFC 9457).
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    const status = err instanceof UserError ? err.status : (err.statusCode ?? 500);
    if (status >= 500) app.log.error(err);
    void reply
      .status(status)
      .type('application/problem+json')
      .send({
        type: 'about:blank',
        title: status >= 500 ? 'Internal Server Error' : err.name === 'UserError' ? 'Bad Request' : err.name,
        status,
        detail: status >= 500 && !(err instanceof UserError) ? 'internal error' : err.message,
        ...(err instanceof UserError && err.details !== undefined ? { errors: err.details } : {}),
      });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).type('application/problem+json').send({ type: 'about:blank', title: 'Not Found', status: 404, detail: `no route ${req.method} ${req.url}` });
  });

  await app.register(healthRoutes);
  return app;
}
