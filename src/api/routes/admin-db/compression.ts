/** Admin API: compression settings, policy, compressing and decompressing chunks (tm compression). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  DEFAULT_COMPRESS_AFTER,
  addCompressionPolicy,
  compressChunks,
  compressionStatus,
  decompressChunk,
  enableCompression,
  removeCompressionPolicy,
} from '../../../timescale/compression.ts';
import { security, tags } from './shared.ts';

export const compressionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/compression',
    { schema: { tags, security, summary: 'compression settings, policy and sizes of candles' } },
    async () => compressionStatus(app.db),
  );

  app.post(
    '/compression/enable',
    {
      schema: {
        tags,
        security,
        summary: 'enable compression on candles',
        body: z
          .strictObject({
            segmentby: z.string().max(200).optional(),
            orderby: z.string().max(200).optional(),
            merge_up_to: z
              .string()
              .max(40)
              .optional()
              .describe('merge neighbouring chunks as they compress, up to this span, e.g. 28d; 0: never'),
          })
          .default({}),
      },
    },
    async (req) =>
      enableCompression(app.db, {
        segmentby: req.body.segmentby,
        orderby: req.body.orderby,
        mergeUpTo: req.body.merge_up_to,
      }),
  );

  app.post(
    '/compression/policy',
    {
      schema: {
        tags,
        security,
        summary: 'add the compression policy',
        body: z
          .strictObject({ after: z.string().max(40).default(DEFAULT_COMPRESS_AFTER) })
          .default({ after: DEFAULT_COMPRESS_AFTER }),
      },
    },
    async (req, reply) => {
      const r = await addCompressionPolicy(app.db, req.body.after);
      return reply.status(r.created ? 201 : 200).send(r);
    },
  );

  app.delete(
    '/compression/policy',
    { schema: { tags, security, summary: 'remove the compression policy' } },
    async () => removeCompressionPolicy(app.db),
  );

  app.post(
    '/compression/compress',
    {
      schema: {
        tags,
        security,
        summary: 'compress chunks older than an age now',
        body: z
          .strictObject({ older_than: z.string().max(40).default(DEFAULT_COMPRESS_AFTER) })
          .default({ older_than: DEFAULT_COMPRESS_AFTER }),
      },
    },
    async (req) => compressChunks(app.db, req.body.older_than),
  );

  app.post(
    '/compression/decompress',
    {
      schema: {
        tags,
        security,
        summary: 'decompress one chunk',
        body: z.strictObject({ chunk: z.string().min(1).max(130) }),
      },
    },
    async (req) => decompressChunk(app.db, req.body.chunk),
  );
};
