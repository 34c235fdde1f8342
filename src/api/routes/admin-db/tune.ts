/** Admin API: timescaledb-tune's advice and applying it (tm tune). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { applySettings, recommend } from '../../../timescale/tune.ts';
import { fromQuery, security, tags, tuneQuery } from './shared.ts';

export const tuneRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/tune',
    { schema: { tags, security, summary: "timescaledb-tune's advice for a machine", querystring: tuneQuery } },
    async (req) => {
      const input = fromQuery(req.query);
      return { input, settings: recommend(input) };
    },
  );

  app.post(
    '/tune/apply',
    {
      schema: {
        tags,
        security,
        summary: 'ALTER SYSTEM the advice on the server and reload',
        body: tuneQuery.default({ max_connections: 100 }),
      },
    },
    async (req) => applySettings(app.db, recommend(fromQuery(req.body))),
  );
};
