/**
 * /api/alerts/rules: the user's condition alerts (docs/alerts.md) and their firings. A user reaches only their
 * own (another user's rule answers 404); a condition that does not parse is a 400 naming the column.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addConditionAlert, changeConditionAlert } from '../../alerts/condition-alerts.ts';
import {
  deleteConditionAlert,
  listAlertEvents,
  listConditionAlerts,
  ownedConditionAlert,
} from '../../alerts/condition-alerts-repository.ts';
import { INTERVALS } from '../../intervals.ts';
import { currentUser, requireUser } from '../guards.ts';
import { pageQuery } from '../pagination.ts';
import { pageOf, SMALL_BODY, text } from '../schemas.ts';

const ruleOut = z.object({
  id: z.uuid(),
  asset_id: z.uuid(),
  symbol: z.string(),
  interval: z.string(),
  rule: z.string(),
  enabled: z.boolean(),
  last_ts: z.date().nullable(),
  last_state: z.boolean().nullable(),
  created_at: z.date(),
});

const eventOut = z.object({
  id: z.uuid(),
  alert_id: z.uuid().nullable(),
  asset_id: z.uuid(),
  symbol: z.string(),
  interval: z.string(),
  rule: z.string(),
  candle_ts: z.date(),
  price: z.number(),
  values: z.record(z.string(), z.number().nullable()),
  triggered_at: z.date(),
});

const ruleIn = z.strictObject({
  symbol: text(80),
  interval: z.enum(INTERVALS).default('1d'),
  when: text(4000).describe("the condition, e.g. 'rsi(close, 14) < 30'"),
});
const rulePatch = z
  .strictObject({
    enabled: z.boolean().optional(),
    when: text(4000).optional().describe('a new condition'),
  })
  .refine((p) => p.enabled !== undefined || p.when !== undefined, 'give enabled or when');
const idParams = z.strictObject({ id: z.string().max(64) });

export async function alertRuleRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const base = { tags: ['alerts'], security: [{ bearerAuth: [] }] };
  const guard = { onRequest: requireUser, bodyLimit: SMALL_BODY };

  app.get(
    '/api/alerts/rules',
    { ...guard, schema: { ...base, summary: "The user's condition alerts", response: { 200: z.array(ruleOut) } } },
    async (req) => listConditionAlerts(app.db, currentUser(req).id),
  );

  app.post(
    '/api/alerts/rules',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Add a condition alert: fires when the rule turns true on a newly closed bar',
        body: ruleIn,
        response: { 201: ruleOut },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const rule = await addConditionAlert(app.db, {
        userId: currentUser(req).id,
        symbol: b.symbol,
        interval: b.interval,
        rule: b.when,
      });
      return reply.status(201).send(rule);
    },
  );

  app.get(
    '/api/alerts/rules/events',
    {
      ...guard,
      schema: {
        ...base,
        summary: "The user's condition alert firings, newest first (?rule=ID for one rule's)",
        querystring: pageQuery.extend({ rule: z.uuid().optional() }),
        response: { 200: pageOf(eventOut) },
      },
    },
    async (req) => {
      const { limit, offset, rule } = req.query;
      const userId = currentUser(req).id;
      if (rule) await ownedConditionAlert(app.db, rule, userId);
      return listAlertEvents(app.db, userId, { limit, offset }, { alertId: rule });
    },
  );

  app.get(
    '/api/alerts/rules/:id',
    { ...guard, schema: { ...base, summary: 'One condition alert', params: idParams, response: { 200: ruleOut } } },
    async (req) => ownedConditionAlert(app.db, req.params.id, currentUser(req).id),
  );

  app.patch(
    '/api/alerts/rules/:id',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Turn a condition alert off or on, or change its condition (it then starts at the newest closed bar)',
        params: idParams,
        body: rulePatch,
        response: { 200: ruleOut },
      },
    },
    async (req) =>
      changeConditionAlert(app.db, {
        userId: currentUser(req).id,
        id: req.params.id,
        enabled: req.body.enabled,
        rule: req.body.when,
      }),
  );

  app.delete(
    '/api/alerts/rules/:id',
    { ...guard, schema: { ...base, summary: 'Delete a condition alert (its firings stay)', params: idParams } },
    async (req, reply) => {
      await deleteConditionAlert(app.db, req.params.id, currentUser(req).id);
      return reply.status(204).send();
    },
  );
}
