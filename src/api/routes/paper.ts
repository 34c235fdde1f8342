/**
 * /api/paper: a user's paper accounts (docs/portfolio.md, "Paper trading"): start, list, status, trades,
 * run on demand (what `tm paper run` does; `tm serve` also advances them as bars arrive) and remove. An
 * account is addressed by its portfolio's id; another user's id, or a portfolio that is not a paper
 * account, answers 404.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { STRATEGY_NAME_RE } from '../../analysis/strategies-repository.ts';
import { INTERVALS } from '../../intervals.ts';
import { isPaperAccount, listPaperAccounts } from '../../paper/accounts.ts';
import { paperReport, paperStatus, runPaper, startPaper } from '../../paper/paper.ts';
import { getPortfolio, PORTFOLIO_NOT_FOUND, removePortfolio } from '../../portfolio/portfolios.ts';
import { currentUser, requireUser } from '../guards.ts';
import { SMALL_BODY, text, timeParam } from '../schemas.ts';

// Ranges are checked by the engine's settings (checkSettings), whose messages name the setting.
const startIn = z.strictObject({
  name: text(100).refine((s) => s.trim().length > 0, 'must not be blank'),
  strategy: z.string().regex(STRATEGY_NAME_RE, 'not a strategy name'),
  version: z.number().int().min(1).optional(),
  symbol: text(64),
  interval: z.enum(INTERVALS).default('1d'),
  from: timeParam.optional(),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'a three-letter currency code')
    .optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  cash: z.number().default(10_000),
  commission: z.number().default(0.001),
  slippage: z.number().default(0),
  stop_loss: z.number().optional(),
  take_profit: z.number().optional(),
  trailing_stop: z.number().optional(),
  fractional: z.boolean().default(false),
  size_pct: z.number().optional(),
});
const accountOut = z.object({
  id: z.uuid(),
  name: z.string(),
  base_currency: z.string(),
  strategy: z.string(),
  strategy_version: z.number().int(),
  symbol: z.string(),
  interval: z.string(),
  from: z.string(),
  last_bar: z.string().nullable(),
  params: z.record(z.string(), z.number()),
  settings: z.looseObject({}),
});
const statusOut = z.object({
  id: z.uuid(),
  name: z.string(),
  strategy: z.string(),
  strategy_version: z.number().int(),
  symbol: z.string(),
  interval: z.string(),
  from: z.string(),
  last_bar: z.string().nullable(),
  cash: z.number(),
  position: z
    .object({ size: z.number(), entry_time: z.string(), entry_price: z.number(), last_price: z.number() })
    .nullable(),
  equity: z.number(),
});
const idParams = z.strictObject({ id: z.uuid() });

export async function paperRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const base = { tags: ['paper'], security: [{ bearerAuth: [] }] };
  const guard = { onRequest: requireUser, bodyLimit: SMALL_BODY };
  /** The user's portfolio that is a paper account, else 404. */
  const mine = async (req: { params: { id: string } } & Parameters<typeof currentUser>[0]) => {
    const p = await getPortfolio(app.db, currentUser(req).id, req.params.id);
    if (!(await isPaperAccount(app.db, p.id))) throw PORTFOLIO_NOT_FOUND();
    return p;
  };

  app.get(
    '/api/paper',
    { ...guard, schema: { ...base, summary: 'Your paper accounts', response: { 200: z.array(accountOut) } } },
    async (req) =>
      (await listPaperAccounts(app.db, currentUser(req).id)).map((a) => ({
        id: a.portfolio_id,
        name: a.name,
        base_currency: a.base_currency,
        strategy: a.strategy,
        strategy_version: a.strategy_version,
        symbol: a.symbol,
        interval: a.interval,
        from: a.from_ts.toISOString(),
        last_bar: a.last_bar_ts?.toISOString() ?? null,
        params: a.params,
        settings: { ...a.settings },
      })),
  );
  app.post(
    '/api/paper',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Start a paper account (and its portfolio of the same name)',
        body: startIn,
        response: { 201: statusOut },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const p = await startPaper(app.db, {
        userId: currentUser(req).id,
        name: b.name,
        currency: b.currency?.toUpperCase(),
        strategy: b.strategy,
        version: b.version,
        symbol: b.symbol,
        interval: b.interval,
        from: b.from ?? null,
        params: b.params,
        settings: {
          cash: b.cash,
          commission: b.commission,
          slippage: b.slippage,
          stopLoss: b.stop_loss ?? null,
          takeProfit: b.take_profit ?? null,
          trailingStop: b.trailing_stop ?? null,
          fractional: b.fractional,
          sizePct: b.size_pct ?? null,
        },
      });
      return reply.status(201).send({ id: p.id, ...(await paperStatus(app.db, p)) });
    },
  );
  app.get(
    '/api/paper/:id',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Cash, position and equity as of the last processed bar',
        params: idParams,
        response: { 200: statusOut },
      },
    },
    async (req) => {
      const p = await mine(req);
      return { id: p.id, ...(await paperStatus(app.db.reader(), p)) };
    },
  );
  app.get(
    '/api/paper/:id/trades',
    {
      ...guard,
      schema: {
        ...base,
        summary: "The account's trades in the backtest's shape",
        params: idParams,
        response: { 200: z.array(z.looseObject({})) },
      },
    },
    async (req) => (await paperReport(app.db.reader(), await mine(req))).report?.trades ?? [],
  );
  app.post(
    '/api/paper/:id/run',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Process every closed bar since the last one processed (again: nothing changes)',
        params: idParams,
        response: { 200: z.object({ bars: z.number(), fills: z.number(), last_bar: z.string().nullable() }) },
      },
    },
    async (req) => runPaper(app.db, await mine(req)),
  );
  app.delete(
    '/api/paper/:id',
    { ...guard, schema: { ...base, summary: 'Delete a paper account and its portfolio', params: idParams } },
    async (req, reply) => {
      const p = await mine(req);
      await removePortfolio(app.db, currentUser(req).id, p.id);
      return reply.status(204).send();
    },
  );
}
