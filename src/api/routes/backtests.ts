/**
 * /api/backtests: a user's strategy simulated with costs and stops (docs/backtests.md), with the CLI's settings and
 * defaults, stored and listed per user. Running one is rate-limited like GET /api/signals/backtest
 * (TM_BACKTESTS_PER_MINUTE). A user reaches only their own runs (another's id answers 404).
 */
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getBacktestRun, listBacktestRuns } from '../../analysis/backtest-runs-repository.ts';
import { STRATEGY_NAME_RE } from '../../analysis/strategies-repository.ts';
import { MAX_COMBINATIONS, SWEEP_METRICS } from '../../analysis/backtest/index.ts';
import { runStrategyBacktest } from '../../analysis/strategy-backtests.ts';
import { MAX_WINDOWS, runStrategySweep } from '../../analysis/strategy-sweeps.ts';
import { sweepPool } from '../../analysis/sweep-pool.ts';
import { INTERVALS } from '../../intervals.ts';
import { currentUser, requireUser } from '../guards.ts';
import { intParam, SMALL_BODY, text, timeParam } from '../schemas.ts';

// Ranges are checked by the engine's settings (checkSettings), whose messages name the setting.
const runIn = z.strictObject({
  strategy: z.string().regex(STRATEGY_NAME_RE, 'not a strategy name'),
  version: z.number().int().min(1).optional(),
  symbol: text(64),
  interval: z.enum(INTERVALS).default('1d'),
  from: timeParam.optional(),
  to: timeParam.optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  cash: z.number().default(10_000),
  commission: z.number().default(0.001),
  slippage: z.number().default(0),
  stop_loss: z.number().optional(),
  take_profit: z.number().optional(),
  trailing_stop: z.number().optional(),
  fractional: z.boolean().default(false),
  size_pct: z.number().optional(),
  short: z.boolean().default(false),
});
const sweepIn = runIn.extend({
  grid: z.string().min(1).max(1000),
  train: z.number().default(0.7),
  walk_forward: z.number().int().min(1).max(MAX_WINDOWS).optional(),
  metric: z.enum(SWEEP_METRICS).default('sharpe'),
  top: z.number().int().min(1).max(MAX_COMBINATIONS).default(MAX_COMBINATIONS),
});
type RunBody = z.infer<typeof runIn>;
const settingsOf = (b: RunBody) => ({
  cash: b.cash,
  commission: b.commission,
  slippage: b.slippage,
  stopLoss: b.stop_loss ?? null,
  takeProfit: b.take_profit ?? null,
  trailingStop: b.trailing_stop ?? null,
  fractional: b.fractional,
  sizePct: b.size_pct ?? null,
  short: b.short,
});
const listQuery = z.strictObject({ limit: intParam(1, 1000).default(100), offset: intParam(0, 1_000_000).default(0) });
const idParams = z.strictObject({ id: z.uuid() });

export async function backtestRunRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const base = { tags: ['backtests'], security: [{ bearerAuth: [] }] };
  const guard = { onRequest: requireUser, bodyLimit: SMALL_BODY };

  app.post(
    '/api/backtests',
    {
      ...guard,
      config: { rateLimit: { max: app.config.limits.backtestsPerMinute, timeWindow: '1 minute' } },
      schema: { ...base, summary: 'Run one of your strategies over stored candles and store the run', body: runIn },
    },
    async (req, reply) => {
      const b = req.body;
      const result = await runStrategyBacktest(app.db, {
        userId: currentUser(req).id,
        strategy: b.strategy,
        version: b.version,
        symbol: b.symbol,
        interval: b.interval,
        from: b.from,
        to: b.to,
        params: b.params,
        maxBars: app.config.limits.backtestMaxBars,
        settings: settingsOf(b),
      });
      return reply.status(201).send(result);
    },
  );
  // Sweeps run on worker threads (half the cores, at least one), so the event loop keeps answering meanwhile.
  const pool = sweepPool({ threads: Math.floor(os.availableParallelism() / 2), maxQueue: 8 });
  app.addHook('onClose', () => pool.close());
  app.post(
    '/api/backtests/sweep',
    {
      ...guard,
      config: { rateLimit: { max: app.config.limits.backtestsPerMinute, timeWindow: '1 minute' } },
      schema: {
        ...base,
        summary: 'Run one of your strategies over a parameter grid, ranked in-sample, with the out-of-sample figures',
        body: sweepIn,
      },
    },
    async (req) => {
      const b = req.body;
      return runStrategySweep(app.db, {
        userId: currentUser(req).id,
        strategy: b.strategy,
        version: b.version,
        symbol: b.symbol,
        interval: b.interval,
        from: b.from,
        to: b.to,
        params: b.params,
        maxBars: app.config.limits.backtestMaxBars,
        maxWork: app.config.limits.sweepMaxWork,
        settings: settingsOf(b),
        grid: b.grid,
        train: b.train,
        walkForward: b.walk_forward,
        metric: b.metric,
        top: b.top,
        pool,
      });
    },
  );
  app.get(
    '/api/backtests',
    { ...guard, schema: { ...base, summary: 'Your stored runs, newest first', querystring: listQuery } },
    async (req) => listBacktestRuns(app.db, currentUser(req).id, req.query.limit, req.query.offset),
  );
  app.get(
    '/api/backtests/:id',
    { ...guard, schema: { ...base, summary: 'A stored run with its trades and equity curve', params: idParams } },
    async (req) => getBacktestRun(app.db, currentUser(req).id, req.params.id),
  );
}
