/**
 * /api/strategies: a user's rules in the strategy language (docs/strategies.md), versioned. A user reaches only
 * their own; a rule that does not parse is a 400 with the parser's message, which names the column.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  listStrategies,
  removeStrategy,
  saveStrategy,
  STRATEGY_NAME_RE,
  strategyVersions,
} from '../../analysis/strategies-repository.ts';
import { checkRules, previewRules } from '../../analysis/strategy-preview.ts';
import { INTERVALS } from '../../intervals.ts';
import { BUILTIN_RULES } from '../../analysis/signals/builtin-rules.ts';
import { currentUser, requireUser } from '../guards.ts';
import { SMALL_BODY, text, timeParam } from '../schemas.ts';

const versionOut = z.object({
  name: z.string(),
  version: z.number().int(),
  entry: z.string(),
  exit: z.string(),
  params: z.record(z.string(), z.number()),
  description: z.string(),
  created_at: z.date(),
});
// The rules and parameters are checked by the library (checkStrategy), so its messages reach the user unchanged.
const strategyIn = z.strictObject({
  name: text(64),
  entry: text(4000),
  exit: text(4000),
  params: z.record(z.string(), z.unknown()).optional(),
  description: z.string().max(2000).optional(),
});
const draftIn = z.strictObject({
  entry: z.string().max(4000),
  exit: z.string().max(4000),
  params: z.record(z.string(), z.unknown()).optional(),
});
const problemOut = z.object({
  field: z.enum(['entry', 'exit', 'params']),
  message: z.string(),
  column: z.number().int().nullable(),
});
const previewIn = draftIn.extend({
  symbol: text(64),
  interval: z.enum(INTERVALS).default('1d'),
  bars: z.number().int().min(2).max(5000).default(500),
  to: timeParam.optional(),
});
const nameParams = z.strictObject({ name: z.string().regex(STRATEGY_NAME_RE, 'not a strategy name') });

export async function strategyRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const base = { tags: ['strategies'], security: [{ bearerAuth: [] }] };
  const guard = { onRequest: requireUser, bodyLimit: SMALL_BODY };

  app.get(
    '/api/builtin-strategies',
    {
      schema: {
        tags: ['strategies'],
        summary: 'The built-in signal strategies written as rules (start a strategy from one)',
        response: {
          200: z.array(
            z.object({
              name: z.string(),
              description: z.string(),
              entry: z.string(),
              exit: z.string(),
              params: z.record(z.string(), z.number()),
              caveat: z.string().nullable(),
            }),
          ),
        },
      },
    },
    async () => [...BUILTIN_RULES],
  );
  app.get(
    '/api/strategies',
    {
      ...guard,
      schema: {
        ...base,
        summary: "The user's strategies at their latest versions",
        response: { 200: z.array(versionOut) },
      },
    },
    async (req) => listStrategies(app.db, currentUser(req).id),
  );
  app.post(
    '/api/strategies',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Save a strategy; saving an existing name adds a version',
        body: strategyIn,
        response: { 201: versionOut },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await saveStrategy(app.db, { userId: currentUser(req).id, ...req.body })),
  );
  app.post(
    '/api/strategies/check',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Check rules without saving: every problem with its field and column (an empty list when valid)',
        body: draftIn,
        response: { 200: z.object({ problems: z.array(problemOut) }) },
      },
    },
    async (req) => ({ problems: checkRules(req.body) }),
  );
  app.post(
    '/api/strategies/preview',
    {
      ...guard,
      config: { rateLimit: { max: app.config.limits.statsPerMinute, timeWindow: '1 minute' } },
      schema: {
        ...base,
        summary: 'Where unsaved rules fire on the last bars of a symbol (times in epoch seconds)',
        body: previewIn,
      },
    },
    async (req) => {
      const b = req.body;
      return previewRules(app.db, { ...b, count: b.bars, to: b.to ?? null });
    },
  );
  app.get(
    '/api/strategies/:name',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'A strategy with every version, newest first',
        params: nameParams,
        response: { 200: z.object({ name: z.string(), versions: z.array(versionOut) }) },
      },
    },
    async (req) => ({
      name: req.params.name,
      versions: await strategyVersions(app.db, currentUser(req).id, req.params.name),
    }),
  );
  app.delete(
    '/api/strategies/:name',
    {
      ...guard,
      schema: { ...base, summary: 'Delete a strategy with its versions and backtest runs', params: nameParams },
    },
    async (req, reply) => {
      await removeStrategy(app.db, currentUser(req).id, req.params.name);
      return reply.status(204).send();
    },
  );
}
