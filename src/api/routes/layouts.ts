/**
 * /api/layouts: the signed-in user's chart layouts (two or four charts side by side, a symbol and an
 * interval each), saved by name. Every query is scoped to the caller: nobody reads or changes another
 * user's layouts, and a name another user also uses is simply theirs.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deleteLayout, getLayout, listLayouts, MAX_LAYOUTS, putLayout } from '../../accounts/chart-layouts.ts';
import { INTERVALS } from '../../intervals.ts';
import { getAsset } from '../../market/assets-repository.ts';
import { currentUser, requireUser } from '../guards.ts';

const cell = z.strictObject({ symbol: z.string().trim().min(1).max(80), interval: z.enum(INTERVALS) });
const cells = z
  .array(cell)
  .refine((c) => c.length === 2 || c.length === 4, { message: 'a layout has 2 or 4 cells' })
  .describe('2 cells (side by side) or 4 (a 2×2 grid), left to right, top to bottom');
const nameParams = z.strictObject({
  name: z.string().trim().min(1).max(60).describe('the layout name (1–60 characters)'),
});
const layoutOut = z.object({
  name: z.string(),
  cells: z.array(z.object({ symbol: z.string(), interval: z.string() })),
  created_at: z.date(),
  updated_at: z.date(),
});

export async function layoutRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const base = { tags: ['layouts'], security: [{ bearerAuth: [] }] };

  app.get(
    '/api/layouts',
    {
      onRequest: requireUser,
      schema: {
        ...base,
        summary: "The user's chart layouts, by name",
        response: { 200: z.object({ items: z.array(layoutOut) }) },
      },
    },
    async (req) => ({ items: await listLayouts(app.db.reader(), currentUser(req).id) }),
  );

  app.get(
    '/api/layouts/:name',
    {
      onRequest: requireUser,
      schema: { ...base, summary: 'One of the user’s chart layouts', params: nameParams, response: { 200: layoutOut } },
    },
    async (req) => getLayout(app.db.reader(), currentUser(req).id, req.params.name),
  );

  app.put(
    '/api/layouts/:name',
    {
      onRequest: requireUser,
      schema: {
        ...base,
        summary: `Create or replace one of the user's chart layouts (at most ${MAX_LAYOUTS})`,
        params: nameParams,
        body: z.strictObject({ cells }),
        response: { 200: layoutOut },
      },
    },
    async (req) => {
      // Each symbol must name an asset; stored as the asset's own symbol (any case or its id in, its symbol out).
      const checked = [];
      for (const c of req.body.cells)
        checked.push({ symbol: (await getAsset(app.db, c.symbol)).symbol, interval: c.interval });
      return putLayout(app.db, currentUser(req).id, req.params.name, checked);
    },
  );

  app.delete(
    '/api/layouts/:name',
    {
      onRequest: requireUser,
      schema: { ...base, summary: 'Delete one of the user’s chart layouts', params: nameParams },
    },
    async (req, reply) => {
      await deleteLayout(app.db, currentUser(req).id, req.params.name);
      return reply.status(204).send();
    },
  );
}
