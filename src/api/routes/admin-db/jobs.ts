/** Admin API: TimescaleDB jobs, their history, running them (tm jobs). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { jobHistory, listJobs, runDueJobs, runJob } from '../../../timescale/jobs.ts';
import { pageQuery } from '../../pagination.ts';
import { intParam } from '../../schemas.ts';
import { paginate, security, tags } from './shared.ts';

export const jobRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/jobs',
    { schema: { tags, security, summary: 'TimescaleDB jobs with next start and last run', querystring: pageQuery } },
    async (req) => paginate(await listJobs(app.db), req.query),
  );

  app.get(
    '/jobs/history',
    {
      schema: {
        tags,
        security,
        summary: 'job runs, newest first',
        querystring: pageQuery.extend({ job_id: intParam(1, 2 ** 31 - 1).optional() }),
      },
    },
    async (req) => jobHistory(app.db, { jobId: req.query.job_id, limit: req.query.limit, offset: req.query.offset }),
  );

  app.post(
    '/jobs/run-due',
    { schema: { tags, security, summary: 'run the due policy jobs once (embedded database)' } },
    async () => runDueJobs(app.db, 'schedule'),
  );

  app.post(
    '/jobs/:id/run',
    {
      schema: {
        tags,
        security,
        summary: 'run one job now',
        params: z.strictObject({
          id: intParam(1, 2 ** 31 - 1),
        }),
      },
    },
    async (req) => runJob(app.db, req.params.id, 'manual'),
  );
};
