/** /api/signals: stored signals (public) and generating them (admin). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUserByName } from '../../../accounts/users.ts';
import { generateStoredSignals, generateUserSignals } from '../../../analysis/service.ts';
import { UserError } from '../../../errors.ts';
import { STRATEGY_NAMES } from '../../../analysis/signals/registry.ts';
import { listSignals } from '../../../analysis/signals-repository.ts';
import { INTERVALS } from '../../../intervals.ts';
import { getAsset } from '../../../market/assets-repository.ts';
import { optionalUser, requireAdmin } from '../../guards.ts';
import { pageQuery } from '../../pagination.ts';
import { choice, symbol } from './shared.ts';

export async function signalRoutes(base: FastifyInstance): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/signals',
    {
      // Public; a signed-in user also sees the signals of their own strategies.
      onRequest: optionalUser,
      schema: {
        tags: ['signals'],
        summary: "Stored signals, newest first (the built-in strategies'; with a token, also your strategies')",
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
        viewer: req.user?.id ?? null,
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
          strategies: z
            .array(z.string().min(1).max(64))
            .min(1)
            .optional()
            .describe(`built-in strategies (${STRATEGY_NAMES.join(', ')}), or with user that user's strategies`),
          user: z.string().min(1).max(64).optional().describe("run this user's strategies (latest versions)"),
          params: z.record(z.string(), z.number()).optional().describe('parameters of the single strategy given'),
        }),
      },
    },
    async (req) => {
      const b = req.body;
      const choice = { symbols: b.symbols, all: b.all };
      if (b.user && b.params)
        throw new UserError("params are for built-in strategies; a user's strategy runs with its saved defaults");
      const results = b.user
        ? await generateUserSignals(app.db, choice, b.interval, await requireUserByName(app.db, b.user), b.strategies)
        : await generateStoredSignals(app.db, choice, b.interval, b.strategies, b.params);
      return { results, inserted: results.reduce((n, r) => n + r.inserted, 0) };
    },
  );
}
