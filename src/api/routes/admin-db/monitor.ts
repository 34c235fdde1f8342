/** Admin API: ANALYZE, the slowest statements and relation sizes (tm db analyze, tm monitor). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { refreshSeries } from '../../../market/candle-series.ts';
import { analyze, relationSizes, slowQueries } from '../../../timescale/monitor.ts';
import { pageQuery } from '../../pagination.ts';
import { intParam } from '../../schemas.ts';
import { identifier, paginate, security, tags } from './shared.ts';

export const monitorRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/analyze',
    {
      schema: {
        tags,
        security,
        summary: 'ANALYZE one table or all',
        body: z.strictObject({ table: identifier.optional() }).default({}),
      },
    },
    async (req) => {
      const r = await analyze(app.db, req.body.table);
      const table = req.body.table;
      return !table || table === 'candles' ? { ...r, series: await refreshSeries(app.db) } : r;
    },
  );

  app.get(
    '/monitor/queries',
    {
      schema: {
        tags,
        security,
        summary: 'slowest statements (pg_stat_statements)',
        querystring: z.strictObject({ limit: intParam(1, 1000).default(10) }),
      },
    },
    async (req) => ({ items: await slowQueries(app.db, req.query.limit) }),
  );

  app.get(
    '/monitor/sizes',
    {
      schema: {
        tags,
        security,
        summary: 'tables, hypertables, aggregates and indexes by size',
        querystring: pageQuery,
      },
    },
    async (req) => paginate(await relationSizes(app.db), req.query),
  );
};
