/** GET /api/signals/backtest: public, rate-limited, computed on a worker pool off the event loop. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { backtestPool } from '../../../analysis/backtest-pool.ts';
import { runBacktest } from '../../../analysis/service.ts';
import { STRATEGY_NAMES } from '../../../analysis/signals/registry.ts';
import { INTERVALS } from '../../../intervals.ts';
import { intParam, timeParam as time } from '../../schemas.ts';
import { parseJsonParam, symbol } from './shared.ts';

/** Bars one public backtest request may cover (about a year of 1m candles is 525,600). */
export const MAX_BACKTEST_BARS = 200_000;

export async function backtestRoutes(base: FastifyInstance): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  // Backtests compute off the event loop; the pool's threads end with the app.
  const pool = backtestPool();
  app.addHook('onClose', () => pool.close());

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
