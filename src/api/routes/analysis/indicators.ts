/** /api/indicators: stored values (public), a series computed now (public), computing into storage (admin). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { INDICATOR_TYPES } from '../../../analysis/indicators/registry.ts';
import { listIndicators } from '../../../analysis/indicators-repository.ts';
import { indicatorSeries } from '../../../analysis/series.ts';
import { computeStoredIndicators } from '../../../analysis/service.ts';
import { UserError } from '../../../errors.ts';
import { INTERVALS } from '../../../intervals.ts';
import { getAsset } from '../../../market/assets-repository.ts';
import { requireAdmin } from '../../guards.ts';
import { pageQuery } from '../../pagination.ts';
import { timeParam as time } from '../../schemas.ts';
import { choice, parseJsonParam, symbol } from './shared.ts';

export async function indicatorRoutes(base: FastifyInstance): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/indicators',
    {
      schema: {
        tags: ['indicators'],
        summary: 'Stored indicator values, newest first',
        querystring: pageQuery.extend({
          symbol: symbol.optional(),
          name: z.string().max(64).optional().describe('storage name, e.g. rsi_14'),
          type: z.enum(INDICATOR_TYPES).optional(),
          interval: z.enum(INTERVALS).optional(),
          from: time.optional(),
          to: time.optional(),
        }),
      },
    },
    async (req) => {
      const q = req.query;
      const assetId = q.symbol ? (await getAsset(app.db, q.symbol)).id : undefined;
      const page = await listIndicators(app.db, {
        assetId,
        name: q.name,
        type: q.type,
        timeframe: q.interval,
        from: q.from,
        to: q.to,
        limit: q.limit,
        offset: q.offset,
      });
      return { ...page, limit: q.limit, offset: q.offset };
    },
  );

  app.get(
    '/api/indicators/series',
    {
      schema: {
        tags: ['indicators'],
        summary: 'An indicator computed now over a range of candles, with any parameters (nothing stored)',
        querystring: z.object({
          symbol,
          type: z.enum(INDICATOR_TYPES),
          interval: z.enum(INTERVALS).default('1d'),
          from: time,
          to: time.optional(),
          params: z.string().max(2000).optional().describe('parameters as JSON, e.g. {"period":21}'),
        }),
      },
    },
    async (req) => {
      const q = req.query;
      const to = q.to ?? new Date();
      if (to <= q.from) throw new UserError('"to" must be after "from"');
      const asset = await getAsset(app.db.reader(), q.symbol);
      return indicatorSeries(app.db.reader(), {
        assetId: asset.id,
        interval: q.interval,
        type: q.type,
        params: parseJsonParam(q.params),
        from: q.from,
        to,
      });
    },
  );

  app.post(
    '/api/indicators/compute',
    {
      onRequest: requireAdmin,
      schema: {
        tags: ['indicators'],
        summary: 'Compute indicators into storage, incrementally (admin)',
        security: [{ bearerAuth: [] }],
        body: z.strictObject({
          ...choice,
          types: z
            .array(z.enum(INDICATOR_TYPES))
            .min(1)
            .default([...INDICATOR_TYPES]),
          params: z
            .record(z.string(), z.unknown())
            .optional()
            .describe('{"period":21} for one type; {"rsi":{"period":21}} for several'),
        }),
      },
    },
    async (req) => {
      const b = req.body;
      const results = await computeStoredIndicators(
        app.db,
        { symbols: b.symbols, all: b.all },
        b.interval,
        b.types,
        b.params,
      );
      return { results, written: results.reduce((n, r) => n + r.written, 0) };
    },
  );
}
