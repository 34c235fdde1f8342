/** /api/signals: stored signals (public) and generating them (admin). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { generateStoredSignals } from '../../../analysis/service.ts';
import { STRATEGY_NAMES } from '../../../analysis/signals/registry.ts';
import { listSignals } from '../../../analysis/signals-repository.ts';
import { INTERVALS } from '../../../intervals.ts';
import { getAsset } from '../../../market/assets-repository.ts';
import { requireAdmin } from '../../guards.ts';
import { pageQuery } from '../../pagination.ts';
import { choice, symbol } from './shared.ts';

export async function signalRoutes(base: FastifyInstance): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/signals',
    {
      schema: {
        tags: ['signals'],
        summary: 'Stored signals, newest first',
        querystring: pageQuery.extend({
          symbol: symbol.optional(),
          strategy: z.string().max(64).optional(),
          interval: z.enum(INTERVALS).optional(),
          active: z
            .enum(['true', 'false'])
            .optional()
            .transform((v) => (v === undefined ? undefined : v === 'true')),
        }),
      },
    },
    async (req) => {
      const q = req.query;
      const assetId = q.symbol ? (await getAsset(app.db, q.symbol)).id : undefined;
      const page = await listSignals(app.db, {
        assetId,
        strategy: q.strategy,
        timeframe: q.interval,
        active: q.active,
        limit: q.limit,
        offset: q.offset,
      });
      return { ...page, limit: q.limit, offset: q.offset };
    },
  );

  app.post(
    '/api/signals/generate',
    {
      onRequest: requireAdmin,
      schema: {
        tags: ['signals'],
        summary: 'Run strategies over stored candles and store their signals (admin)',
        security: [{ bearerAuth: [] }],
        body: z.strictObject({
          ...choice,
          strategies: z.array(z.enum(STRATEGY_NAMES)).min(1).optional(),
          params: z.record(z.string(), z.number()).optional().describe('parameters of the single strategy given'),
        }),
      },
    },
    async (req) => {
      const b = req.body;
      const results = await generateStoredSignals(
        app.db,
        { symbols: b.symbols, all: b.all },
        b.interval,
        b.strategies,
        b.params,
      );
      return { results, inserted: results.reduce((n, r) => n + r.inserted, 0) };
    },
  );
}
