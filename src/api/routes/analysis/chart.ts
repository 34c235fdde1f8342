/**
 * GET /api/chart: what a chart shows first, in one answer: a page of candles and the chosen indicators
 * over it, computed from one read of the candles (public, like market data). Each part equals the answer
 * of its own route (GET /api/candles, GET /api/indicators/series), so a client may use either.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { INDICATOR_TYPES } from '../../../analysis/indicators/registry.ts';
import { chartSeries } from '../../../analysis/series.ts';
import { UserError } from '../../../errors.ts';
import { INTERVALS } from '../../../intervals.ts';
import { getAsset } from '../../../market/assets-repository.ts';
import { intParam, timeParam as time } from '../../schemas.ts';
import { candlePageAnswer } from '../candles.ts';
import { symbol } from './shared.ts';

/** Indicators one chart request computes at most. */
export const MAX_CHART_INDICATORS = 12;

const indicatorList = z
  .array(z.strictObject({ type: z.enum(INDICATOR_TYPES), params: z.unknown().optional() }))
  .max(MAX_CHART_INDICATORS);

function parseIndicators(v: string | undefined): z.infer<typeof indicatorList> {
  if (v === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(v);
  } catch {
    throw new UserError('indicators: not valid JSON');
  }
  const r = indicatorList.safeParse(json);
  if (!r.success)
    throw new UserError(
      `indicators: expected a list of at most ${MAX_CHART_INDICATORS} {"type", "params"} (type one of ${INDICATOR_TYPES.join(', ')})`,
    );
  return r.data;
}

export async function chartRoutes(base: FastifyInstance): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/chart',
    {
      schema: {
        tags: ['candles', 'indicators'],
        summary: 'A page of candles and indicators over it, from one read (what a chart shows first)',
        querystring: z.strictObject({
          symbol,
          interval: z.enum(INTERVALS).default('1d'),
          from: time,
          to: time.optional(),
          limit: intParam(1, 10_000).default(1000).describe('candles at most, as GET /api/candles'),
          indicators: z
            .string()
            .max(4000)
            .optional()
            .describe('JSON list, e.g. [{"type":"sma","params":{"period":20}},{"type":"rsi"}]'),
        }),
      },
    },
    async (req) => {
      const q = req.query;
      const to = q.to ?? new Date();
      if (to <= q.from) throw new UserError('"to" must be after "from"');
      const choices = parseIndicators(q.indicators);
      const db = app.db.reader();
      const asset = await getAsset(db, q.symbol);
      const r = await chartSeries(
        db,
        { assetId: asset.id, interval: q.interval, from: q.from, to, limit: q.limit },
        choices,
      );
      return {
        candles: candlePageAnswer(asset, r.page, q.limit, to),
        indicators: r.series.map((s) => (s instanceof UserError ? { error: s.message } : s)),
      };
    },
  );
}
