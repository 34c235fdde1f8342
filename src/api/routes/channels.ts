/**
 * Notification channels and deliveries: a user manages their own; an administrator anyone's
 * (`username` in the body or query). Secrets are returned once, in the creation response.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUserByName } from '../../accounts/users.ts';
import { canonicalUsername } from '../../accounts/username.ts';
import { UserError } from '../../errors.ts';
import {
  CHANNEL_KINDS,
  createChannel,
  enableChannel,
  EVENT_TYPES,
  listChannels,
  ownedChannel,
  removeChannel,
} from '../../notify/channels.ts';
import { listDeliveries } from '../../notify/deliveries.ts';
import { testChannel } from '../../notify/service.ts';
import { notifySettings } from '../../notify/settings.ts';
import { currentUser, requireUser } from '../guards.ts';
import { pageQuery } from '../pagination.ts';
import { pageOf, SMALL_BODY } from '../schemas.ts';

const channelOut = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  username: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  target: z.string(),
  token: z.string().nullable().describe('telegram: the bot token redacted to the bot id ("123456789:…")'),
  events: z.array(z.string()),
  strategies: z.array(z.string()).nullable(),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable(),
  consecutive_failures: z.number(),
  created_at: z.date(),
});
const channelCreate = z.strictObject({
  kind: z.enum(CHANNEL_KINDS),
  target: z.string().min(3).max(2000).describe('a webhook URL, an email address or a Telegram chat id'),
  secret: z.string().max(200).optional().describe('webhook: signing secret (whsec_…); telegram: the bot token'),
  events: z.array(z.enum(EVENT_TYPES)).min(1).max(10).optional(),
  strategies: z.array(z.string().max(100)).max(20).optional(),
  username: z.string().max(64).optional().describe('administrators: create for this user'),
});
const deliveryOut = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  username: z.string(),
  channel_id: z.uuid(),
  kind: z.enum(CHANNEL_KINDS),
  target: z.string(),
  event_type: z.string(),
  event_id: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number(),
  next_attempt_at: z.date().nullable(),
  last_error: z.string().nullable(),
  created_at: z.date(),
  delivered_at: z.date().nullable(),
});
const idParams = z.object({ id: z.uuid() });
const userQuery = z.object({ username: z.string().max(64).optional() });

/** The user a request acts for: itself, or (administrators) the named user; null = everyone (admin list). */
async function actingFor(req: FastifyRequest, username: string | undefined, all: boolean) {
  const me = currentUser(req);
  if (username === undefined) return all && me.is_admin ? null : me;
  if (!me.is_admin && canonicalUsername(username) !== canonicalUsername(me.username))
    throw new UserError("only administrators manage other users' channels", 403);
  return requireUserByName(req.server.db, username);
}

export async function channelRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const base = { tags: ['notifications'], security: [{ bearerAuth: [] }] };
  const guard = { onRequest: requireUser, bodyLimit: SMALL_BODY };

  app.get(
    '/api/channels',
    {
      ...guard,
      schema: {
        ...base,
        summary: "The user's notification channels (administrators: ?username=, or everyone's by default)",
        querystring: userQuery,
        response: { 200: z.object({ items: z.array(channelOut) }) },
      },
    },
    async (req) => {
      const who = await actingFor(req, req.query.username, true);
      return { items: await listChannels(app.db, who?.id ?? null) };
    },
  );

  app.post(
    '/api/channels',
    {
      ...guard,
      schema: {
        ...base,
        summary:
          'Add a webhook, email or telegram channel; a webhook secret is generated when not given and returned only here',
        body: channelCreate,
        response: { 201: channelOut.extend({ secret: z.string().nullable() }) },
      },
    },
    async (req, reply) => {
      const { username, ...input } = req.body;
      const who = await actingFor(req, username, false);
      if (!who) throw new Error('unreachable: a creation always names its user');
      const { channel, secret } = await createChannel(app.db, who.id, input, {
        allowPrivate: notifySettings().allowPrivate,
        isAdmin: who.is_admin,
      });
      return reply.status(201).send({ ...channel, secret });
    },
  );

  app.post(
    '/api/channels/:id/test',
    {
      ...guard,
      schema: {
        ...base,
        summary: 'Send a test notification now',
        params: idParams,
        response: { 200: z.object({ ok: z.boolean(), error: z.string().optional(), delivery_id: z.uuid() }) },
      },
    },
    async (req) => {
      const c = await ownedChannel(app.db, req.params.id, currentUser(req));
      return testChannel(app.db, c.id);
    },
  );

  app.post(
    '/api/channels/:id/enable',
    {
      ...guard,
      schema: { ...base, summary: 'Turn a disabled channel back on', params: idParams, response: { 200: channelOut } },
    },
    async (req) => {
      const c = await ownedChannel(app.db, req.params.id, currentUser(req));
      await enableChannel(app.db, c.id);
      return ownedChannel(app.db, c.id, currentUser(req));
    },
  );

  app.delete(
    '/api/channels/:id',
    { ...guard, schema: { ...base, summary: 'Delete a channel and its deliveries', params: idParams } },
    async (req, reply) => {
      const c = await ownedChannel(app.db, req.params.id, currentUser(req));
      await removeChannel(app.db, c.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/deliveries',
    {
      ...guard,
      schema: {
        ...base,
        summary: "The user's deliveries, newest first (administrators: everyone's, or ?username=)",
        querystring: pageQuery
          .extend(userQuery.shape)
          .extend({ status: z.enum(['pending', 'delivered', 'failed']).optional() }),
        response: { 200: pageOf(deliveryOut) },
      },
    },
    async (req) => {
      const { limit, offset, username, status } = req.query;
      const who = await actingFor(req, username, true);
      return listDeliveries(app.db, { userId: who?.id, status }, { limit, offset });
    },
  );
}
