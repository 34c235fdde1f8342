/** Admin API: the retention policy (tm retention). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  DEFAULT_DROP_AFTER,
  addRetentionPolicy,
  removeRetentionPolicy,
  retentionStatus,
} from '../../../timescale/retention.ts';
import { security, tags } from './shared.ts';

export const retentionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/retention',
    { schema: { tags, security, summary: 'retention policy and the chunks past its horizon' } },
    async () => retentionStatus(app.db),
  );

  app.post(
    '/retention/policy',
    {
      schema: {
        tags,
        security,
        summary: 'add the retention policy',
        body: z
          .strictObject({ drop_after: z.string().max(40).default(DEFAULT_DROP_AFTER) })
          .default({ drop_after: DEFAULT_DROP_AFTER }),
      },
    },
    async (req, reply) => {
      const r = await addRetentionPolicy(app.db, req.body.drop_after);
      return reply.status(r.created ? 201 : 200).send(r);
    },
  );

  app.delete('/retention/policy', { schema: { tags, security, summary: 'remove the retention policy' } }, async () =>
    removeRetentionPolicy(app.db),
  );
};
