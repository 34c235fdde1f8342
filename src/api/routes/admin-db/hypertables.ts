/** Admin API: hypertables, their chunks and sizes (tm hypertable). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ensureHypertable, hypertableStats, listChunks, listHypertables } from '../../../timescale/hypertables.ts';
import { pageQuery } from '../../pagination.ts';
import { identifier, paginate, security, tags } from './shared.ts';

export const hypertableRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/hypertables',
    {
      schema: { tags, security, summary: 'hypertables with chunk interval, chunk count, size', querystring: pageQuery },
    },
    async (req) => paginate(await listHypertables(app.db), req.query),
  );

  app.get(
    '/hypertables/:table/chunks',
    {
      schema: {
        tags,
        security,
        summary: 'chunks of a hypertable, oldest first',
        params: z.strictObject({ table: identifier }),
        querystring: pageQuery,
      },
    },
    async (req) => listChunks(app.db, req.params.table, req.query),
  );

  app.get(
    '/hypertables/:table/stats',
    {
      schema: {
        tags,
        security,
        summary: "sizes and compression of a hypertable (replaces the seed's hypertable_stats)",
        params: z.strictObject({ table: identifier }),
      },
    },
    async (req) => hypertableStats(app.db, req.params.table),
  );

  app.post(
    '/hypertables/ensure',
    {
      schema: {
        tags,
        security,
        summary: 'make candles a hypertable (7-day chunks), migrating its rows; no-op if it is one',
      },
    },
    async () => ensureHypertable(app.db),
  );
};
