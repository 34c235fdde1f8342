/** GET/PUT /api/drawings?asset=…: the signed-in user's chart drawings of one asset (their own only). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getDrawings, putDrawings } from '../../accounts/drawings.ts';
import { getAsset } from '../../market/assets-repository.ts';
import { currentUser, requireUser } from '../guards.ts';

/** At most this many drawings per user and asset; a note at most this long. */
export const MAX_DRAWINGS = 200;
const MAX_TEXT = 200;

const price = z.number().finite().positive();
const point = z.strictObject({ t: z.number().int().min(0).max(32_503_680_000), price });
const id = z.string().min(1).max(40);
const drawing = z.discriminatedUnion('kind', [
  z.strictObject({ id, kind: z.literal('hline'), price }),
  z.strictObject({ id, kind: z.literal('trend'), a: point, b: point }),
  z.strictObject({ id, kind: z.literal('rect'), a: point, b: point }),
  // A ray starts at a and goes through b on to the chart's edge; a Fibonacci retracement spans a (100 %) to b (0 %).
  z.strictObject({ id, kind: z.literal('ray'), a: point, b: point }),
  z.strictObject({ id, kind: z.literal('fib'), a: point, b: point }),
  z.strictObject({ id, kind: z.literal('text'), at: point, text: z.string().trim().min(1).max(MAX_TEXT) }),
]);

const assetQuery = z.strictObject({ asset: z.string().min(1).max(80).describe('symbol or id of the asset') });
const drawingsOut = z.object({
  asset: z.object({ id: z.uuid(), symbol: z.string() }),
  items: z.array(drawing),
  updated_at: z.date().nullable(),
});

export async function drawingRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const base = { tags: ['drawings'], security: [{ bearerAuth: [] }] };

  app.get(
    '/api/drawings',
    {
      onRequest: requireUser,
      schema: {
        ...base,
        summary: "The user's drawings on an asset's chart",
        querystring: assetQuery,
        response: { 200: drawingsOut },
      },
    },
    async (req) => {
      const a = await getAsset(app.db.reader(), req.query.asset);
      return { asset: { id: a.id, symbol: a.symbol }, ...(await getDrawings(app.db, currentUser(req).id, a.id)) };
    },
  );

  app.put(
    '/api/drawings',
    {
      onRequest: requireUser,
      bodyLimit: 256 * 1024,
      schema: {
        ...base,
        summary: `Replace the user's drawings on an asset's chart (at most ${MAX_DRAWINGS}; [] removes them)`,
        querystring: assetQuery,
        body: z.strictObject({ items: z.array(drawing).max(MAX_DRAWINGS) }),
        response: { 200: drawingsOut },
      },
    },
    async (req) => {
      const a = await getAsset(app.db, req.query.asset);
      const saved = await putDrawings(app.db, currentUser(req).id, a.id, req.body.items);
      return { asset: { id: a.id, symbol: a.symbol }, ...saved };
    },
  );
}
