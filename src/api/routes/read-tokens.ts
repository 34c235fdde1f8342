/**
 * /api/read-tokens: a user's long-lived read tokens for tools reading market data through the
 * exchange-compatible endpoint (/compat/binance). Managed with an access token only (a read token
 * cannot make more); the token is returned once, in the creation response.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createReadToken, listReadTokens, revokeReadToken } from '../../accounts/read-tokens.ts';
import { UserError } from '../../errors.ts';
import { currentUser, requireUser } from '../guards.ts';
import { SMALL_BODY } from '../schemas.ts';

const tokenOut = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  username: z.string(),
  name: z.string(),
  created_at: z.date(),
  last_used_at: z.date().nullable(),
  revoked_at: z.date().nullable(),
});

export async function readTokenRoutes(base: FastifyInstance): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['read tokens'];
  const security = [{ bearerAuth: [] }];

  app.get(
    '/api/read-tokens',
    {
      onRequest: requireUser,
      schema: {
        tags,
        security,
        summary: 'your read tokens (never their secrets)',
        response: { 200: z.array(tokenOut) },
      },
    },
    async (req) => listReadTokens(app.db, currentUser(req).id),
  );

  app.post(
    '/api/read-tokens',
    {
      onRequest: requireUser,
      bodyLimit: SMALL_BODY,
      schema: {
        tags,
        security,
        summary: 'create a read token for /compat/binance (the token is shown in this answer only)',
        body: z.strictObject({ name: z.string().min(1).max(100) }),
        response: { 201: tokenOut.extend({ token: z.string() }) },
      },
    },
    async (req, reply) => reply.status(201).send(await createReadToken(app.db, currentUser(req).id, req.body.name)),
  );

  app.delete(
    '/api/read-tokens/:id',
    {
      onRequest: requireUser,
      schema: { tags, security, summary: 'revoke one of your read tokens', params: z.object({ id: z.uuid() }) },
    },
    async (req, reply) => {
      if (!(await revokeReadToken(app.db, req.params.id, currentUser(req).id)))
        throw new UserError(`no live read token ${req.params.id}`, 404);
      return reply.status(204).send();
    },
  );
}
