/** Admin API: the tm doctor report. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { doctorReport } from '../../../doctor/report.ts';
import { fromQuery, security, tags, tuneQuery } from './shared.ts';

export const doctorRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/doctor',
    {
      schema: {
        tags,
        security,
        summary: 'the tm doctor report (market data sync and read replicas included)',
        querystring: tuneQuery,
      },
    },
    async (req) =>
      doctorReport(app.db, { tune: fromQuery(req.query), maxReplicaLagSeconds: app.config.maxReplicaLagSeconds }),
  );
};
