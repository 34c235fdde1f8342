/**
 * /api/indicators and /api/signals: reads are public like market data; computing and generating
 * (writes) need an administrator.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { INDICATOR_TYPES } from '../../analysis/indicators/registry.ts';
import { listIndicators } from '../../analysis/indicators-repository.ts';
import { computeStoredIndicators, generateStoredSignals, runBacktest } from '../../analysis/service.ts';
import { STRATEGY_NAMES } from '../../analysis/signals/registry.ts';
import { listSignals } from '../../analysis/signals-repository.ts';
import { indicatorSeries } from '../../analysis/series.ts';
import { getAsset } from '../../market/assets-repository.ts';
import { INTERVALS } from '../../intervals.ts';
import { requireAdmin } from '../guards.ts';
import { backtestPool } from '../../analysis/backtest-pool.ts';
import { pageQuery } from '../pagination.ts';
import { timeParam as time, intParam } from '../schemas.ts';
import { UserError } from '../../errors.ts';

const symbol = z.string().min(1).max(80);
const choice = {
  symbols: z.array(symbol).min(1).max(1000).optional().describe('assets (SYMBOL or SYMBOL:EXCHANGE)'),
  all: z.boolean().optional().describe('every asset with candles of the interval'),
  interval: z.enum(INTERVALS).default('1d'),
};

/** Bars one public backtest request may cover (about a year of 1m candles is 525,600). */
export const MAX_BACKTEST_BARS = 200_000;

function parseJsonParam(v: string | undefined): unknown {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    throw new UserError('params: not valid JSON');
  }
}

export async function analysisRoutes(base: FastifyInstance): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  // Backtests compute off the event loop; the pool's threads end with the app.
  const pool = backtestPool();
  app.addHook('onClose', () => pool.close());

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

  app.get(
    '/api/signals/backtest',
    {
      config: { rateLimit: { max: app.config.limits.backtestsPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['signals'],
        summary: "How a strategy's signals would have done on an asset",
        querystring: z.strictObject({
          symbol,
          strategy: z.enum(STRATEGY_NAMES),
          interval: z.enum(INTERVALS).default('1d'),
          from: time.optional(),
          to: time.optional(),
          horizon: intParam(1, 10_000).default(10),
          params: z
            .string()
            .max(2000)
            .optional()
            .describe('the strategy\'s parameters as JSON, e.g. {"fast":5,"slow":15}'),
        }),
      },
    },
    async (req) => {
      const q = req.query;
      const params = parseJsonParam(q.params);
      return runBacktest(app.db.reader(), {
        symbol: q.symbol,
        strategy: q.strategy,
        interval: q.interval,
        from: q.from,
        to: q.to,
        horizon: q.horizon,
        params,
        maxBars: MAX_BACKTEST_BARS,
        compute: (task) => pool.run(task),
      });
    },
  );
}
