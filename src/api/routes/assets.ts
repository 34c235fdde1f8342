/** /api/assets: GET is public; writes need admin (requireAdmin). A ref is an id, SYMBOL or SYMBOL:EXCHANGE. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ASSET_TYPES,
  addAsset,
  getAsset,
  listAssets,
  removeAsset,
  updateAsset,
} from '../../market/assets-repository.ts';
import { requireAdmin } from '../guards.ts';
import { pageQuery } from '../pagination.ts';

const refParams = z.strictObject({ ref: z.string().min(1).max(80).describe('asset id, SYMBOL or SYMBOL:EXCHANGE') });
const assetBody = z.strictObject({
  symbol: z.string().min(1).max(32),
  name: z.string().min(1).max(200),
  asset_type: z.enum(ASSET_TYPES),
  exchange: z.string().max(32).nullish(),
  sector: z.string().max(100).nullish(),
  industry: z.string().max(100).nullish(),
});

export async function assetRoutes(base: FastifyInstance): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['assets'];

  app.get(
    '/api/assets',
    {
      schema: {
        tags,
        summary: 'List assets by symbol',
        querystring: pageQuery.extend({ type: z.enum(ASSET_TYPES).optional() }),
      },
    },
    async (req) => listAssets(app.db, { type: req.query.type, limit: req.query.limit, offset: req.query.offset }),
  );

  app.get('/api/assets/:ref', { schema: { tags, summary: 'One asset', params: refParams } }, async (req) =>
    getAsset(app.db, req.params.ref),
  );

  app.post(
    '/api/assets',
    {
      onRequest: requireAdmin,
      schema: { tags, summary: 'Add an asset (admin)', security: [{ bearerAuth: [] }], body: assetBody },
    },
    async (req, reply) => reply.status(201).send(await addAsset(app.db, req.body)),
  );

  app.patch(
    '/api/assets/:ref',
    {
      onRequest: requireAdmin,
      schema: {
        tags,
        summary: 'Change an asset (admin)',
        security: [{ bearerAuth: [] }],
        params: refParams,
        body: assetBody.partial(),
      },
    },
    async (req) => updateAsset(app.db, req.params.ref, req.body),
  );

  app.delete(
    '/api/assets/:ref',
    {
      onRequest: requireAdmin,
      schema: {
        tags,
        summary: 'Delete an asset without candles (admin)',
        security: [{ bearerAuth: [] }],
        params: refParams,
      },
    },
    async (req) => ({ removed: await removeAsset(app.db, req.params.ref) }),
  );
}
