/** /api/auth: register, login, refresh, logout, me. Login is rate-limited per IP and per username. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkCredentials, login, logout, refresh, BAD_CREDENTIALS } from '../../accounts/auth.ts';
import { PASSWORD_MAX } from '../../accounts/passwords.ts';
import { registerUser } from '../../accounts/users.ts';
import { canonicalUsername } from '../../accounts/username.ts';
import { UserError } from '../../errors.ts';
import { problem } from '../problem.ts';
import { currentUser, requireUser } from '../guards.ts';
import type { Hit } from '../rate-limit.ts';
import { emailField, passwordField, SMALL_BODY, usernameField } from '../schemas.ts';
import { clearSessionCookies, cookieRefreshToken, setSessionCookies } from '../session-cookie.ts';

export const userOut = z.object({
  id: z.uuid(),
  username: z.string(),
  email: z.string(),
  is_active: z.boolean(),
  is_admin: z.boolean(),
  created_at: z.date(),
  updated_at: z.date(),
  last_login: z.date().nullable(),
});

/**
 * One answer whether the account was created or its email was already registered, so registration
 * does not confirm to strangers which addresses have accounts (OWASP; see docs/security.md).
 */
const registeredOut = z.object({ status: z.literal('accepted'), username: z.string(), detail: z.string() });
export const REGISTERED_DETAIL =
  'If the email address was not registered yet, the account exists now: log in with this username and password.';

const tokensOut = z.object({
  access_token: z.string(),
  refresh_token: z.string().optional().describe('absent in cookie mode: the token is in the httpOnly cookie'),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  csrf_token: z.string().optional().describe('cookie mode: send as X-CSRF-Token with refresh and logout'),
});

const registerBody = z.strictObject({ username: usernameField, email: emailField, password: passwordField });
// Login accepts any strings (bounded): a format error would tell which usernames cannot exist.
const loginBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(PASSWORD_MAX),
  cookie: z.boolean().optional().describe('browser mode: the refresh token goes into an httpOnly cookie'),
});
// Bounded, but loosely: a wrong token of any shape is a 401 from the lookup, not a 400.
const refreshToken = z.string().min(1).max(2000);
// Without a body token, the session cookie (with its CSRF header) is used.
const refreshBody = z.strictObject({ refresh_token: refreshToken.optional() }).nullish();
const logoutBody = z.strictObject({ refresh_token: refreshToken.optional() }).nullish();

export async function tooMany(reply: FastifyReply, hit: Hit, what: string): Promise<FastifyReply> {
  return reply
    .status(429)
    .header('retry-after', String(hit.retryAfter))
    .type('application/problem+json')
    .send(problem(429, `too many ${what}; retry in ${hit.retryAfter} s`));
}

export async function authRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const cfg = app.config.auth;
  const windowMs = cfg.loginWindowSeconds * 1000;
  const perIp = app.limits.limiter('login-ip', cfg.loginMaxPerIp, windowMs);
  const perUser = app.limits.limiter('login-user', cfg.loginMaxPerUser, windowMs);
  const registerPerIp = app.limits.limiter('register-ip', cfg.loginMaxPerIp, windowMs);
  const tags = ['auth'];
  // Tight body limit: these routes are reachable without a token.
  const bodyLimit = SMALL_BODY;
  // Tokens and account data must not stay in a browser or proxy cache.
  app.addHook('onSend', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.post(
    '/api/auth/register',
    {
      bodyLimit,
      schema: {
        tags,
        summary: 'Create an account',
        description:
          '202 with the same body whether the account was created or the email is already registered; 409 when the username is taken.',
        body: registerBody,
        response: { 202: registeredOut },
      },
    },
    async (req, reply) => {
      const hit = await registerPerIp.hit(req.ip);
      if (!hit.allowed) return tooMany(reply, hit, 'registrations from this address');
      // One hash and one statement whether or not the email is taken: the time tells nothing either.
      await registerUser(app.db, req.body);
      return reply
        .status(202)
        .send({ status: 'accepted' as const, username: req.body.username, detail: REGISTERED_DETAIL });
    },
  );

  app.post(
    '/api/auth/login',
    {
      bodyLimit,
      schema: {
        tags,
        summary: 'Trade username and password for an access token and a refresh token',
        description: `Rate limits: ${cfg.loginMaxPerIp} attempts per IP and ${cfg.loginMaxPerUser} failed attempts per username per ${cfg.loginWindowSeconds} s.`,
        body: loginBody,
        response: { 200: tokensOut },
      },
    },
    async (req, reply) => {
      const ipHit = await perIp.hit(req.ip);
      if (!ipHit.allowed) return tooMany(reply, ipHit, 'login attempts from this address');
      // The same canonical form the lookup uses, so no spelling of a locked name gets more tries.
      const userKey = canonicalUsername(req.body.username);
      const userHit = await perUser.check(userKey);
      if (!userHit.allowed) return tooMany(reply, userHit, 'failed logins for this username');
      const user = await checkCredentials(app.db, req.body.username, req.body.password);
      if (!user) {
        await perUser.hit(userKey);
        throw new UserError(BAD_CREDENTIALS, 401);
      }
      const secret = await app.auth.secret();
      const pair = await login(app.db, { config: cfg, secret }, user, { userAgent: req.headers['user-agent'] });
      await perUser.reset(userKey);
      if (!req.body.cookie) return pair;
      const { refresh_token, ...rest } = pair;
      return { ...rest, csrf_token: setSessionCookies(req, reply, secret, refresh_token, cfg.refreshTokenTtl) };
    },
  );

  app.post(
    '/api/auth/refresh',
    {
      bodyLimit,
      schema: {
        tags,
        summary: 'Trade a refresh token for a new pair (the old one is revoked)',
        description:
          'Without refresh_token in the body, the tm_refresh cookie is used and X-CSRF-Token must carry the csrf_token.',
        body: refreshBody,
        response: { 200: tokensOut },
      },
    },
    async (req, reply) => {
      const secret = await app.auth.secret();
      const fromBody = req.body?.refresh_token;
      const token = fromBody ?? cookieRefreshToken(req, secret);
      if (token === undefined)
        throw new UserError('refresh_token: required (or the session cookie of a login with "cookie": true)', 400, [
          { field: 'body/refresh_token', message: 'required' },
        ]);
      const pair = await refresh(app.db, { config: cfg, secret }, token, {
        userAgent: req.headers['user-agent'],
      }).catch((err: unknown) => {
        if (fromBody === undefined) clearSessionCookies(reply);
        throw err;
      });
      if (fromBody !== undefined) return pair;
      const { refresh_token, ...rest } = pair;
      return { ...rest, csrf_token: setSessionCookies(req, reply, secret, refresh_token, cfg.refreshTokenTtl) };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      onRequest: requireUser,
      bodyLimit,
      schema: {
        tags,
        summary: 'Revoke the given refresh token, or every refresh token of the user when none is given',
        security: [{ bearerAuth: [] }],
        body: logoutBody,
      },
    },
    async (req, reply) => {
      // A browser session ends only its own cookie's token, not the user's other sessions.
      const token = req.body?.refresh_token ?? cookieRefreshToken(req, await app.auth.secret());
      await logout(app.db, currentUser(req).id, token);
      clearSessionCookies(reply);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/auth/me',
    {
      onRequest: requireUser,
      schema: { tags, summary: 'The authenticated user', security: [{ bearerAuth: [] }], response: { 200: userOut } },
    },
    async (req) => currentUser(req),
  );
}
