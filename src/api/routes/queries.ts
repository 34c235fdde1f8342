/** /api/queries/*: the seed's six common queries (public), each returning { items, limit, offset, total }. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { intParam } from '../schemas.ts';
import { getAsset } from '../../market/assets-repository.ts';
import { INTERVALS } from '../../intervals.ts';
import {
  activeSignals,
  countActiveSignals,
  countCandles,
  countLatestIndicators,
  latestCandles,
  latestIndicators,
  latestSignals,
  priceChanges,
  priceStats,
} from '../../market/queries.ts';
import type { Page } from '../../db/page.ts';
import { pageQuery } from '../pagination.ts';

/** Per-asset results are at most one row per asset: page them after the query. */
function slice<T>(rows: T[], limit: number, offset: number): Page<T> {
  return { items: rows.slice(offset, offset + limit), limit, offset, total: rows.length };
}

const interval = z.enum(INTERVALS).default('1d');

export async function queryRoutes(base: FastifyInstance): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['queries'];
  // Every asset's candles are aggregated per request: limited per client like the backtest.
  const statsLimit = { max: app.config.limits.statsPerMinute, timeWindow: '1 minute' };

  app.get(
    '/api/queries/latest-candles',
    {
      schema: {
        tags,
        summary: 'Latest candles of one asset, newest first',
        querystring: pageQuery.extend({ symbol: z.string().min(1).max(80), interval }),
      },
    },
    async (req) => {
      const { interval, limit, offset } = req.query;
      const a = await getAsset(app.db.reader(), req.query.symbol);
      // Paged in SQL: an asset has any number of candles.
      const [items, total] = await Promise.all([
        latestCandles(app.db.reader(), { assetId: a.id, interval, limit, offset }),
        countCandles(app.db.reader(), { assetId: a.id, interval }),
      ]);
      return { items, limit, offset, total };
    },
  );

  app.get(
    '/api/queries/latest-indicators',
    {
      schema: {
        tags,
        summary: 'Indicator values of the last N days',
        querystring: pageQuery.extend({ days: intParam(1, 36_500).default(7) }),
      },
    },
    async (req) => {
      const { days, limit, offset } = req.query;
      const [items, total] = await Promise.all([
        latestIndicators(app.db.reader(), { days, limit, offset }),
        countLatestIndicators(app.db.reader(), { days }),
      ]);
      return { items, limit, offset, total };
    },
  );

  app.get(
    '/api/queries/active-signals',
    { schema: { tags, summary: 'Active signals, newest first', querystring: pageQuery } },
    async (req) => {
      const { limit, offset } = req.query;
      const [items, total] = await Promise.all([
        activeSignals(app.db.reader(), { limit, offset }),
        countActiveSignals(app.db.reader()),
      ]);
      return { items, limit, offset, total };
    },
  );

  app.get(
    '/api/queries/latest-signals',
    { schema: { tags, summary: 'Newest active signal per asset', querystring: pageQuery } },
    async (req) => slice(await latestSignals(app.db.reader()), req.query.limit, req.query.offset),
  );

  app.get(
    '/api/queries/price-stats',
    {
      config: { rateLimit: statsLimit },
      schema: { tags, summary: 'Price statistics per asset', querystring: pageQuery.extend({ interval }) },
    },
    async (req) =>
      slice(await priceStats(app.db.reader(), { interval: req.query.interval }), req.query.limit, req.query.offset),
  );

  app.get(
    '/api/queries/price-changes',
    {
      config: { rateLimit: statsLimit },
      schema: {
        tags,
        summary: 'Last close vs previous per asset, biggest gain first',
        querystring: pageQuery.extend({ interval }),
      },
    },
    async (req) =>
      slice(await priceChanges(app.db.reader(), { interval: req.query.interval }), req.query.limit, req.query.offset),
  );
}
