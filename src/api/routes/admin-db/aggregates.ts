/** Admin API: continuous aggregates (tm aggregates). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { INTERVALS } from '../../../intervals.ts';
import {
  createAggregates,
  dropAggregate,
  listCatalogAggregates,
  parseTargets,
  refreshAggregate,
} from '../../../timescale/aggregates.ts';
import { pageQuery } from '../../pagination.ts';
import { identifier, paginate, security, tags } from './shared.ts';

export const aggregateRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/aggregates',
    {
      schema: {
        tags,
        security,
        summary:
          'every continuous aggregate: those tm aggregates made (with their intervals) and the others (made_by: other)',
        querystring: pageQuery,
      },
    },
    async (req) => paginate(await listCatalogAggregates(app.db), req.query),
  );

  app.post(
    '/aggregates',
    {
      schema: {
        tags,
        security,
        summary: 'create continuous aggregates from a stored interval to coarser ones',
        body: z.strictObject({
          from: z.enum(INTERVALS).default('1m'),
          to: z.array(z.enum(INTERVALS)).min(1),
          refresh: z.boolean().default(true),
          hierarchical: z.boolean().default(false),
        }),
      },
    },
    async (req, reply) => {
      const rows = await createAggregates(app.db, req.body.from, parseTargets(req.body.to), {
        refresh: req.body.refresh,
        hierarchical: req.body.hierarchical,
      });
      return reply.status(rows.some((r) => r.created) ? 201 : 200).send({ items: rows });
    },
  );

  app.post(
    '/aggregates/:name/refresh',
    {
      schema: {
        tags,
        security,
        summary: 'materialize an aggregate over a window now',
        params: z.strictObject({ name: identifier }),
        body: z.strictObject({ from: z.string().max(40).optional(), to: z.string().max(40).optional() }).default({}),
      },
    },
    async (req) => refreshAggregate(app.db, req.params.name, req.body.from, req.body.to),
  );

  app.delete(
    '/aggregates/:name',
    {
      schema: {
        tags,
        security,
        summary: 'drop an aggregate and its policy',
        params: z.strictObject({ name: identifier }),
      },
    },
    async (req) => dropAggregate(app.db, req.params.name),
  );
};
