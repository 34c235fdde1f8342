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
import { BUILTIN_RULES } from '../../analysis/signals/builtin-rules.ts';
import { currentUser, requireUser } from '../guards.ts';
import { SMALL_BODY, text } from '../schemas.ts';

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
