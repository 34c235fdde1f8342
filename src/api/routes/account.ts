/**
 * /api/account: what the account page manages. Preferences and the lists are open to any way of signing
 * in; email, password, sessions and API tokens need a signed-in session (an API token cannot mint more).
 * Checks of the current password share the per-user login limit.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { changeEmail, changePassword } from '../../accounts/account.ts';
import { API_TOKEN_SCOPES, createApiToken, listApiTokens, revokeApiToken } from '../../accounts/api-tokens.ts';
import { PASSWORD_MAX } from '../../accounts/passwords.ts';
import { CLOCKS, THEMES, getPreferences, setPreferences } from '../../accounts/preferences.ts';
import { listSessions, revokeSession } from '../../accounts/refresh-tokens.ts';
import { UserError } from '../../errors.ts';
import { currentUser, requireSession, requireUser } from '../guards.ts';
import { emailField, passwordField, SMALL_BODY } from '../schemas.ts';
import { tooMany, userOut } from './auth.ts';

const preferences = z.object({
  timezone: z.string().min(1).max(64),
  clock: z.enum(CLOCKS),
  theme: z.enum(THEMES),
});
const sessionOut = z.object({
  id: z.uuid(),
  started_at: z.date(),
  refreshed_at: z.date(),
  expires_at: z.date(),
  user_agent: z.string().nullable(),
  current: z.boolean(),
});
const tokenOut = z.object({
  id: z.uuid(),
  name: z.string(),
  scope: z.enum(API_TOKEN_SCOPES),
  created_at: z.date(),
  last_used_at: z.date().nullable(),
  expires_at: z.date().nullable(),
});
const idParams = z.object({ id: z.uuid() });
const currentPassword = z.string().min(1).max(PASSWORD_MAX);

/** What both plugins share: typed routes, tags, and no caching of account data. */
function accountPlugin(appBase: FastifyInstance) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  app.addHook('onSend', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
  });
  return { app, tags: ['account'], security: [{ bearerAuth: [] }], bodyLimit: SMALL_BODY };
}

/** The session the request came from (its access token says), to keep it and mark it current. */
const sessionOf = (req: FastifyRequest) => req.sessionId ?? null;

/** The user, preferences, email and password. */
export async function accountRoutes(appBase: FastifyInstance): Promise<void> {
  const { app, tags, security, bodyLimit } = accountPlugin(appBase);
  const cfg = app.config.auth;
  const confirmations = app.limits.limiter('password-confirm', cfg.loginMaxPerUser, cfg.loginWindowSeconds * 1000);

  app.get(
    '/api/account',
    {
      onRequest: requireUser,
      schema: {
        tags,
        security,
        summary: 'The user and their preferences',
        response: { 200: z.object({ user: userOut, preferences }) },
      },
    },
    async (req) => {
      const user = currentUser(req);
      return { user, preferences: await getPreferences(app.db, user.id) };
    },
  );

  app.put(
    '/api/account/preferences',
    {
      onRequest: requireUser,
      bodyLimit,
      schema: {
        tags,
        security,
        summary: 'Time zone, 12/24 h clock and theme',
        body: preferences.partial().strict(),
        response: { 200: preferences },
      },
    },
    async (req) => setPreferences(app.db, currentUser(req).id, req.body),
  );

  app.put(
    '/api/account/email',
    {
      onRequest: requireSession,
      bodyLimit,
      schema: {
        tags,
        security,
        summary: 'A new email, confirmed with the current password',
        body: z.strictObject({ email: emailField, current_password: currentPassword }),
        response: { 200: userOut },
      },
    },
    async (req, reply) => {
      const user = currentUser(req);
      const hit = await confirmations.hit(user.id);
      if (!hit.allowed) return tooMany(reply, hit, 'password checks for this account');
      return changeEmail(app.db, user, req.body.email, req.body.current_password);
    },
  );

  app.put(
    '/api/account/password',
    {
      onRequest: requireSession,
      bodyLimit,
      schema: {
        tags,
        security,
        summary: 'A new password, confirmed with the current one; every other session ends',
        body: z.strictObject({ current_password: currentPassword, new_password: passwordField }),
        response: { 200: z.object({ other_sessions_ended: z.number().int() }) },
      },
    },
    async (req, reply) => {
      const user = currentUser(req);
      const hit = await confirmations.hit(user.id);
      if (!hit.allowed) return tooMany(reply, hit, 'password checks for this account');
      return changePassword(app.db, user, {
        currentPassword: req.body.current_password,
        newPassword: req.body.new_password,
        keepSession: sessionOf(req),
      });
    },
  );
}

/** Sessions and personal API tokens. */
export async function accountAccessRoutes(appBase: FastifyInstance): Promise<void> {
  const { app, tags, security, bodyLimit } = accountPlugin(appBase);

  app.get(
    '/api/account/sessions',
    {
      onRequest: requireSession,
      schema: { tags, security, summary: 'Signed-in sessions, newest first', response: { 200: z.array(sessionOut) } },
    },
    async (req) => {
      const current = sessionOf(req);
      return (await listSessions(app.db, currentUser(req).id)).map((s) => ({ ...s, current: s.id === current }));
    },
  );

  app.delete(
    '/api/account/sessions/:id',
    { onRequest: requireSession, schema: { tags, security, summary: 'End one session', params: idParams } },
    async (req, reply) => {
      if (!(await revokeSession(app.db, currentUser(req).id, req.params.id)))
        throw new UserError(`session ${req.params.id} not found`, 404);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/account/tokens',
    {
      onRequest: requireSession,
      schema: {
        tags,
        security,
        summary: 'Live personal API tokens (never their secret)',
        response: { 200: z.array(tokenOut) },
      },
    },
    async (req) => listApiTokens(app.db, currentUser(req).id),
  );

  app.post(
    '/api/account/tokens',
    {
      onRequest: requireSession,
      bodyLimit,
      schema: {
        tags,
        security,
        summary: 'Create a personal API token: the token is in this answer only',
        body: z.strictObject({
          name: z.string().min(1).max(100),
          scope: z.enum(API_TOKEN_SCOPES),
          expires_in_days: z.number().int().min(1).max(3650).optional(),
        }),
        response: { 201: tokenOut.extend({ token: z.string() }) },
      },
    },
    async (req, reply) => {
      const made = await createApiToken(app.db, currentUser(req).id, {
        name: req.body.name,
        scope: req.body.scope,
        expiresInDays: req.body.expires_in_days,
      });
      return reply.status(201).send(made);
    },
  );

  app.delete(
    '/api/account/tokens/:id',
    { onRequest: requireSession, schema: { tags, security, summary: 'Revoke a personal API token', params: idParams } },
    async (req, reply) => {
      await revokeApiToken(app.db, currentUser(req).id, req.params.id);
      return reply.status(204).send();
    },
  );
}
