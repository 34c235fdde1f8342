/** /api/markets: every asset with last price, change, volume and recent closes (public, like market data). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { INTERVALS } from '../../intervals.ts';
import { marketOverview } from '../../market/overview.ts';

export async function marketRoutes(base: FastifyInstance): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/markets',
    {
      schema: {
        tags: ['queries'],
        summary: 'Every asset with last price, change % against the previous close, volume and its last closes',
        querystring: z.object({
          interval: z.enum(INTERVALS).default('1d'),
          points: z.coerce.number().int().min(2).max(200).default(30).describe('closes per asset, oldest first'),
        }),
      },
    },
    async (req) => ({ items: await marketOverview(app.db.reader(), req.query) }),
  );
}
